use serde_json::json;

use super::*;
use crate::model::new_id;
use crate::sqlite::tests::temp_store;

pub(super) fn user(name: &str) -> User {
    User {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        username: name.into(),
        email: format!("{name}@example.com"),
        roles: "system_user".into(),
        locale: "en".into(),
        ..Default::default()
    }
}

pub(super) fn team(name: &str) -> Team {
    Team {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        display_name: name.to_uppercase(),
        name: name.into(),
        team_type: "O".into(),
        ..Default::default()
    }
}

pub(super) fn channel(
    team_id: &str,
    name: &str,
    display_name: &str,
    channel_type: &str,
) -> Channel {
    Channel {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        team_id: team_id.into(),
        channel_type: channel_type.into(),
        display_name: display_name.into(),
        name: name.into(),
        ..Default::default()
    }
}

pub(super) fn post(channel_id: &str, user_id: &str, at: i64, message: &str) -> Post {
    Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        channel_id: channel_id.into(),
        user_id: user_id.into(),
        message: message.into(),
        ..Default::default()
    }
}

fn reply(root: &Post, at: i64, message: &str) -> Post {
    Post {
        root_id: root.id.clone(),
        ..post(&root.channel_id, &root.user_id, at, message)
    }
}

/// A store with one user in one team and one open channel.
pub(super) fn fixture() -> (tempfile::TempDir, SqliteStore, User, Team, Channel) {
    let (dir, store) = temp_store();
    let alice = user("alice");
    store.create_user(&alice, Some("hash")).unwrap();
    let team = team("core");
    store.create_team(&team).unwrap();
    let town = channel(&team.id, "town-square", "Town Square", "O");
    store.create_channel(&town).unwrap();
    (dir, store, alice, team, town)
}

fn messages(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.message.as_str()).collect()
}

// --- users ---------------------------------------------------------------------

#[test]
fn users_roundtrip_lookup_and_update() {
    let (_dir, store) = temp_store();
    let mut alice = user("alice");
    alice.nickname = "Al".into();
    store.create_user(&alice, Some("$argon2id$hash")).unwrap();
    assert_eq!(store.user(&alice.id).unwrap().as_ref(), Some(&alice));
    assert_eq!(
        store.user_by_username("alice").unwrap().as_ref(),
        Some(&alice)
    );
    assert_eq!(
        store.user_by_email("alice@example.com").unwrap().as_ref(),
        Some(&alice)
    );
    assert_eq!(store.user("nope").unwrap(), None);
    assert_eq!(store.user_by_username("bob").unwrap(), None);
    assert_eq!(
        store.password_hash(&alice.id).unwrap().as_deref(),
        Some("$argon2id$hash")
    );
    assert_eq!(store.password_hash("nope").unwrap(), None);

    let mut changed = alice.clone();
    changed.username = "alicia".into();
    changed.roles = "system_user system_admin".into();
    changed.update_at = 5;
    changed.create_at = 999; // not updatable
    store.update_user(&changed).unwrap();
    let stored = store.user(&alice.id).unwrap().unwrap();
    assert_eq!(stored.username, "alicia");
    assert!(stored.is_system_admin());
    assert_eq!(stored.update_at, 5);
    assert_eq!(stored.create_at, 1);
    assert_eq!(store.user_by_username("alice").unwrap(), None);
    // The password is untouched by updates.
    assert_eq!(
        store.password_hash(&alice.id).unwrap().as_deref(),
        Some("$argon2id$hash")
    );

    assert_eq!(store.update_user(&user("ghost")), Err(StoreError::NotFound));
}

