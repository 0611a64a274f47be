//! The user directory query and the team lists.

use super::tests::{channel, team, user};
use super::*;
use crate::sqlite::tests::temp_store;

struct World {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    core: Team,
    town: Channel,
}

/// alice, bob and carol in team core; bob and alice in town; dave (no
/// team) shares a direct channel with alice; erin shares nothing.
fn world() -> World {
    let (dir, store) = temp_store();
    let alice = User {
        first_name: "Alice".into(),
        last_name: "Zed".into(),
        ..user("alice")
    };
    let bob = User {
        nickname: "Bobby".into(),
        ..user("bob_ops")
    };
    let carol = User {
        first_name: "Carol".into(),
        last_name: "Smith".into(),
        delete_at: 5,
        ..user("carol")
    };
    let dave = user("dave");
    let erin = user("erin");
    for u in [&alice, &bob, &carol, &dave, &erin] {
        store.create_user(u, None).unwrap();
    }
    let core = team("core");
    store.create_team(&core).unwrap();
    for u in [&alice, &bob, &carol] {
        store.add_team_member(&core.id, &u.id, "team_user").unwrap();
    }
    let town = channel(&core.id, "town", "Town", "O");
    store.create_channel(&town).unwrap();
    store.add_channel_member(&town.id, &alice.id, 1).unwrap();
    store.add_channel_member(&town.id, &bob.id, 2).unwrap();
    let direct = channel("", &format!("{}__{}", alice.id, dave.id), "", "D");
    store.create_channel(&direct).unwrap();
    store.add_channel_member(&direct.id, &alice.id, 1).unwrap();
    store.add_channel_member(&direct.id, &dave.id, 1).unwrap();
    World {
        _dir: dir,
        store,
        alice,
        bob,
        carol,
        dave,
        core,
        town,
    }
}

fn names(store: &SqliteStore, query: UserQuery) -> Vec<String> {
    store
        .search_users(&UserQuery {
            limit: if query.limit == 0 { 100 } else { query.limit },
            ..query
        })
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect()
}

#[test]
fn filters_narrow_and_results_sort_by_username() {
    let w = world();
    let s = &w.store;
    assert_eq!(
        names(s, UserQuery::default()),
        ["alice", "bob_ops", "carol", "dave", "erin"]
    );
    let in_core = UserQuery {
        in_team: Some(w.core.id.clone()),
        ..Default::default()
    };
    assert_eq!(names(s, in_core.clone()), ["alice", "bob_ops", "carol"]);
    assert_eq!(
        names(
            s,
            UserQuery {
                in_channel: Some(w.town.id.clone()),
                ..Default::default()
            }
        ),
        ["alice", "bob_ops"]
    );
    assert_eq!(
        names(
            s,
            UserQuery {
                not_in_channel: Some(w.town.id.clone()),
                ..in_core.clone()
            }
        ),
        ["carol"]
    );
    assert_eq!(
        names(
            s,
            UserQuery {
                active: Some(true),
                ..in_core.clone()
            }
        ),
        ["alice", "bob_ops"]
    );
    assert_eq!(
        names(
            s,
            UserQuery {
                active: Some(false),
                ..Default::default()
            }
        ),
        ["carol"]
    );
    // Paging.
    assert_eq!(
        names(
            s,
            UserQuery {
                offset: 1,
                limit: 1,
                ..in_core
            }
        ),
        ["bob_ops"]
    );
}

#[test]
fn visibility_is_shared_teams_and_channels() {
    let w = world();
    let visible = |id: &str| {
        names(
            &w.store,
            UserQuery {
                visible_to: Some(id.to_string()),
                ..Default::default()
            },
        )
    };
    assert_eq!(visible(&w.alice.id), ["alice", "bob_ops", "carol", "dave"]);
    assert_eq!(visible(&w.bob.id), ["alice", "bob_ops", "carol"]);
    assert_eq!(visible(&w.dave.id), ["alice", "dave"], "through the DM");
    let erin = w.store.user_by_username("erin").unwrap().unwrap();
    assert_eq!(visible(&erin.id), ["erin"], "only themself");
    assert_eq!(visible(&w.carol.id), ["alice", "bob_ops", "carol"]);
}

#[test]
fn terms_match_name_prefixes_case_insensitively() {
    let w = world();
    let term = |t: &str| {
        names(
            &w.store,
            UserQuery {
                term: t.into(),
                ..Default::default()
            },
        )
    };
    assert_eq!(term("AL"), ["alice"], "username prefix, any case");
    assert_eq!(term("zed"), ["alice"], "last name");
    assert_eq!(term("bobby"), ["bob_ops"], "nickname");
    assert_eq!(
        term("carol smi"),
        ["carol"],
        "every word matches some field"
    );
    assert!(term("carol zed").is_empty());
    assert!(term("lice").is_empty(), "prefix, not substring");
    assert_eq!(term("bob_"), ["bob_ops"]);
    assert!(term("b_b").is_empty(), "_ is not a wildcard");
    assert!(term("%").is_empty(), "% is not a wildcard");
    assert_eq!(term("  "), ["alice", "bob_ops", "carol", "dave", "erin"]);
}

#[test]
fn listed_teams_are_open_or_joined() {
    let w = world();
    let s = &w.store;
    let invite = Team {
        team_type: "I".into(),
        display_name: "AAA invite".into(),
        ..team("invite")
    };
    let other_invite = Team {
        team_type: "I".into(),
        ..team("hidden")
    };
    let gone = Team {
        delete_at: 9,
        ..team("gone")
    };
    for t in [&invite, &other_invite, &gone] {
        s.create_team(t).unwrap();
    }
    s.add_team_member(&invite.id, &w.bob.id, "team_user")
        .unwrap();
    let listed = |member: Option<&str>, offset, limit| -> Vec<String> {
        s.listed_teams(member, offset, limit)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    assert_eq!(listed(Some(&w.bob.id), 0, 10), ["invite", "core"]);
    assert_eq!(listed(Some(&w.alice.id), 0, 10), ["core"]);
    assert_eq!(listed(None, 0, 10), ["invite", "core", "hidden"]);
    assert_eq!(listed(None, 1, 1), ["core"]);
}

#[test]
fn team_members_page_by_username_with_roles() {
    let w = world();
    let s = &w.store;
    s.add_team_member(&w.core.id, &w.dave.id, "team_user team_admin")
        .unwrap();
    let all = s.team_members(&w.core.id, 0, 10).unwrap();
    let users: Vec<_> = all.iter().map(|m| m.user_id.clone()).collect();
    assert_eq!(
        users,
        [
            w.alice.id.clone(),
            w.bob.id.clone(),
            w.carol.id.clone(),
            w.dave.id.clone()
        ]
    );
    assert_eq!(all[3].roles, "team_user team_admin");
    assert!(all.iter().all(|m| m.team_id == w.core.id));
    assert_eq!(s.team_members(&w.core.id, 3, 10).unwrap().len(), 1);
    assert!(s.team_members("nope", 0, 10).unwrap().is_empty());
}
