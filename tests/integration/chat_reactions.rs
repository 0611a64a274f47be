//! Emoji reactions over real HTTP and websockets (decision 018): adding,
//! removing and listing them, their events, `has_reactions` and
//! `metadata.reactions` on posts, bad input, and that none of the routes
//! reaches a post in a channel the caller cannot read.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, Socket, assert_error, channel_with, team_with};
use crate::helpers::spawn_app;

async fn post(who: &Client<'_>, channel_id: &str, message: &str) -> String {
    who.expect(
        StatusCode::CREATED,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": channel_id, "message": message})),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn react(who: &Client<'_>, post_id: &str, emoji: &str) -> (StatusCode, Value) {
    who.call(
        Method::POST,
        "/api/v4/reactions",
        Some(json!({"user_id": who.id, "post_id": post_id, "emoji_name": emoji})),
    )
    .await
}

async fn unreact(
    who: &Client<'_>,
    user_id: &str,
    post_id: &str,
    emoji: &str,
) -> (StatusCode, Value) {
    who.call(
        Method::DELETE,
        &format!("/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji}"),
        None,
    )
    .await
}

/// The `data.reaction` of an event (a JSON string, as Mattermost sends it).
fn event_reaction(event: &Value) -> Value {
    serde_json::from_str(
        event["data"]["reaction"]
            .as_str()
            .expect("reaction is a string"),
    )
    .unwrap()
}

fn names(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or(""))
        .collect()
}

async fn ready(socket: &mut Socket) {
    socket.next_event("hello").await;
}

#[tokio::test]
async fn reacting_and_unreacting_reach_posts_lists_and_members() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&alice, "ops", &[&bob]).await;
    let channel = channel_with(&alice, &team, "incident", "P", &[&bob]).await;
    let post_id = post(&alice, &channel, "deploy done").await;
    let before = alice.get_ok(&format!("/api/v4/posts/{post_id}")).await;
    assert!(before.get("has_reactions").is_none(), "{before}");
    assert!(before["metadata"].get("reactions").is_none(), "{before}");
    let mut alice_socket = alice.socket().await;
    ready(&mut alice_socket).await;

    let (status, reaction) = react(&bob, &post_id, "+1").await;
    assert_eq!(status, StatusCode::OK, "{reaction}");
    assert_eq!(reaction["user_id"], bob.id);
    assert_eq!(reaction["post_id"], post_id);
    assert_eq!(reaction["emoji_name"], "+1");
    assert_eq!(reaction["channel_id"], channel);
    assert_eq!(reaction["delete_at"], 0);
    assert!(reaction["create_at"].as_i64().unwrap() > 0);
    assert_eq!(reaction["update_at"], reaction["create_at"]);
    assert_eq!(reaction["remote_id"], "");

    let added = alice_socket.next_event("reaction_added").await;
    assert_eq!(event_reaction(&added), reaction);
    assert_eq!(added["broadcast"]["channel_id"], channel);

    // The same reaction again: the stored one, no second event.
    let (status, again) = react(&bob, &post_id, "+1").await;
    assert_eq!((status, &again), (StatusCode::OK, &reaction));
    let (status, _) = react(&alice, &post_id, "white_check_mark").await;
    assert_eq!(status, StatusCode::OK);
    let events = alice_socket.events_until("reaction_added").await;
    let added = events.last().unwrap();
    assert_eq!(
        event_reaction(added)["emoji_name"],
        "white_check_mark",
        "{events:?}"
    );
    assert!(!names(&events[..events.len() - 1]).contains(&"reaction_added"));

    // Listed, on the post, and in the posts changed since before.
    let list = bob
        .get_ok(&format!("/api/v4/posts/{post_id}/reactions"))
        .await;
    let listed: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_str().unwrap(),
                r["emoji_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (bob.id.as_str(), "+1"),
            (alice.id.as_str(), "white_check_mark")
        ]
    );
    let got = bob.get_ok(&format!("/api/v4/posts/{post_id}")).await;
    assert_eq!(got["has_reactions"], true);
    assert_eq!(got["metadata"]["reactions"], list);
    let since = before["update_at"].as_i64().unwrap();
    let changed = bob
        .get_ok(&format!("/api/v4/channels/{channel}/posts?since={since}"))
        .await;
    assert_eq!(changed["order"], json!([post_id]), "{changed}");
    assert_eq!(changed["posts"][&post_id]["metadata"]["reactions"], list);
    let page = bob
        .get_ok(&format!("/api/v4/channels/{channel}/posts"))
        .await;
    assert_eq!(page["posts"][&post_id]["has_reactions"], true);
    let thread = bob.get_ok(&format!("/api/v4/posts/{post_id}/thread")).await;
    assert_eq!(thread["posts"][&post_id]["metadata"]["reactions"], list);
    let bulk = bob
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/posts/ids/reactions",
            Some(json!([post_id])),
        )
        .await;
    assert_eq!(bulk, json!({ post_id.clone(): list }));

    // An edit keeps them, and its event carries them.
    alice
        .expect(
            StatusCode::OK,
            Method::PUT,
            &format!("/api/v4/posts/{post_id}/patch"),
            Some(json!({"message": "deploy done, verified"})),
        )
        .await;
    let edited = alice_socket.next_event("post_edited").await;
    let edited: Value = serde_json::from_str(edited["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(edited["metadata"]["reactions"], list);

    // Unreacting: an event, gone from the list; the last one clears the flag.
    let (status, body) = unreact(&bob, &bob.id, &post_id, "+1").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "OK"})));
    let removed = alice_socket.next_event("reaction_removed").await;
    assert_eq!(event_reaction(&removed)["emoji_name"], "+1");
    assert_eq!(event_reaction(&removed)["user_id"], bob.id);
    // Removing it again is fine and announces nothing.
    let (status, _) = unreact(&bob, &bob.id, &post_id, "+1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = unreact(&alice, &alice.id, &post_id, "white_check_mark").await;
    assert_eq!(status, StatusCode::OK);
    let events = alice_socket.events_until("reaction_removed").await;
    assert_eq!(
        event_reaction(events.last().unwrap())["emoji_name"],
        "white_check_mark"
    );
    assert!(!names(&events[..events.len() - 1]).contains(&"reaction_removed"));
    let got = bob.get_ok(&format!("/api/v4/posts/{post_id}")).await;
    assert!(got.get("has_reactions").is_none(), "{got}");
    assert!(got["metadata"].get("reactions").is_none(), "{got}");
    assert_eq!(
        bob.get_ok(&format!("/api/v4/posts/{post_id}/reactions"))
            .await,
        json!([])
    );
}

