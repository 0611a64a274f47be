//! Unread tracking over real HTTP and websockets (decision 012): member
//! counters lag the channel's total until the member views it, mentions
//! count and reach the `posted` event, "view" resets and tells the user's
//! other connections; who may read and change read state.

use host_shim::model::Post;
use host_shim::services::Author;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, Socket, assert_error, channel_with, request, team_with};
use crate::helpers::spawn_app;

/// `GET /channels/{channel}/members/me` as `who`.
async fn my_member(who: &Client<'_>, channel_id: &str) -> Value {
    who.get_ok(&format!("/api/v4/channels/{channel_id}/members/me"))
        .await
}

async fn total_msg_count(who: &Client<'_>, channel_id: &str) -> i64 {
    who.get_ok(&format!("/api/v4/channels/{channel_id}")).await["total_msg_count"]
        .as_i64()
        .unwrap()
}

async fn post(who: &Client<'_>, channel_id: &str, message: &str) -> Value {
    who.expect(
        StatusCode::CREATED,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": channel_id, "message": message})),
    )
    .await
}

/// Events up to the `posted` event of the post with `message`.
async fn events_until_post(socket: &mut Socket, message: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        seen.extend(socket.events_until("posted").await);
        let post: Value =
            serde_json::from_str(seen.last().unwrap()["data"]["post"].as_str().unwrap()).unwrap();
        if post["message"] == message {
            return seen;
        }
    }
}

/// The user ids of a `posted` event's `data.mentions` (a JSON string).
fn mentions(event: &Value) -> Option<Vec<String>> {
    let text = event["data"]["mentions"].as_str()?;
    Some(serde_json::from_str(text).expect("mentions is a JSON array in a string"))
}