#[test]
fn user_uniqueness_conflicts() {
    let (_dir, store) = temp_store();
    let alice = user("alice");
    store.create_user(&alice, None).unwrap();
    let same_name = User {
        email: "other@example.com".into(),
        ..user("alice")
    };
    assert_eq!(
        store.create_user(&same_name, None),
        Err(StoreError::Conflict("username".into()))
    );
    let same_email = User {
        email: alice.email.clone(),
        ..user("bob")
    };
    assert_eq!(
        store.create_user(&same_email, None),
        Err(StoreError::Conflict("email".into()))
    );
    let same_id = User {
        id: alice.id.clone(),
        ..user("carol")
    };
    assert_eq!(
        store.create_user(&same_id, None),
        Err(StoreError::Conflict("user id".into()))
    );
    let bob = user("bob");
    store.create_user(&bob, None).unwrap();
    let renamed = User {
        username: "alice".into(),
        ..bob.clone()
    };
    assert_eq!(
        store.update_user(&renamed),
        Err(StoreError::Conflict("username".into()))
    );
    assert_eq!(store.password_hash(&bob.id).unwrap(), None);
}

#[test]
fn users_by_ids_skips_missing_and_duplicates() {
    let (_dir, store) = temp_store();
    let a = user("a");
    let b = user("b");
    store.create_user(&a, None).unwrap();
    store.create_user(&b, None).unwrap();
    let ids = vec![b.id.clone(), "missing".into(), a.id.clone(), b.id.clone()];
    let found: Vec<_> = store
        .users_by_ids(&ids)
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(found, vec![b.id.clone(), a.id.clone()]);
    assert!(store.users_by_ids(&[]).unwrap().is_empty());
}

#[test]
fn user_count_leaves_out_bots() {
    let (_dir, store) = temp_store();
    assert_eq!(store.user_count().unwrap(), 0);
    store
        .create_plugin_bot("com.example.bot", &user("examplebot"))
        .unwrap();
    assert_eq!(store.user_count().unwrap(), 0);
    store.create_user(&user("alice"), None).unwrap();
    store
        .create_user(
            &User {
                delete_at: 5,
                ..user("gone")
            },
            None,
        )
        .unwrap();
    assert_eq!(store.user_count().unwrap(), 2);
}

// --- plugin bots -----------------------------------------------------------------

#[test]
fn plugin_bot_is_created_in_one_transaction() {
    let (_dir, store) = temp_store();
    assert_eq!(store.plugin_bot("p").unwrap(), None);
    let bot = user("pbot");
    store.create_plugin_bot("p", &bot).unwrap();
    assert_eq!(store.plugin_bot("p").unwrap(), Some(bot.id.clone()));
    let stored = store.user(&bot.id).unwrap().unwrap();
    assert!(stored.is_bot);
    assert_eq!(store.password_hash(&bot.id).unwrap(), None);

    // Username taken: neither the user nor the link is written.
    let clash = User {
        email: "x@example.com".into(),
        ..user("pbot")
    };
    assert_eq!(
        store.create_plugin_bot("q", &clash),
        Err(StoreError::Conflict("username".into()))
    );
    assert_eq!(store.plugin_bot("q").unwrap(), None);
    assert_eq!(store.user(&clash.id).unwrap(), None);

    // A second bot for the same plugin: the user insert is rolled back too.
    let second = user("pbot2");
    assert_eq!(
        store.create_plugin_bot("p", &second),
        Err(StoreError::Conflict("plugin bot".into()))
    );
    assert_eq!(store.user(&second.id).unwrap(), None);
    assert_eq!(store.plugin_bot("p").unwrap(), Some(bot.id));
}

// --- teams -------------------------------------------------------------------------