#[tokio::test]
async fn bad_input_gets_errors_naming_the_field() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let team = team_with(&alice, "ops", &[]).await;
    let channel = channel_with(&alice, &team, "incident", "O", &[]).await;
    let post_id = post(&alice, &channel, "hi").await;

    for emoji in [
        "not_an_emoji_xyz",
        "",
        "smile!",
        "with space",
        &"a".repeat(65),
    ] {
        let (status, body) = react(&alice, &post_id, emoji).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "emoji_name");
    }
    let (status, body) = react(&alice, &post_id, "not_an_emoji_xyz").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not a known emoji"),
        "{status} {body}"
    );
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/reactions",
            Some(json!({"user_id": alice.id, "post_id": "nope", "emoji_name": "smile"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "post_id");
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/reactions",
            Some(json!({"post_id": post_id, "emoji_name": "smile"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "user_id");
    let (status, body) = alice
        .call(Method::POST, "/api/v4/reactions", Some(json!("smile")))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "");
    // Null is absent, unknown fields are ignored (Go's decoding).
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/reactions",
            Some(
                json!({"user_id": alice.id, "post_id": post_id, "emoji_name": "smile",
                        "channel_id": null, "create_at": 5, "extra": true}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["channel_id"], channel);
    assert_ne!(body["create_at"], 5);
    let (status, body) = unreact(&alice, &alice.id, &post_id, "bad!name").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "emoji_name");
    let (status, body) = unreact(&alice, "nope", &post_id, "smile").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "user_id");

    // Bulk: a bounded number of well-formed ids.
    let too_many: Vec<String> = (0..201).map(|_| post_id.clone()).collect();
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/posts/ids/reactions",
            Some(json!(too_many)),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "post_ids");
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/posts/ids/reactions",
            Some(json!(["../x"])),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "post_ids");

    // At most 50 different emoji on a post; more people may use one of them.
    let list: Value = alice.get_ok("/api/v4/emoji/standard").await;
    let emoji: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .take(51)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let target = post(&alice, &channel, "popular").await;
    for name in &emoji[..50] {
        let (status, body) = react(&alice, &target, name).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let (status, body) = react(&alice, &target, emoji[50]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "emoji_name");
    assert_eq!(
        alice
            .get_ok(&format!("/api/v4/posts/{target}/reactions"))
            .await
            .as_array()
            .unwrap()
            .len(),
        50
    );
}