#[tokio::test]
async fn posts_leave_others_unread_until_they_view() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team = team_with(&alice, "ops", &[&bob, &carol]).await;
    let channel = channel_with(&alice, &team, "incidents", "O", &[&bob]).await;
    let mut bob_socket = bob.socket().await;
    let mut bob_tab = bob.socket().await;
    let mut alice_socket = alice.socket().await;
    for socket in [&mut bob_socket, &mut bob_tab, &mut alice_socket] {
        socket.next_event("hello").await;
    }

    // A plain post: bob's counters lag, alice (the author) is caught up.
    let first = post(&alice, &channel, "hello").await;
    let posted = bob_socket.next_event("posted").await;
    assert!(
        posted["data"].get("mentions").is_none(),
        "no mentions key without mentions: {posted}"
    );
    assert_eq!(total_msg_count(&bob, &channel).await, 1);
    let b = my_member(&bob, &channel).await;
    assert_eq!(
        (b["msg_count"].as_i64(), b["mention_count"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(b["last_viewed_at"], 0);
    assert_eq!(b["channel_id"], channel.as_str());
    assert_eq!(b["user_id"], bob.id.as_str());
    let a = my_member(&alice, &channel).await;
    assert_eq!(a["msg_count"], 1);
    assert_eq!(a["last_viewed_at"], first["create_at"]);

    // @Bob. (any case, trailing punctuation) mentions bob, not carol
    // (not a member) and not alice (the author).
    post(&alice, &channel, "ping @Bob. and @carol and @alice").await;
    let posted = bob_socket.next_event("posted").await;
    assert_eq!(mentions(&posted), Some(vec![bob.id.clone()]), "{posted}");
    let members = bob
        .get_ok(&format!("/api/v4/users/me/teams/{team}/channels/members"))
        .await;
    let b = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["channel_id"] == channel.as_str())
        .unwrap_or_else(|| panic!("the channel is among bob's members: {members}"))
        .clone();
    assert_eq!(
        (b["msg_count"].as_i64(), b["mention_count"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(total_msg_count(&bob, &channel).await, 2);

    // Bob views: counts reset, and his other tab hears it; alice does not.
    let viewed = bob
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/channels/members/me/view",
            Some(json!({"channel_id": channel, "prev_channel_id": ""})),
        )
        .await;
    assert_eq!(viewed["status"], "OK");
    let at = viewed["last_viewed_at_times"][&channel]
        .as_i64()
        .unwrap_or_else(|| panic!("a time for the channel: {viewed}"));
    let event = bob_tab.next_event("channel_viewed").await;
    assert_eq!(event["data"]["channel_id"], channel.as_str());
    assert_eq!(event["broadcast"]["user_id"], bob.id.as_str());
    bob_socket.next_event("channel_viewed").await;
    let b = my_member(&bob, &channel).await;
    assert_eq!(
        (
            b["msg_count"].as_i64(),
            b["mention_count"].as_i64(),
            b["last_viewed_at"].as_i64()
        ),
        (Some(2), Some(0), Some(at))
    );
    assert!(at >= first["create_at"].as_i64().unwrap());
    // Alice's stream reaches bob's next post without bob's view.
    post(&bob, &channel, "done").await;
    let seen = events_until_post(&mut alice_socket, "done").await;
    assert!(
        seen.iter().all(|e| e["event"] != "channel_viewed"),
        "alice must not get bob's channel_viewed: {seen:?}"
    );
    // Bob's own post keeps him caught up.
    let b = my_member(&bob, &channel).await;
    assert_eq!(b["msg_count"], 3);

    // @channel mentions every member but the author.
    post(&bob, &channel, "@channel heads up").await;
    let seen = events_until_post(&mut alice_socket, "@channel heads up").await;
    let posted = seen.last().unwrap();
    assert_eq!(mentions(posted), Some(vec![alice.id.clone()]), "{posted}");
    assert_eq!(my_member(&alice, &channel).await["mention_count"], 1);
    assert_eq!(my_member(&bob, &channel).await["mention_count"], 0);
}

#[tokio::test]
async fn direct_bot_webhook_and_ephemeral_posts() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&alice, "ops", &[&bob]).await;
    let channel = channel_with(&alice, &team, "incidents", "O", &[&bob]).await;
    let services = &app.state.services;

    // Every post of a direct channel mentions the other member.
    let direct = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([bob.id, alice.id])),
        )
        .await;
    let direct = direct["id"].as_str().unwrap().to_string();
    let mut alice_socket = alice.socket().await;
    alice_socket.next_event("hello").await;
    post(&bob, &direct, "hi").await;
    let posted = alice_socket.next_event("posted").await;
    assert_eq!(mentions(&posted), Some(vec![alice.id.clone()]), "{posted}");
    assert_eq!(my_member(&alice, &direct).await["mention_count"], 1);
    assert_eq!(my_member(&bob, &direct).await["mention_count"], 0);
    let members = alice
        .get_ok(&format!("/api/v4/users/me/teams/{team}/channels/members"))
        .await;
    let ids: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["channel_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&direct.as_str()) && ids.contains(&channel.as_str()),
        "{members}"
    );

    // A plugin's bot mentions like a person does.
    let bot_id = services
        .ensure_plugin_bot("unread-test", "unreadbot", "Unread bot", "")
        .unwrap();
    let by_bot = Post {
        channel_id: channel.clone(),
        message: "@bob please look".into(),
        ..Default::default()
    };
    services
        .create_post(
            by_bot,
            Author::Plugin {
                plugin_id: "unread-test".into(),
                bot_id,
            },
        )
        .unwrap();
    let posted = alice_socket.next_event("posted").await;
    assert_eq!(mentions(&posted), Some(vec![bob.id.clone()]), "{posted}");
    assert_eq!(my_member(&bob, &channel).await["mention_count"], 1);

    // A webhook's post does not mark its owner's channel read.
    let before = my_member(&alice, &channel).await["msg_count"]
        .as_i64()
        .unwrap();
    let mut hooked = Post {
        channel_id: channel.clone(),
        user_id: alice.id.clone(),
        message: "from a hook".into(),
        ..Default::default()
    };
    hooked
        .props
        .insert("from_webhook".into(), Value::String("true".into()));
    services.create_post(hooked, Author::User).unwrap();
    assert_eq!(my_member(&alice, &channel).await["msg_count"], before);
    assert_eq!(total_msg_count(&alice, &channel).await, 2);

    // Ephemeral posts are not stored and count for nothing.
    services
        .send_ephemeral(
            &bob.id,
            Post {
                channel_id: channel.clone(),
                user_id: alice.id.clone(),
                message: "@bob only you see this".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(total_msg_count(&alice, &channel).await, 2);
    assert_eq!(my_member(&bob, &channel).await["mention_count"], 1);
}

#[tokio::test]
async fn read_state_routes_check_who_asks() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await; // admin
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let dave = Client::new(&app, "dave").await; // in no team
    let team = team_with(&alice, "ops", &[&bob, &carol]).await;
    let channel = channel_with(&alice, &team, "incidents", "O", &[&bob]).await;
    let private = channel_with(&alice, &team, "secret", "P", &[]).await;
    let other = channel_with(&alice, &team, "other", "O", &[&bob]).await;
    post(&alice, &other, "unread for bob").await;
    let view = "/api/v4/channels/members/me/view";

    // No session: 401 everywhere.
    for (method, path) in [
        (Method::POST, view.to_string()),
        (
            Method::GET,
            format!("/api/v4/users/me/teams/{team}/channels/members"),
        ),
        (
            Method::GET,
            format!("/api/v4/channels/{channel}/members/me"),
        ),
    ] {
        let (status, body, _) = request(
            &app,
            None,
            method,
            &path,
            Some(json!({"channel_id": channel})),
        )
        .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
    }

    // view: the channel is required, membership too; users view for
    // themselves, admins for anyone.
    let (status, body) = bob.call(Method::POST, view, Some(json!({}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "channel_id");
    let (status, body) = carol
        .call(Method::POST, view, Some(json!({"channel_id": channel})))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = bob
        .call(Method::POST, view, Some(json!({"channel_id": "nochannel"})))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = bob
        .call(
            Method::POST,
            &format!("/api/v4/channels/members/{}/view", alice.id),
            Some(json!({"channel_id": channel})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let viewed = alice
        .expect(
            StatusCode::OK,
            Method::POST,
            &format!("/api/v4/channels/members/{}/view", bob.id),
            Some(json!({"channel_id": other})),
        )
        .await;
    assert!(viewed["last_viewed_at_times"][&other].is_i64(), "{viewed}");
    assert_eq!(my_member(&bob, &other).await["msg_count"], 1);

    // Only prev_channel_id: allowed, marks it viewed.
    post(&alice, &other, "again").await;
    let viewed = bob
        .expect(
            StatusCode::OK,
            Method::POST,
            view,
            Some(json!({"channel_id": "", "prev_channel_id": other})),
        )
        .await;
    assert_eq!(viewed["status"], "OK");
    assert!(viewed["last_viewed_at_times"][&other].is_i64(), "{viewed}");
    assert_eq!(my_member(&bob, &other).await["msg_count"], 2);
    // A prev channel the user is not in is skipped, not an error.
    let viewed = bob
        .expect(
            StatusCode::OK,
            Method::POST,
            view,
            Some(json!({"channel_id": channel, "prev_channel_id": private})),
        )
        .await;
    assert!(
        viewed["last_viewed_at_times"].get(&private).is_none(),
        "{viewed}"
    );

    // Team members lists: self or admin, team members only.
    let mine = format!("/api/v4/users/me/teams/{team}/channels/members");
    let (status, body) = dave.get(&mine).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = bob
        .get(&format!(
            "/api/v4/users/{}/teams/{team}/channels/members",
            carol.id
        ))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let bobs = alice
        .get_ok(&format!(
            "/api/v4/users/{}/teams/{team}/channels/members",
            bob.id
        ))
        .await;
    let mut ids: Vec<&str> = bobs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["channel_id"].as_str().unwrap())
        .collect();
    ids.sort();
    // Bob joined the team's default channels with the team.
    let mut defaults = Vec::new();
    for name in ["town-square", "off-topic"] {
        let found = alice
            .get_ok(&format!("/api/v4/teams/{team}/channels/name/{name}"))
            .await;
        defaults.push(found["id"].as_str().unwrap().to_string());
    }
    let mut expected = vec![channel.as_str(), other.as_str()];
    expected.extend(defaults.iter().map(String::as_str));
    expected.sort();
    assert_eq!(ids, expected, "not the private channel bob is not in");
    let (status, body) = bob
        .get("/api/v4/users/me/teams/nosuchteam/channels/members")
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "");

    // One member: whoever may read the channel; 404 for a non-member.
    let (status, body) = bob
        .get(&format!("/api/v4/channels/{channel}/members/{}", carol.id))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_id");
    assert_eq!(body["id"], "app.channel.get_member.missing.app_error");
    let seen = carol
        .get_ok(&format!("/api/v4/channels/{channel}/members/{}", bob.id))
        .await;
    assert_eq!(seen["user_id"], bob.id.as_str());
    let (status, body) = dave
        .get(&format!("/api/v4/channels/{channel}/members/me"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = bob
        .get(&format!("/api/v4/channels/{private}/members/{}", alice.id))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");

    // Channel member lists carry the stored counters too.
    let members = bob
        .get_ok(&format!("/api/v4/channels/{other}/members"))
        .await;
    let b = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == bob.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(b["msg_count"], 2);
    assert!(b["last_viewed_at"].as_i64().unwrap() > 0);
}
