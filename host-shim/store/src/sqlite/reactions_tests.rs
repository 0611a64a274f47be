use super::*;
use crate::model::{Channel, Post, Team, new_id};
use crate::ports::ChatStore;
use crate::sqlite::tests::temp_store;

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    alice: String,
    bob: String,
    channel: Channel,
    post: Post,
}

fn user(store: &SqliteStore, name: &str) -> String {
    crate::sqlite::tests::stored_user(store, name).id
}

fn fixture() -> Fixture {
    let (dir, store) = temp_store();
    let alice = user(&store, "alice");
    let bob = user(&store, "bob");
    let team = Team {
        id: new_id(),
        name: "core".into(),
        ..Default::default()
    };
    store.create_team(&team).unwrap();
    let channel = Channel {
        id: new_id(),
        team_id: team.id.clone(),
        channel_type: "O".into(),
        name: "town".into(),
        ..Default::default()
    };
    store.create_channel(&channel).unwrap();
    let post = new_post(&store, &channel.id, &alice, 100);
    Fixture {
        _dir: dir,
        store,
        alice,
        bob,
        channel,
        post,
    }
}

fn new_post(store: &SqliteStore, channel_id: &str, user_id: &str, at: i64) -> Post {
    let post = Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        channel_id: channel_id.into(),
        user_id: user_id.into(),
        message: "hello".into(),
        ..Default::default()
    };
    store.create_post(&post).unwrap();
    post
}

fn added(result: StoreResult<Result<Added, Refused>>) -> Reaction {
    match result.unwrap() {
        Ok(Added::New(r)) => r,
        other => panic!("expected a new reaction, got {other:?}"),
    }
}

#[test]
fn adding_stores_the_reaction_flags_the_post_and_bumps_update_at() {
    let f = fixture();
    let r = added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 500, 50));
    assert_eq!(
        r,
        Reaction {
            user_id: f.bob.clone(),
            post_id: f.post.id.clone(),
            emoji_name: "smile".into(),
            create_at: 500,
            update_at: 500,
            delete_at: 0,
            remote_id: String::new(),
            channel_id: f.channel.id.clone(),
        }
    );
    let post = f.store.post(&f.post.id).unwrap().unwrap();
    assert!(post.has_reactions);
    assert_eq!(post.update_at, 500);
    assert_eq!(f.store.reactions_for_post(&f.post.id).unwrap(), vec![r]);
}

#[test]
fn adding_twice_is_idempotent_and_changes_nothing() {
    let f = fixture();
    let first = added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 500, 50));
    let again = f
        .store
        .add_reaction(&f.post.id, &f.bob, "smile", 900, 50)
        .unwrap();
    assert_eq!(again, Ok(Added::Existing(first)));
    assert_eq!(f.store.post(&f.post.id).unwrap().unwrap().update_at, 500);
    assert_eq!(f.store.reactions_for_post(&f.post.id).unwrap().len(), 1);
}

#[test]
fn removing_the_last_reaction_clears_the_flag() {
    let f = fixture();
    added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 500, 50));
    added(f.store.add_reaction(&f.post.id, &f.alice, "smile", 501, 50));
    let gone = f
        .store
        .remove_reaction(&f.post.id, &f.bob, "smile", 600)
        .unwrap()
        .unwrap();
    assert_eq!(gone.user_id, f.bob);
    let post = f.store.post(&f.post.id).unwrap().unwrap();
    assert!(post.has_reactions, "alice's reaction is still there");
    assert_eq!(post.update_at, 600);
    // Removing what is not there changes nothing.
    assert_eq!(
        f.store
            .remove_reaction(&f.post.id, &f.bob, "smile", 700)
            .unwrap(),
        None
    );
    assert_eq!(f.store.post(&f.post.id).unwrap().unwrap().update_at, 600);
    f.store
        .remove_reaction(&f.post.id, &f.alice, "smile", 800)
        .unwrap()
        .unwrap();
    let post = f.store.post(&f.post.id).unwrap().unwrap();
    assert!(!post.has_reactions);
    assert_eq!(post.update_at, 800);
    assert!(f.store.reactions_for_post(&f.post.id).unwrap().is_empty());
}