#[tokio::test]
async fn outsiders_cannot_react_unreact_list_or_hear_reactions() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await; // system admin
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team = team_with(&alice, "ops", &[&bob, &carol]).await;
    let private = channel_with(&alice, &team, "secret", "P", &[&bob]).await;
    let public = channel_with(&alice, &team, "lobby", "O", &[&bob, &carol]).await;
    let secret_post = post(&alice, &private, "secret plan").await;
    let (status, _) = react(&bob, &secret_post, "eyes").await;
    assert_eq!(status, StatusCode::OK);
    let mut carol_socket = carol.socket().await;
    ready(&mut carol_socket).await;

    // Carol is not in the private channel.
    let (status, body) = react(&carol, &secret_post, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = unreact(&carol, &carol.id, &secret_post, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = unreact(&carol, &bob.id, &secret_post, "eyes").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = carol
        .get(&format!("/api/v4/posts/{secret_post}/reactions"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let bulk = carol
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/posts/ids/reactions",
            Some(json!([secret_post])),
        )
        .await;
    assert_eq!(bulk, json!({}), "nothing about an unreadable post");
    // Not logged in at all.
    let (status, _, _) = crate::client::request(
        &app,
        None,
        Method::GET,
        &format!("/api/v4/posts/{secret_post}/reactions"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Reacting in the private channel is not heard by carol: she gets the
    // next event in a channel she is in, and nothing before it.
    let (status, _) = react(&bob, &secret_post, "tada").await;
    assert_eq!(status, StatusCode::OK);
    post(&bob, &public, "in the lobby").await;
    let events = carol_socket.events_until("posted").await;
    assert!(
        !names(&events).contains(&"reaction_added"),
        "carol heard a private reaction: {events:?}"
    );

    // Nobody reacts as someone else, or removes someone else's reaction
    // unless a system admin.
    let lobby_post = post(&alice, &public, "hello lobby").await;
    let (status, body) = carol
        .call(
            Method::POST,
            "/api/v4/reactions",
            Some(json!({"user_id": bob.id, "post_id": lobby_post, "emoji_name": "smile"})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_id");
    let (status, _) = react(&bob, &lobby_post, "smile").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = unreact(&carol, &bob.id, &lobby_post, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    assert_eq!(
        bob.get_ok(&format!("/api/v4/posts/{lobby_post}/reactions"))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let mut bob_socket = bob.socket().await;
    ready(&mut bob_socket).await;
    let (status, _) = unreact(&alice, &bob.id, &lobby_post, "smile").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a system admin removes others' reactions"
    );
    let removed = bob_socket.next_event("reaction_removed").await;
    assert_eq!(event_reaction(&removed)["user_id"], bob.id);

    // A team member who has not joined an open channel may read its
    // reactions but not react there (reacting needs membership, like posting).
    let dave = Client::new(&app, "dave").await;
    alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/teams/{team}/members"),
            Some(json!({"team_id": team, "user_id": dave.id})),
        )
        .await;
    dave.get_ok(&format!("/api/v4/posts/{lobby_post}/reactions"))
        .await;
    let (status, body) = react(&dave, &lobby_post, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    // And someone outside the team cannot even read them.
    let erin = Client::new(&app, "erin").await;
    let (status, body) = erin
        .get(&format!("/api/v4/posts/{lobby_post}/reactions"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = react(&erin, &lobby_post, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
}

#[tokio::test]
async fn deleted_posts_and_archived_channels_take_no_reactions() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&alice, "ops", &[&bob]).await;
    let channel = channel_with(&alice, &team, "incident", "O", &[&bob]).await;

    let deleted = post(&bob, &channel, "oops").await;
    let (status, _) = react(&bob, &deleted, "smile").await;
    assert_eq!(status, StatusCode::OK);
    bob.expect(
        StatusCode::OK,
        Method::DELETE,
        &format!("/api/v4/posts/{deleted}"),
        None,
    )
    .await;
    let (status, body) = react(&alice, &deleted, "smile").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "");
    let (status, body) = unreact(&bob, &bob.id, &deleted, "smile").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "");
    let (status, body) = bob.get(&format!("/api/v4/posts/{deleted}/reactions")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "");
    let bulk = bob
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/posts/ids/reactions",
            Some(json!([deleted])),
        )
        .await;
    assert_eq!(bulk, json!({}));

    let kept = post(&bob, &channel, "keep").await;
    let (status, _) = react(&bob, &kept, "smile").await;
    assert_eq!(status, StatusCode::OK);
    alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{channel}"),
            None,
        )
        .await;
    let (status, body) = react(&bob, &kept, "tada").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "post_id");
    let (status, body) = unreact(&bob, &bob.id, &kept, "smile").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "post_id");
    // Still readable, unchanged.
    let list = bob.get_ok(&format!("/api/v4/posts/{kept}/reactions")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["emoji_name"], "smile");
}

#[tokio::test]
async fn clients_cannot_fake_reactions_on_their_posts() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let team = team_with(&alice, "ops", &[]).await;
    let channel = channel_with(&alice, &team, "incident", "O", &[]).await;
    let created = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({
                "channel_id": channel,
                "message": "fake",
                "has_reactions": true,
                "metadata": {"reactions": [{"user_id": "x", "emoji_name": "smile"}]},
            })),
        )
        .await;
    assert!(created.get("has_reactions").is_none(), "{created}");
    assert!(created["metadata"].get("reactions").is_none(), "{created}");
    let id = created["id"].as_str().unwrap();
    let got = alice.get_ok(&format!("/api/v4/posts/{id}")).await;
    assert!(got.get("has_reactions").is_none(), "{got}");
    assert!(got["metadata"].get("reactions").is_none(), "{got}");
}

#[tokio::test]
async fn reactions_survive_a_restart() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let team = team_with(&alice, "ops", &[]).await;
    let channel = channel_with(&alice, &team, "incident", "O", &[]).await;
    let post_id = post(&alice, &channel, "durable").await;
    let (status, _) = react(&alice, &post_id, "rocket").await;
    assert_eq!(status, StatusCode::OK);
    // A second store on the same file sees the committed reaction.
    let reopened = chat_store::sqlite::SqliteStore::open(&app.dir.path().join("chat.db")).unwrap();
    let stored = chat_store::ReactionStore::reactions_for_post(&reopened, &post_id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].emoji_name, "rocket");
}
