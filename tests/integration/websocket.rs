//! The websocket: authentication, `hello`, seq numbers, and delivery only to
//! those who may read what happened.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use host_shim::model::Post;
use host_shim::services::Author;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, log_in_new_user, seed, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, bearer: Option<&str>) -> Socket {
    let mut request = format!("ws://{}/api/v4/websocket", app.addr)
        .into_client_request()
        .unwrap();
    if let Some(token) = bearer {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects")
        .0
}

/// The next JSON text message, within 5 s. `status_change` events (sent
/// whenever someone's websockets make them online or offline, decision
/// 020) are skipped: these tests are about other things.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["event"] != "status_change" {
                return value;
            }
        }
    }
}

/// The next event named `name`, skipping others.
async fn next_event(socket: &mut Socket, name: &str) -> Value {
    loop {
        let message = next(socket).await;
        if message["event"] == name {
            return message;
        }
    }
}

async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn authenticates_by_challenge_or_header_and_says_hello() {
    let app = spawn_app().await;
    let token = log_in_new_user(&app, "alice").await;

    let mut bad = connect(&app, None).await;
    send(
        &mut bad,
        json!({"seq": 1, "action": "authentication_challenge", "data": {"token": "wrong"}}),
    )
    .await;
    let reply = next(&mut bad).await;
    assert_eq!(
        (reply["status"].as_str(), reply["seq_reply"].as_i64()),
        (Some("FAIL"), Some(1))
    );
    assert_eq!(reply["error"]["status_code"], 401);

    let mut by_challenge = connect(&app, None).await;
    send(
        &mut by_challenge,
        json!({"seq": 1, "action": "authentication_challenge", "data": {"token": token}}),
    )
    .await;
    assert_eq!(
        next(&mut by_challenge).await,
        json!({"status": "OK", "seq_reply": 1})
    );
    let hello = next(&mut by_challenge).await;
    assert_eq!(
        (hello["event"].as_str(), hello["seq"].as_i64()),
        (Some("hello"), Some(0))
    );
    assert_eq!(
        hello["data"]["server_version"],
        host_shim::MATTERMOST_COMPAT_VERSION
    );

    let mut by_header = connect(&app, Some(&token)).await;
    assert_eq!(next(&mut by_header).await["event"], "hello");
    // Unknown actions fail but keep the connection.
    send(&mut by_header, json!({"seq": 7, "action": "frobnicate"})).await;
    let reply = next(&mut by_header).await;
    assert_eq!(
        (reply["status"].as_str(), reply["seq_reply"].as_i64()),
        (Some("FAIL"), Some(7))
    );
    send(&mut by_header, json!({"seq": 8, "action": "ping"})).await;
    assert_eq!(next(&mut by_header).await["data"]["text"], "pong");
}

