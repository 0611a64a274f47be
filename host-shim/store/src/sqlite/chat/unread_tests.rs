//! Memberships with unread counters: reads, mark viewed, mentions, the
//! post transaction's side effects, and the upgrade from schema version 2.

use rusqlite::Connection;

use super::tests::{channel, fixture, post, team, user};
use super::*;
use crate::sqlite::schema::MIGRATIONS;

fn member(store: &SqliteStore, channel_id: &str, user_id: &str) -> ChannelMembership {
    store
        .channel_member(channel_id, user_id)
        .unwrap()
        .unwrap_or_else(|| panic!("{user_id} is not a member of {channel_id}"))
}

/// `fixture()` plus bob and carol; alice and bob are members of town.
fn with_bob() -> (tempfile::TempDir, SqliteStore, User, User, User, Channel) {
    let (dir, store, alice, _core, town) = fixture();
    let bob = user("bob");
    let carol = user("carol");
    store.create_user(&bob, None).unwrap();
    store.create_user(&carol, None).unwrap();
    store.add_channel_member(&town.id, &alice.id, 10).unwrap();
    store.add_channel_member(&town.id, &bob.id, 20).unwrap();
    (dir, store, alice, bob, carol, town)
}

#[test]
fn a_new_membership_has_zero_counters() {
    let (_dir, store, alice, bob, carol, town) = with_bob();
    assert_eq!(
        member(&store, &town.id, &bob.id),
        ChannelMembership {
            channel_id: town.id.clone(),
            user_id: bob.id.clone(),
            joined_at: 20,
            last_viewed_at: 0,
            msg_count: 0,
            mention_count: 0,
            last_update_at: 20,
        }
    );
    assert_eq!(store.channel_member(&town.id, &carol.id).unwrap(), None);
    assert_eq!(store.channel_member("no-channel", &alice.id).unwrap(), None);
    let page: Vec<_> = store
        .channel_memberships(&town.id, 0, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(page, vec![alice.id.clone(), bob.id.clone()], "join order");
    let second = store.channel_memberships(&town.id, 1, 1).unwrap();
    assert_eq!(second, vec![member(&store, &town.id, &bob.id)]);
}

#[test]
fn a_post_mentions_members_only_and_marks_its_author_read() {
    let (_dir, store, alice, bob, carol, town) = with_bob();
    let first = post(&town.id, &alice.id, 100, "hi @bob @carol @alice");
    let mentioned = store
        .create_post_with(
            &first,
            &PostEffects {
                mention_user_ids: vec![
                    bob.id.clone(),
                    carol.id.clone(),
                    alice.id.clone(),
                    bob.id.clone(),
                ],
                mention_all_members: false,
                author_viewed: true,
            },
        )
        .unwrap();
    assert_eq!(
        mentioned,
        vec![bob.id.clone()],
        "not carol (no member), not the author"
    );
    let channel = store.channel(&town.id).unwrap().unwrap();
    assert_eq!(channel.total_msg_count, 1);
    let b = member(&store, &town.id, &bob.id);
    assert_eq!((b.msg_count, b.mention_count, b.last_viewed_at), (0, 1, 0));
    assert_eq!(b.last_update_at, 100);
    let a = member(&store, &town.id, &alice.id);
    assert_eq!(
        (a.msg_count, a.mention_count, a.last_viewed_at),
        (1, 0, 100)
    );

    // @channel: everyone but the author; a bot-style post leaves its
    // author's read state alone.
    store.add_channel_member(&town.id, &carol.id, 30).unwrap();
    let mentioned = store
        .create_post_with(
            &post(&town.id, &bob.id, 200, "@channel"),
            &PostEffects {
                mention_user_ids: vec![carol.id.clone()],
                mention_all_members: true,
                author_viewed: false,
            },
        )
        .unwrap();
    let mut expected = vec![alice.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(mentioned, expected, "sorted, carol once");
    let b = member(&store, &town.id, &bob.id);
    assert_eq!((b.msg_count, b.mention_count), (0, 1), "author not viewed");
    assert_eq!(member(&store, &town.id, &carol.id).mention_count, 1);
    let a = member(&store, &town.id, &alice.id);
    assert_eq!((a.msg_count, a.mention_count), (1, 1));

    // Plain create_post changes no membership.
    store
        .create_post(&post(&town.id, &alice.id, 300, "@bob"))
        .unwrap();
    assert_eq!(member(&store, &town.id, &bob.id).mention_count, 1);
    assert_eq!(member(&store, &town.id, &alice.id).msg_count, 1);
    assert_eq!(store.channel(&town.id).unwrap().unwrap().total_msg_count, 3);
}

#[test]
fn a_failed_post_changes_no_counter() {
    let (_dir, store, alice, bob, _carol, town) = with_bob();
    let first = post(&town.id, &alice.id, 100, "one");
    store.create_post(&first).unwrap();
    let effects = PostEffects {
        mention_user_ids: vec![bob.id.clone()],
        mention_all_members: true,
        author_viewed: true,
    };
    assert_eq!(
        store.create_post_with(&first, &effects),
        Err(StoreError::Conflict("post id".into()))
    );
    assert_eq!(member(&store, &town.id, &bob.id).mention_count, 0);
    assert_eq!(member(&store, &town.id, &alice.id).msg_count, 0);
    let orphan = post("no-such-channel", &alice.id, 1, "x");
    assert_eq!(
        store.create_post_with(&orphan, &effects),
        Err(StoreError::NotFound)
    );
}

#[test]
fn viewing_catches_up_and_never_moves_back() {
    let (_dir, store, alice, bob, carol, town) = with_bob();
    for at in [100, 110] {
        store
            .create_post_with(
                &post(&town.id, &alice.id, at, "@bob"),
                &PostEffects {
                    mention_user_ids: vec![bob.id.clone()],
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let b = member(&store, &town.id, &bob.id);
    assert_eq!((b.msg_count, b.mention_count), (0, 2));
    let viewed = store.view_channel(&town.id, &bob.id, 500).unwrap().unwrap();
    assert_eq!(
        (
            viewed.msg_count,
            viewed.mention_count,
            viewed.last_viewed_at,
            viewed.last_update_at
        ),
        (2, 0, 500, 500)
    );
    assert_eq!(viewed, member(&store, &town.id, &bob.id));
    let again = store.view_channel(&town.id, &bob.id, 400).unwrap().unwrap();
    assert_eq!(
        again.last_viewed_at, 500,
        "an older view does not move back"
    );
    assert_eq!(store.view_channel(&town.id, &carol.id, 500).unwrap(), None);
    assert_eq!(store.view_channel("nope", &bob.id, 500).unwrap(), None);
}

#[test]
fn add_mentions_counts_members_once() {
    let (_dir, store, alice, bob, carol, town) = with_bob();
    let ids = vec![
        bob.id.clone(),
        carol.id.clone(),
        bob.id.clone(),
        alice.id.clone(),
    ];
    let mut expected = vec![alice.id.clone(), bob.id.clone()];
    expected.sort();
    assert_eq!(store.add_mentions(&town.id, &ids, 50).unwrap(), expected);
    assert_eq!(member(&store, &town.id, &bob.id).mention_count, 1);
    assert_eq!(member(&store, &town.id, &alice.id).mention_count, 1);
    assert!(store.add_mentions(&town.id, &[], 50).unwrap().is_empty());
}

#[test]
fn memberships_for_user_cover_the_team_and_direct_channels() {
    let (_dir, store, alice, core, town) = fixture();
    let bob = user("bob");
    store.create_user(&bob, None).unwrap();
    let other = team("other");
    store.create_team(&other).unwrap();
    let elsewhere = channel(&other.id, "elsewhere", "Elsewhere", "O");
    let private = channel(&core.id, "secret", "Secret", "P");
    let direct = channel("", &format!("{}__{}", alice.id, bob.id), "", "D");
    let bobs = channel(&core.id, "bobs", "Bobs", "O");
    for c in [&elsewhere, &private, &direct, &bobs] {
        store.create_channel(c).unwrap();
    }
    for c in [&town, &elsewhere, &private, &direct] {
        store.add_channel_member(&c.id, &alice.id, 1).unwrap();
    }
    store.add_channel_member(&bobs.id, &bob.id, 1).unwrap();
    store.add_channel_member(&direct.id, &bob.id, 1).unwrap();
    let memberships = store.memberships_for_user(&core.id, &alice.id).unwrap();
    let ids: Vec<_> = memberships.iter().map(|m| m.channel_id.clone()).collect();
    let channels: Vec<_> = store
        .channels_for_user(&core.id, &alice.id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        ids, channels,
        "same channels, same order as channels_for_user"
    );
    assert_eq!(ids.len(), 3);
    assert!(!ids.contains(&elsewhere.id) && !ids.contains(&bobs.id));
    assert!(memberships.iter().all(|m| m.user_id == alice.id));
    assert!(
        store
            .memberships_for_user(&core.id, "nobody")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn upgrading_from_version_2_keeps_memberships_and_starts_them_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let alice = user("alice");
    let core = team("core");
    let town = channel(&core.id, "town-square", "Town Square", "O");
    {
        // A database as a build with MIGRATION_1 and MIGRATION_2 left it.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO users (id, create_at, update_at, username, email, roles, locale)
             VALUES (?1, 1, 1, ?2, ?3, 'system_user', 'en')",
            params![alice.id, alice.username, alice.email],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO teams (id, create_at, update_at, display_name, name, type)
             VALUES (?1, 1, 1, 'CORE', 'core', 'O')",
            params![core.id],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO channels (id, create_at, update_at, team_id, type, display_name, name,
                                   last_post_at, total_msg_count)
             VALUES (?1, 1, 1, ?2, 'O', 'Town Square', 'town-square', 500, 5)",
            params![town.id, core.id],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES (?1, ?2, 7)",
            params![town.id, alice.id],
        )
        .unwrap();
        let columns: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('channel_members')
                 WHERE name = 'msg_count'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(columns, 0, "version 2 has no unread columns");
    }

    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = store
        .read(|tx| Ok(tx.query_row("PRAGMA user_version", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
    assert!(version >= 3);
    assert!(store.is_channel_member(&town.id, &alice.id).unwrap());
    assert_eq!(
        member(&store, &town.id, &alice.id),
        ChannelMembership {
            channel_id: town.id.clone(),
            user_id: alice.id.clone(),
            joined_at: 7,
            last_viewed_at: 500,
            msg_count: 5,
            mention_count: 0,
            last_update_at: 7,
        }
    );
    assert_eq!(store.channel(&town.id).unwrap().unwrap().total_msg_count, 5);
    assert_eq!(store.user(&alice.id).unwrap().unwrap().username, "alice");
}