#[test]
fn update_at_never_moves_back() {
    let f = fixture();
    added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 50, 50));
    assert_eq!(f.store.post(&f.post.id).unwrap().unwrap().update_at, 100);
}

#[test]
fn distinct_emoji_are_limited_but_more_people_may_use_the_same_one() {
    let f = fixture();
    added(f.store.add_reaction(&f.post.id, &f.alice, "a", 500, 2));
    added(f.store.add_reaction(&f.post.id, &f.alice, "b", 501, 2));
    assert_eq!(
        f.store
            .add_reaction(&f.post.id, &f.bob, "c", 502, 2)
            .unwrap(),
        Err(Refused::TooManyEmoji)
    );
    added(f.store.add_reaction(&f.post.id, &f.bob, "b", 503, 2));
    assert_eq!(f.store.reactions_for_post(&f.post.id).unwrap().len(), 3);
}

#[test]
fn deleted_posts_unknown_posts_and_archived_channels_are_refused() {
    let f = fixture();
    assert_eq!(
        f.store
            .add_reaction("nope", &f.bob, "smile", 500, 50)
            .unwrap(),
        Err(Refused::PostGone)
    );
    let other = new_post(&f.store, &f.channel.id, &f.alice, 200);
    f.store.delete_post(&other.id, 300).unwrap();
    assert_eq!(
        f.store
            .add_reaction(&other.id, &f.bob, "smile", 500, 50)
            .unwrap(),
        Err(Refused::PostGone)
    );
    let mut archived = f.channel.clone();
    archived.delete_at = 400;
    f.store.update_channel(&archived).unwrap();
    assert_eq!(
        f.store
            .add_reaction(&f.post.id, &f.bob, "smile", 500, 50)
            .unwrap(),
        Err(Refused::ChannelArchived)
    );
    assert!(f.store.reactions_for_post(&f.post.id).unwrap().is_empty());
}

#[test]
fn an_unknown_user_is_not_found_and_stores_nothing() {
    let f = fixture();
    assert_eq!(
        f.store.add_reaction(&f.post.id, "ghost", "smile", 500, 50),
        Err(crate::ports::StoreError::NotFound)
    );
    let post = f.store.post(&f.post.id).unwrap().unwrap();
    assert!(!post.has_reactions);
    assert_eq!(post.update_at, 100);
}

#[test]
fn reactions_of_many_posts_come_in_one_call() {
    let f = fixture();
    let second = new_post(&f.store, &f.channel.id, &f.alice, 200);
    let third = new_post(&f.store, &f.channel.id, &f.alice, 300);
    added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 500, 50));
    added(f.store.add_reaction(&second.id, &f.bob, "+1", 501, 50));
    added(f.store.add_reaction(&second.id, &f.alice, "+1", 502, 50));
    added(f.store.add_reaction(&third.id, &f.alice, "tada", 503, 50));
    let ids = vec![
        f.post.id.clone(),
        second.id.clone(),
        second.id.clone(),
        "unknown".into(),
    ];
    let got = f.store.reactions_for_posts(&ids).unwrap();
    let mut pairs: Vec<(String, String, String)> = got
        .iter()
        .map(|r| (r.post_id.clone(), r.user_id.clone(), r.emoji_name.clone()))
        .collect();
    pairs.sort();
    let mut expected = vec![
        (f.post.id.clone(), f.bob.clone(), "smile".to_string()),
        (second.id.clone(), f.bob.clone(), "+1".to_string()),
        (second.id.clone(), f.alice.clone(), "+1".to_string()),
    ];
    expected.sort();
    assert_eq!(pairs, expected);
    assert!(f.store.reactions_for_posts(&[]).unwrap().is_empty());
}

#[test]
fn editing_a_post_keeps_its_reaction_flag() {
    let f = fixture();
    added(f.store.add_reaction(&f.post.id, &f.bob, "smile", 500, 50));
    let mut post = f.store.post(&f.post.id).unwrap().unwrap();
    post.message = "edited".into();
    post.has_reactions = false; // not a column update_post writes
    post.update_at = 600;
    f.store.update_post(&post).unwrap();
    assert!(f.store.post(&f.post.id).unwrap().unwrap().has_reactions);
}