#[tokio::test]
async fn channel_events_reach_members_only_and_seq_increments() {
    let app = spawn_app().await;
    let seed = seed(&app);
    let member_token = log_in_new_user(&app, "dana").await;
    let outsider_token = log_in_new_user(&app, "erin").await;
    let chat = &app.state.services.chat;
    let dana = chat.user_by_username("dana").unwrap().unwrap();
    chat.add_team_member(&seed.team.id, &dana.id, "").unwrap();
    app.state
        .services
        .add_channel_member(&seed.channel.id, &dana.id, None)
        .unwrap();
    let erin = chat.user_by_username("erin").unwrap().unwrap();
    chat.add_team_member(&seed.team.id, &erin.id, "").unwrap();

    let mut member = connect(&app, Some(&member_token)).await;
    let mut outsider = connect(&app, Some(&outsider_token)).await;
    next_event(&mut member, "hello").await;
    next_event(&mut outsider, "hello").await;

    let post = |message: &str| Post {
        user_id: seed.user.id.clone(),
        channel_id: seed.channel.id.clone(),
        message: message.into(),
        ..Default::default()
    };
    let first = app
        .state
        .services
        .create_post(post("one"), Author::User)
        .unwrap();
    app.state
        .services
        .create_post(post("two"), Author::User)
        .unwrap();
    let event = next_event(&mut member, "posted").await;
    let carried: Value = serde_json::from_str(
        event["data"]["post"]
            .as_str()
            .expect("post is a JSON string"),
    )
    .unwrap();
    assert_eq!(carried["id"], first.id.as_str());
    assert_eq!(event["broadcast"]["channel_id"], seed.channel.id.as_str());
    let second = next_event(&mut member, "posted").await;
    assert_eq!(
        second["seq"].as_i64().unwrap(),
        event["seq"].as_i64().unwrap() + 1
    );

    // Ephemeral messages reach their one user.
    app.state
        .services
        .send_ephemeral(&erin.id, post("just for erin"))
        .unwrap();
    let ephemeral = next_event(&mut outsider, "ephemeral_message").await;
    assert!(
        ephemeral["data"]["post"]
            .as_str()
            .unwrap()
            .contains("just for erin")
    );
    // The outsider saw no `posted` from the channel before that.
    send(&mut outsider, json!({"seq": 2, "action": "ping"})).await;
    loop {
        let message = next(&mut outsider).await;
        assert_ne!(
            message["event"], "posted",
            "an outsider received a channel post: {message}"
        );
        if message["seq_reply"] == 2 {
            break;
        }
    }
    // Once she joins, she gets the channel's events.
    app.state
        .services
        .add_channel_member(&seed.channel.id, &erin.id, None)
        .unwrap();
    app.state
        .services
        .create_post(post("three"), Author::User)
        .unwrap();
    let seen = next_event(&mut outsider, "posted").await;
    assert!(seen["data"]["post"].as_str().unwrap().contains("three"));
}

/// The connection ends: a close frame or the end of the stream, within 5 s.
async fn closed(socket: &mut Socket) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn unauthenticated_actions_fail_and_bad_tokens_close() {
    let app = spawn_app().await;
    let token = log_in_new_user(&app, "fred").await;

    let mut socket = connect(&app, None).await;
    // Before authenticating, other actions fail with 401 but the challenge
    // may still follow.
    send(&mut socket, json!({"seq": 1, "action": "ping"})).await;
    let reply = next(&mut socket).await;
    assert_eq!(reply["status"], "FAIL");
    assert_eq!(reply["seq_reply"], 1);
    assert_eq!(
        reply["error"]["id"],
        "api.web_socket_router.not_authenticated.app_error"
    );
    send(
        &mut socket,
        json!({"seq": 2, "action": "authentication_challenge", "data": {"token": token}}),
    )
    .await;
    assert_eq!(
        next(&mut socket).await,
        json!({"status": "OK", "seq_reply": 2})
    );
    let hello = next(&mut socket).await;
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);
    assert!(!hello["data"]["connection_id"].as_str().unwrap().is_empty());
    assert_eq!(
        hello["broadcast"],
        json!({"omit_users": null, "user_id": hello["broadcast"]["user_id"], "channel_id": "", "team_id": ""})
    );
    // Malformed JSON is answered, not fatal.
    socket
        .send(Message::Text("{not json".into()))
        .await
        .unwrap();
    let reply = next(&mut socket).await;
    assert_eq!(
        (reply["status"].as_str(), reply["seq_reply"].as_i64()),
        (Some("FAIL"), Some(0))
    );
    // Statuses: one's own (online, with this socket open); unknown ids
    // are left out.
    let fred = app
        .state
        .services
        .chat
        .user_by_username("fred")
        .unwrap()
        .unwrap();
    send(
        &mut socket,
        json!({"seq": 3, "action": "get_statuses_by_ids", "data": {"user_ids": ["a", fred.id]}}),
    )
    .await;
    let mut statuses = serde_json::Map::new();
    statuses.insert(fred.id.clone(), json!("online"));
    assert_eq!(
        next(&mut socket).await,
        json!({"status": "OK", "seq_reply": 3, "data": statuses})
    );

    // A wrong token: FAIL, then the server closes.
    let mut bad = connect(&app, None).await;
    send(
        &mut bad,
        json!({"seq": 1, "action": "authentication_challenge", "data": {"token": "nope"}}),
    )
    .await;
    let reply = next(&mut bad).await;
    assert_eq!(reply["status"], "FAIL");
    assert_eq!(
        reply["error"]["id"],
        "api.web_socket_router.not_authenticated.app_error"
    );
    assert!(
        closed(&mut bad).await,
        "the server closes after a bad token"
    );

    // A bad bearer header does not refuse the upgrade: the challenge remains.
    let mut bad_header = connect(&app, Some("nope")).await;
    send(&mut bad_header, json!({"seq": 1, "action": "ping"})).await;
    assert_eq!(next(&mut bad_header).await["status"], "FAIL");
}