#[test]
fn teams_membership_and_conflicts() {
    let (_dir, store, alice, core, _town) = fixture();
    assert_eq!(store.team(&core.id).unwrap().as_ref(), Some(&core));
    assert_eq!(store.team_by_name("core").unwrap().as_ref(), Some(&core));
    assert_eq!(store.team("nope").unwrap(), None);
    assert_eq!(
        store.create_team(&team("core")),
        Err(StoreError::Conflict("team name".into()))
    );

    let beta = Team {
        display_name: "Alpha".into(),
        ..team("beta")
    };
    store.create_team(&beta).unwrap();
    assert!(!store.is_team_member(&core.id, &alice.id).unwrap());
    store
        .add_team_member(&core.id, &alice.id, "team_user team_admin")
        .unwrap();
    store
        .add_team_member(&core.id, &alice.id, "team_user")
        .unwrap();
    store
        .add_team_member(&beta.id, &alice.id, "team_user")
        .unwrap();
    assert!(store.is_team_member(&core.id, &alice.id).unwrap());
    let teams: Vec<_> = store
        .teams_for_user(&alice.id)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(teams, vec!["beta", "core"], "ordered by display name");
    assert!(store.teams_for_user("nobody").unwrap().is_empty());
    // The first roles are kept.
    let roles: String = store
        .read(|tx| {
            Ok(tx.query_row(
                "SELECT roles FROM team_members WHERE team_id = ?1 AND user_id = ?2",
                params![core.id, alice.id],
                |row| row.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(roles, "team_user team_admin");
    assert_eq!(
        store
            .team_member_roles(&core.id, &alice.id)
            .unwrap()
            .as_deref(),
        Some("team_user team_admin")
    );
    assert_eq!(store.team_member_roles(&core.id, "nobody").unwrap(), None);
    // References are enforced.
    assert_eq!(
        store.add_team_member("no-team", &alice.id, ""),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.add_team_member(&core.id, "no-user", ""),
        Err(StoreError::NotFound)
    );
}

// --- channels ------------------------------------------------------------------------

#[test]
fn channels_create_update_and_name_conflicts() {
    let (_dir, store, _alice, core, town) = fixture();
    assert_eq!(store.channel(&town.id).unwrap().as_ref(), Some(&town));
    assert_eq!(
        store
            .channel_by_name(&core.id, "town-square")
            .unwrap()
            .as_ref(),
        Some(&town)
    );
    assert_eq!(store.channel_by_name("", "town-square").unwrap(), None);
    assert_eq!(
        store.create_channel(&channel(&core.id, "town-square", "Again", "O")),
        Err(StoreError::Conflict("channel name".into()))
    );
    let other_team = team("other");
    store.create_team(&other_team).unwrap();
    store
        .create_channel(&channel(&other_team.id, "town-square", "Town", "O"))
        .unwrap();
    assert_eq!(
        store.create_channel(&Channel {
            name: "x".into(),
            ..town.clone()
        }),
        Err(StoreError::Conflict("channel id".into()))
    );

    let mut changed = town.clone();
    changed.display_name = "Town Hall".into();
    changed.header = "h".into();
    changed.purpose = "p".into();
    changed.delete_at = 9;
    changed.update_at = 9;
    changed.name = "renamed".into(); // not updatable
    changed.total_msg_count = 77; // not updatable
    store.update_channel(&changed).unwrap();
    let stored = store.channel(&town.id).unwrap().unwrap();
    assert_eq!(
        (
            stored.display_name.as_str(),
            stored.header.as_str(),
            stored.purpose.as_str()
        ),
        ("Town Hall", "h", "p")
    );
    assert_eq!((stored.delete_at, stored.update_at), (9, 9));
    assert_eq!(
        (stored.name.as_str(), stored.total_msg_count),
        ("town-square", 0)
    );
    assert_eq!(
        store.update_channel(&channel(&core.id, "x", "x", "O")),
        Err(StoreError::NotFound)
    );
}

#[test]
fn channel_members_add_remove_and_page_by_join_time() {
    let (_dir, store, alice, _core, town) = fixture();
    let bob = user("bob");
    let carol = user("carol");
    store.create_user(&bob, None).unwrap();
    store.create_user(&carol, None).unwrap();
    assert!(store.add_channel_member(&town.id, &carol.id, 30).unwrap());
    assert!(store.add_channel_member(&town.id, &alice.id, 10).unwrap());
    assert!(store.add_channel_member(&town.id, &bob.id, 20).unwrap());
    assert!(!store.add_channel_member(&town.id, &bob.id, 40).unwrap());
    assert!(store.is_channel_member(&town.id, &bob.id).unwrap());
    let all = store.channel_members(&town.id, 0, 10).unwrap();
    assert_eq!(
        all,
        vec![alice.id.clone(), bob.id.clone(), carol.id.clone()]
    );
    assert_eq!(
        store.channel_members(&town.id, 1, 1).unwrap(),
        vec![bob.id.clone()]
    );
    assert!(store.channel_members(&town.id, 3, 10).unwrap().is_empty());
    assert!(store.remove_channel_member(&town.id, &bob.id).unwrap());
    assert!(!store.remove_channel_member(&town.id, &bob.id).unwrap());
    assert!(!store.is_channel_member(&town.id, &bob.id).unwrap());
    assert_eq!(
        store.add_channel_member("no-channel", &bob.id, 1),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.add_channel_member(&town.id, "no-user", 1),
        Err(StoreError::NotFound)
    );
}

#[test]
fn channels_for_user_include_direct_channels_but_not_other_teams() {
    let (_dir, store, alice, core, town) = fixture();
    let bob = user("bob");
    store.create_user(&bob, None).unwrap();
    let other = team("other");
    store.create_team(&other).unwrap();
    let elsewhere = channel(&other.id, "elsewhere", "Elsewhere", "O");
    let private = channel(&core.id, "secret", "Secret", "P");
    let not_mine = channel(&core.id, "not-mine", "Not Mine", "O");
    let direct = channel("", &format!("{}__{}", alice.id, bob.id), "", "D");
    let bobs_direct = channel("", "bob__someone", "", "D");
    for c in [&elsewhere, &private, &not_mine, &direct, &bobs_direct] {
        store.create_channel(c).unwrap();
    }
    for c in [&town, &elsewhere, &private, &direct] {
        store.add_channel_member(&c.id, &alice.id, 1).unwrap();
    }
    store
        .add_channel_member(&bobs_direct.id, &bob.id, 1)
        .unwrap();
    let mut ids: Vec<_> = store
        .channels_for_user(&core.id, &alice.id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    let mut expected = vec![town.id.clone(), private.id.clone(), direct.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    let in_other: Vec<_> = store
        .channels_for_user(&other.id, &alice.id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert!(in_other.contains(&elsewhere.id) && in_other.contains(&direct.id));
    assert_eq!(in_other.len(), 2);
}

#[test]
fn public_channels_are_open_unarchived_and_sorted() {
    let (_dir, store, _alice, core, town) = fixture();
    let zed = channel(&core.id, "zed", "Zed", "O");
    let apple = channel(&core.id, "apple", "Apple", "O");
    let private = channel(&core.id, "private", "Private", "P");
    let archived = Channel {
        delete_at: 5,
        ..channel(&core.id, "archived", "Archived", "O")
    };
    let other = team("other");
    store.create_team(&other).unwrap();
    let foreign = channel(&other.id, "foreign", "Foreign", "O");
    for c in [&zed, &apple, &private, &archived, &foreign] {
        store.create_channel(c).unwrap();
    }
    let names = |offset, limit| -> Vec<String> {
        store
            .public_channels(&core.id, offset, limit)
            .unwrap()
            .into_iter()
            .map(|c| c.display_name)
            .collect()
    };
    assert_eq!(
        names(0, 10),
        vec!["Apple", town.display_name.as_str(), "Zed"]
    );
    assert_eq!(names(1, 1), vec![town.display_name.as_str()]);
    assert!(names(3, 10).is_empty());
}

// --- posts ---------------------------------------------------------------------------

#[test]
fn create_post_roundtrips_and_bumps_the_channel() {
    let (_dir, store, alice, _core, town) = fixture();
    let mut first = post(&town.id, &alice.id, 100, "hello");
    first.props = json!({"from_bot": "true", "attachments": [{"text": "x"}]})
        .as_object()
        .cloned()
        .unwrap();
    // Files must be the author's own unattached uploads to the channel.
    for id in ["f1", "f2"] {
        crate::ports::FileStore::create_file_info(
            &store,
            &crate::ports::files::FileInfo {
                id: id.into(),
                user_id: alice.id.clone(),
                channel_id: town.id.clone(),
                name: format!("{id}.txt"),
                path: format!("f/{id}/content"),
                ..Default::default()
            },
        )
        .unwrap();
    }
    first.file_ids = vec!["f1".into(), "f2".into()];
    first.post_type = "custom_test".into();
    first.hashtags = "#tag".into();
    first.is_pinned = true;
    first.reply_count = 42; // ignored: computed on read
    store.create_post(&first).unwrap();
    let stored = store.post(&first.id).unwrap().unwrap();
    assert_eq!(
        stored,
        Post {
            reply_count: 0,
            ..first.clone()
        }
    );

    // An older post does not move last_post_at back.
    store
        .create_post(&post(&town.id, &alice.id, 50, "late arrival"))
        .unwrap();
    let channel = store.channel(&town.id).unwrap().unwrap();
    assert_eq!((channel.last_post_at, channel.total_msg_count), (100, 2));
    store.create_post(&reply(&first, 150, "re")).unwrap();
    let channel = store.channel(&town.id).unwrap().unwrap();
    assert_eq!((channel.last_post_at, channel.total_msg_count), (150, 3));

    assert_eq!(
        store.create_post(&first),
        Err(StoreError::Conflict("post id".into()))
    );
    assert_eq!(store.channel(&town.id).unwrap().unwrap().total_msg_count, 3);
    let orphan = post("no-such-channel", &alice.id, 1, "x");
    assert_eq!(store.create_post(&orphan), Err(StoreError::NotFound));
    assert_eq!(store.post(&orphan.id).unwrap(), None);
    assert_eq!(store.post("nope").unwrap(), None);
}

#[test]
fn update_post_replaces_editable_fields_only() {
    let (_dir, store, alice, _core, town) = fixture();
    let original = post(&town.id, &alice.id, 100, "before");
    store.create_post(&original).unwrap();
    let mut edited = original.clone();
    edited.message = "after".into();
    edited.props = json!({"k": 1}).as_object().cloned().unwrap();
    edited.post_type = "custom_edit".into();
    edited.is_pinned = true;
    edited.edit_at = 200;
    edited.update_at = 200;
    edited.user_id = "someone-else".into(); // not updatable
    store.update_post(&edited).unwrap();
    let stored = store.post(&original.id).unwrap().unwrap();
    assert_eq!(
        stored,
        Post {
            user_id: alice.id.clone(),
            ..edited
        }
    );
    assert_eq!(
        store.update_post(&post(&town.id, &alice.id, 1, "x")),
        Err(StoreError::NotFound)
    );
}

#[test]
fn reply_count_and_thread_order() {
    let (_dir, store, alice, _core, town) = fixture();
    let root = post(&town.id, &alice.id, 100, "root");
    store.create_post(&root).unwrap();
    let r3 = reply(&root, 300, "third");
    let r1 = reply(&root, 110, "first");
    let r2 = reply(&root, 200, "second");
    for r in [&r3, &r1, &r2] {
        store.create_post(r).unwrap();
    }
    store
        .create_post(&post(&town.id, &alice.id, 250, "unrelated"))
        .unwrap();
    assert_eq!(store.post(&root.id).unwrap().unwrap().reply_count, 3);
    // Replies carry their thread's count, as in Mattermost.
    assert_eq!(store.post(&r1.id).unwrap().unwrap().reply_count, 3);

    let thread = store.thread(&root.id).unwrap();
    assert_eq!(messages(&thread), vec!["root", "first", "second", "third"]);
    // Asking with a reply's id gives the same thread.
    assert_eq!(messages(&store.thread(&r2.id).unwrap()), messages(&thread));

    store.delete_post(&r2.id, 400).unwrap();
    assert_eq!(store.post(&root.id).unwrap().unwrap().reply_count, 2);
    assert_eq!(
        messages(&store.thread(&root.id).unwrap()),
        vec!["root", "first", "third"]
    );
    assert!(store.thread("nope").unwrap().is_empty());
}

#[test]
fn deleting_a_root_deletes_its_replies() {
    let (_dir, store, alice, _core, town) = fixture();
    let root = post(&town.id, &alice.id, 100, "root");
    let keep = post(&town.id, &alice.id, 120, "keep");
    store.create_post(&root).unwrap();
    store.create_post(&keep).unwrap();
    let early = reply(&root, 110, "early");
    store.create_post(&early).unwrap();
    store.create_post(&reply(&root, 130, "late")).unwrap();
    store
        .create_post(&reply(&keep, 140, "other thread"))
        .unwrap();
    store.delete_post(&early.id, 150).unwrap();
    store.delete_post(&root.id, 500).unwrap();

    let stored_root = store.post(&root.id).unwrap().unwrap();
    assert_eq!((stored_root.delete_at, stored_root.update_at), (500, 500));
    assert_eq!(stored_root.reply_count, 0);
    // The reply deleted earlier keeps its own deletion time.
    assert_eq!(store.post(&early.id).unwrap().unwrap().delete_at, 150);
    let visible = store
        .channel_posts(&town.id, &PostQuery::default())
        .unwrap();
    assert_eq!(messages(&visible), vec!["other thread", "keep"]);
    let thread = store.thread(&root.id).unwrap();
    assert_eq!(
        messages(&thread),
        vec!["root"],
        "root returned, replies gone"
    );
    assert_eq!(thread[0].delete_at, 500);
    // Deleting a reply leaves the root alone; deleting twice is fine.
    store.delete_post(&early.id, 600).unwrap();
    assert_eq!(store.post(&early.id).unwrap().unwrap().delete_at, 150);
    assert_eq!(store.delete_post("nope", 1), Err(StoreError::NotFound));
}

/// Ten posts "m0".."m9" at times 10, 20, ..., 100 in `town`.
fn ten_posts(store: &SqliteStore, alice: &User, town: &Channel) -> Vec<Post> {
    (0..10)
        .map(|i| {
            let p = post(&town.id, &alice.id, (i + 1) * 10, &format!("m{i}"));
            store.create_post(&p).unwrap();
            p
        })
        .collect()
}

fn page(page: u32, per_page: u32) -> PostQuery {
    PostQuery {
        page,
        per_page,
        ..Default::default()
    }
}

#[test]
fn channel_posts_pages_newest_first() {
    let (_dir, store, alice, core, town) = fixture();
    ten_posts(&store, &alice, &town);
    let other = channel(&core.id, "other", "Other", "O");
    store.create_channel(&other).unwrap();
    store
        .create_post(&post(&other.id, &alice.id, 55, "elsewhere"))
        .unwrap();

    assert_eq!(
        messages(&store.channel_posts(&town.id, &page(0, 4)).unwrap()),
        ["m9", "m8", "m7", "m6"]
    );
    assert_eq!(
        messages(&store.channel_posts(&town.id, &page(1, 4)).unwrap()),
        ["m5", "m4", "m3", "m2"]
    );
    assert_eq!(
        messages(&store.channel_posts(&town.id, &page(2, 4)).unwrap()),
        ["m1", "m0"]
    );
    assert!(
        store
            .channel_posts(&town.id, &page(3, 4))
            .unwrap()
            .is_empty()
    );
    // per_page 0 means the default page size.
    assert_eq!(
        store.channel_posts(&town.id, &page(0, 0)).unwrap().len(),
        10
    );
    assert!(
        store
            .channel_posts("nope", &page(0, 10))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn channel_posts_exclude_deleted_unless_asked() {
    let (_dir, store, alice, _core, town) = fixture();
    let posts = ten_posts(&store, &alice, &town);
    store.delete_post(&posts[9].id, 1000).unwrap();
    store.delete_post(&posts[5].id, 1000).unwrap();
    let visible = store.channel_posts(&town.id, &page(0, 3)).unwrap();
    assert_eq!(messages(&visible), ["m8", "m7", "m6"]);
    let all = PostQuery {
        include_deleted: true,
        ..page(0, 3)
    };
    assert_eq!(
        messages(&store.channel_posts(&town.id, &all).unwrap()),
        ["m9", "m8", "m7"]
    );
    let before = PostQuery {
        before: Some(posts[7].id.clone()),
        ..page(0, 2)
    };
    assert_eq!(
        messages(&store.channel_posts(&town.id, &before).unwrap()),
        ["m6", "m4"]
    );
}

#[test]
fn channel_posts_before_and_after_a_post() {
    let (_dir, store, alice, _core, town) = fixture();
    let posts = ten_posts(&store, &alice, &town);
    let anchor = posts[5].id.clone(); // m5

    let before = |page_no, per_page| PostQuery {
        before: Some(anchor.clone()),
        ..page(page_no, per_page)
    };
    assert_eq!(
        messages(&store.channel_posts(&town.id, &before(0, 2)).unwrap()),
        ["m4", "m3"]
    );
    assert_eq!(
        messages(&store.channel_posts(&town.id, &before(1, 2)).unwrap()),
        ["m2", "m1"]
    );
    assert_eq!(
        messages(&store.channel_posts(&town.id, &before(2, 2)).unwrap()),
        ["m0"]
    );

    // `after` returns the posts right after the anchor, newest first.
    let after = |page_no, per_page| PostQuery {
        after: Some(anchor.clone()),
        ..page(page_no, per_page)
    };
    assert_eq!(
        messages(&store.channel_posts(&town.id, &after(0, 2)).unwrap()),
        ["m7", "m6"]
    );
    assert_eq!(
        messages(&store.channel_posts(&town.id, &after(1, 2)).unwrap()),
        ["m9", "m8"]
    );
    assert!(
        store
            .channel_posts(&town.id, &after(2, 2))
            .unwrap()
            .is_empty()
    );

    // Posts sharing the anchor's create_at are ordered by id, never lost.
    let twin = Post {
        id: format!("{}z", posts[5].id),
        ..post(&town.id, &alice.id, 60, "twin")
    };
    store.create_post(&twin).unwrap();
    let around = |q: PostQuery| messages(&store.channel_posts(&town.id, &q).unwrap()).join(",");
    assert_eq!(around(after(0, 1)), "twin");
    assert_eq!(
        around(PostQuery {
            before: Some(twin.id.clone()),
            ..page(0, 1)
        }),
        "m5"
    );

    // Unknown or empty anchors.
    let unknown = PostQuery {
        before: Some("nope".into()),
        ..page(0, 5)
    };
    assert!(store.channel_posts(&town.id, &unknown).unwrap().is_empty());
    let empty = PostQuery {
        after: Some(String::new()),
        ..page(0, 2)
    };
    assert_eq!(around(empty), "m9,m8");
}

#[test]
fn channel_posts_since_includes_updates_and_deletions() {
    let (_dir, store, alice, _core, town) = fixture();
    let posts = ten_posts(&store, &alice, &town);
    // m2 edited and m3 deleted late; m8 and m9 are new since 85.
    let mut edited = posts[2].clone();
    edited.message = "m2 edited".into();
    edited.edit_at = 500;
    edited.update_at = 500;
    store.update_post(&edited).unwrap();
    store.delete_post(&posts[3].id, 600).unwrap();
    let since = PostQuery {
        since: Some(85),
        ..page(0, 1)
    };
    let got = store.channel_posts(&town.id, &since).unwrap();
    assert_eq!(
        messages(&got),
        ["m9", "m8", "m3", "m2 edited"],
        "per_page does not apply"
    );
    assert_eq!(got[2].delete_at, 600);
    assert!(
        store
            .channel_posts(
                &town.id,
                &PostQuery {
                    since: Some(600),
                    ..page(0, 60)
                }
            )
            .unwrap()
            .is_empty()
    );
}

// --- commands --------------------------------------------------------------------------

#[test]
fn commands_register_replace_conflict_and_unregister() {
    let (_dir, store) = temp_store();
    let weather = CommandRegistration {
        plugin_id: "p".into(),
        trigger: "weather".into(),
        display_name: "Weather".into(),
        description: "Shows the weather".into(),
        auto_complete: true,
        auto_complete_desc: "desc".into(),
        auto_complete_hint: "[city]".into(),
        autocomplete_data: r#"{"Trigger":"weather"}"#.into(),
    };
    store.register_command(&weather).unwrap();
    assert_eq!(store.command("weather").unwrap().as_ref(), Some(&weather));
    let updated = CommandRegistration {
        description: "v2".into(),
        ..weather.clone()
    };
    store.register_command(&updated).unwrap();
    assert_eq!(store.command("weather").unwrap().unwrap().description, "v2");
    let stolen = CommandRegistration {
        plugin_id: "q".into(),
        ..weather.clone()
    };
    assert_eq!(
        store.register_command(&stolen),
        Err(StoreError::Conflict("command trigger".into()))
    );
    let alpha = CommandRegistration {
        plugin_id: "q".into(),
        trigger: "alpha".into(),
        ..Default::default()
    };
    store.register_command(&alpha).unwrap();
    let triggers: Vec<_> = store
        .commands()
        .unwrap()
        .into_iter()
        .map(|c| c.trigger)
        .collect();
    assert_eq!(triggers, vec!["alpha", "weather"]);
    assert!(
        !store.unregister_command("q", "weather").unwrap(),
        "not q's command"
    );
    assert!(store.unregister_command("p", "weather").unwrap());
    assert!(!store.unregister_command("p", "weather").unwrap());
    assert_eq!(store.command("weather").unwrap(), None);
    // Free again: another plugin may take it.
    store.register_command(&stolen).unwrap();
    assert_eq!(store.command("weather").unwrap().unwrap().plugin_id, "q");
}

// --- durability ---------------------------------------------------------------------------

#[test]
fn chat_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.db");
    let alice = user("alice");
    let core = team("core");
    let town = channel(&core.id, "town-square", "Town Square", "O");
    let hello = post(&town.id, &alice.id, 10, "hello");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.create_user(&alice, Some("hash")).unwrap();
        store.create_team(&core).unwrap();
        store
            .add_team_member(&core.id, &alice.id, "team_user")
            .unwrap();
        store.create_channel(&town).unwrap();
        store.add_channel_member(&town.id, &alice.id, 5).unwrap();
        store.create_post(&hello).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.user(&alice.id).unwrap(), Some(alice.clone()));
    assert_eq!(
        store.password_hash(&alice.id).unwrap().as_deref(),
        Some("hash")
    );
    assert!(store.is_team_member(&core.id, &alice.id).unwrap());
    assert!(store.is_channel_member(&town.id, &alice.id).unwrap());
    assert_eq!(store.post(&hello.id).unwrap(), Some(hello));
    assert_eq!(store.channel(&town.id).unwrap().unwrap().total_msg_count, 1);
}

#[test]
fn only_the_first_signed_up_person_gets_the_first_roles() {
    let (_dir, store) = temp_store();
    store
        .create_plugin_bot("com.example.bot", &user("examplebot"))
        .unwrap();
    let first = store
        .create_signed_up_user(&user("alice"), "hash", "system_admin system_user", false)
        .unwrap()
        .unwrap();
    assert_eq!(first.roles, "system_admin system_user");
    // Closed sign-up: only the first may sign up.
    assert_eq!(
        store
            .create_signed_up_user(&user("bob"), "hash", "system_admin system_user", true)
            .unwrap(),
        None
    );
    assert!(store.user_by_username("bob").unwrap().is_none());
    let second = store
        .create_signed_up_user(&user("carol"), "hash", "system_admin system_user", false)
        .unwrap()
        .unwrap();
    assert_eq!(second.roles, user("carol").roles);
    assert_eq!(
        store.password_hash(&second.id).unwrap().as_deref(),
        Some("hash")
    );
}
