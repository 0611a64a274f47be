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

/// The next JSON text message, within 5 s.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
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