#[tokio::test]
async fn typing_reaches_other_members_and_removed_users_hear_of_it() {
    let app = spawn_app().await;
    let seed = seed(&app);
    let typer_token = log_in_new_user(&app, "gina").await;
    let watcher_token = log_in_new_user(&app, "hank").await;
    let chat = &app.state.services.chat;
    let gina = chat.user_by_username("gina").unwrap().unwrap();
    let hank = chat.user_by_username("hank").unwrap().unwrap();
    for user in [&gina, &hank] {
        chat.add_team_member(&seed.team.id, &user.id, "").unwrap();
        app.state
            .services
            .add_channel_member(&seed.channel.id, &user.id, None)
            .unwrap();
    }
    let mut typer = connect(&app, Some(&typer_token)).await;
    let mut watcher = connect(&app, Some(&watcher_token)).await;
    next_event(&mut typer, "hello").await;
    next_event(&mut watcher, "hello").await;

    send(
        &mut typer,
        json!({"seq": 1, "action": "user_typing", "data": {"channel_id": seed.channel.id, "parent_id": ""}}),
    )
    .await;
    assert_eq!(
        next(&mut typer).await,
        json!({"status": "OK", "seq_reply": 1})
    );
    let typing = next_event(&mut watcher, "typing").await;
    assert_eq!(typing["data"]["user_id"], gina.id.as_str());
    assert_eq!(typing["broadcast"]["channel_id"], seed.channel.id.as_str());
    // The typist is not told about herself: the next thing she sees is the
    // reply to her ping.
    send(&mut typer, json!({"seq": 2, "action": "ping"})).await;
    assert_eq!(next(&mut typer).await["seq_reply"], 2);

    // Typing in a channel one is not in fails.
    send(
        &mut typer,
        json!({"seq": 3, "action": "user_typing", "data": {"channel_id": "elsewhere"}}),
    )
    .await;
    let reply = next(&mut typer).await;
    assert_eq!(
        (reply["status"].as_str(), reply["seq_reply"].as_i64()),
        (Some("FAIL"), Some(3))
    );

    // Removal: the removed user hears of it (addressed to her), and no longer
    // receives the channel's posts.
    app.state
        .services
        .remove_channel_member(&seed.channel.id, &hank.id)
        .unwrap();
    let removed = next_event(&mut watcher, "user_removed").await;
    assert_eq!(removed["data"]["channel_id"], seed.channel.id.as_str());
    app.state
        .services
        .create_post(
            Post {
                user_id: seed.user.id.clone(),
                channel_id: seed.channel.id.clone(),
                message: "after hank left".into(),
                ..Default::default()
            },
            Author::User,
        )
        .unwrap();
    next_event(&mut typer, "posted").await;
    send(&mut watcher, json!({"seq": 9, "action": "ping"})).await;
    loop {
        let message = next(&mut watcher).await;
        assert_ne!(
            message["event"], "posted",
            "a removed member got a post: {message}"
        );
        if message["seq_reply"] == 9 {
            break;
        }
    }
}

/// Anyone may open a websocket before logging in; a message larger than
/// any action (64 KiB) ends the connection instead of being parsed, and
/// the server goes on serving others.
#[tokio::test]
async fn oversized_messages_close_the_socket_before_login() {
    let app = spawn_app().await;
    let token = log_in_new_user(&app, "gina").await;
    let mut socket = connect(&app, None).await;
    let huge = format!("[{}0]", "[0],".repeat(40_000)); // 160 KB of tiny values
    let _ = socket.send(Message::Text(huge.into())).await;
    assert!(closed(&mut socket).await, "the oversized message was read");
    // A message that fits is still answered, on a new socket.
    let mut socket = connect(&app, Some(&token)).await;
    let hello = next_event(&mut socket, "hello").await;
    assert_eq!(hello["event"], "hello");
}
