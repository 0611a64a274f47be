//! Statuses and typing over real HTTP and websockets (decision 020):
//! websockets make a user `online` and their last one closing `offline`,
//! a chosen status stands, idle users go `away`, `status_change` reaches
//! only those who may see the user, and nobody sets anyone else's status.
//! Typing notices reach a channel's other members, only from members,
//! throttled.

use chat_store::ports::presence::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, Socket, assert_error, channel_with, team_with};
use crate::helpers::{TestApp, spawn_app};

async fn status_of(who: &Client<'_>, user_id: &str) -> Value {
    who.get_ok(&format!("/api/v4/users/{user_id}/status")).await
}

/// The next `status_change` about `user_id`, checking that none about
/// anyone in `never` arrives before it.
async fn status_change(socket: &mut Socket, user_id: &str, never: &[&str]) -> String {
    loop {
        let event = socket.next_event("status_change").await;
        let about = event["data"]["user_id"].as_str().unwrap().to_string();
        assert!(!never.contains(&about.as_str()), "{event}");
        if about == user_id {
            return event["data"]["status"].as_str().unwrap().to_string();
        }
    }
}

async fn set_status(who: &Client<'_>, user_id: &str, body: Value) -> (StatusCode, Value) {
    who.call(
        Method::PUT,
        &format!("/api/v4/users/{user_id}/status"),
        Some(body),
    )
    .await
}

/// A socket of `who` that has been counted (its `hello` arrived).
async fn connected(who: &Client<'_>) -> Socket {
    let mut socket = who.socket().await;
    socket.next_event("hello").await;
    socket
}

/// Waits until the server has seen every socket of `user_id` close.
async fn sockets_closed(app: &TestApp, user_id: &str) {
    let services = app.state.services.clone();
    let closed = crate::helpers::eventually(std::time::Duration::from_secs(10), || {
        (services.open_sockets(user_id) == 0).then_some(())
    })
    .await;
    assert!(
        closed.is_some(),
        "the server still counts a socket of {user_id}"
    );
}

/// Admin, alice and bob in one team; carol in none.
async fn people(app: &TestApp) -> (Client<'_>, Client<'_>, Client<'_>, Client<'_>, String) {
    let admin = Client::new(app, "admin").await;
    let alice = Client::new(app, "alice").await;
    let bob = Client::new(app, "bob").await;
    let carol = Client::new(app, "carol").await;
    let team = team_with(&admin, "team", &[&alice, &bob]).await;
    (admin, alice, bob, carol, team)
}

#[tokio::test]
async fn websockets_and_choices_drive_statuses_seen_by_teammates() {
    let app = spawn_app().await;
    let (_admin, alice, bob, _carol, _team) = people(&app).await;
    assert_eq!(status_of(&alice, &bob.id).await["status"], "offline");

    let mut watcher = connected(&alice).await;
    let bob_socket = connected(&bob).await;
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
    let status = status_of(&alice, &bob.id).await;
    assert_eq!(status["status"], "online", "{status}");
    assert_eq!(status["manual"], false);
    assert!(status["last_activity_at"].as_i64().unwrap() > 0);

    // A second socket, closed again: bob is still online.
    let second = connected(&bob).await;
    second.close().await;
    // Bob chooses "do not disturb": it stands when his sockets close.
    let (code, body) = set_status(&bob, "me", json!({"user_id": bob.id, "status": "dnd"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["manual"], true);
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "dnd");
    bob_socket.close().await;
    sockets_closed(&app, &bob.id).await;
    // Online again, by choice: automatic from now on.
    let (code, body) = set_status(
        &bob,
        &bob.id,
        json!({"user_id": bob.id, "status": "online"}),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["manual"], false);
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
    // No "offline" in between: the closed socket left dnd alone.
    let socket = connected(&bob).await;
    socket.close().await;
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "offline");
    assert_eq!(status_of(&alice, &bob.id).await["status"], "offline");
}

#[tokio::test]
async fn idle_users_go_away_and_come_back_when_active() {
    let app = spawn_app().await;
    let (_admin, alice, bob, _carol, _team) = people(&app).await;
    let mut watcher = connected(&alice).await;
    let _bob_socket = connected(&bob).await;
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
    // Bob's last activity six minutes ago; the sweep runs.
    let services = app.state.services.clone();
    let bob_id = bob.id.clone();
    // (The server's own sweeper may get there first: either way one
    // `away` is announced.)
    tokio::task::spawn_blocking(move || {
        let mut status = services.presence.status(&bob_id).unwrap().unwrap();
        status.last_activity_at -= 6 * 60 * 1000;
        services.presence.save_status(&status).unwrap();
        services.sweep_statuses().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "away");
    assert_eq!(status_of(&alice, &bob.id).await["status"], "away");
    // A request from his web client is activity (a script's is not).
    let plain = app
        .http
        .get(app.url("/api/v4/users/me"))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(status_of(&alice, &bob.id).await["status"], "away");
    let web = app
        .http
        .get(app.url("/api/v4/users/me"))
        .bearer_auth(&bob.token)
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .unwrap();
    assert_eq!(web.status(), StatusCode::OK);
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
}

#[tokio::test]
async fn timed_do_not_disturb_ends_by_itself() {
    let app = spawn_app().await;
    let (_admin, alice, bob, _carol, _team) = people(&app).await;
    let mut watcher = connected(&alice).await;
    let _bob_socket = connected(&bob).await;
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
    let end = host_shim::model::now_ms() / 1000 + 3600;
    let (code, body) = set_status(
        &bob,
        &bob.id,
        json!({"user_id": bob.id, "status": "dnd", "dnd_end_time": end}),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["dnd_end_time"], end);
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "dnd");
    // The hour passes.
    let services = app.state.services.clone();
    let bob_id = bob.id.clone();
    tokio::task::spawn_blocking(move || {
        let mut status = services.presence.status(&bob_id).unwrap().unwrap();
        status.dnd_end_time = 1;
        services.presence.save_status(&status).unwrap();
        services.sweep_statuses().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(status_change(&mut watcher, &bob.id, &[]).await, "online");
    let status = status_of(&bob, "me").await;
    assert_eq!(
        (status["status"].as_str(), status["dnd_end_time"].as_i64()),
        (Some("online"), Some(0))
    );
}

#[tokio::test]
async fn statuses_are_shown_only_to_those_who_may_see_the_user() {
    let app = spawn_app().await;
    let (admin, alice, bob, carol, _team) = people(&app).await;
    let mut watcher = connected(&alice).await;
    // Carol shares nothing with alice: her status is not alice's to see.
    let _carol_socket = connected(&carol).await;
    let (code, body) = alice
        .get(&format!("/api/v4/users/{}/status", carol.id))
        .await;
    assert_error(code, &body, StatusCode::NOT_FOUND, "");
    let unknown = host_shim::model::new_id();
    let list = alice
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/users/status/ids",
            Some(json!([bob.id, carol.id, unknown, alice.id, bob.id])),
        )
        .await;
    let mut ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![alice.id.as_str(), bob.id.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "{list}");
    // An admin sees everyone.
    assert_eq!(status_of(&admin, &carol.id).await["status"], "online");
    // Carol's changes never reach alice; bob's do.
    let (code, _) = set_status(
        &carol,
        &carol.id,
        json!({"user_id": carol.id, "status": "away"}),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = set_status(&bob, &bob.id, json!({"user_id": bob.id, "status": "away"})).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        status_change(&mut watcher, &bob.id, &[carol.id.as_str()]).await,
        "away"
    );
    // The same over the websocket action.
    watcher
        .action(
            7,
            "get_statuses_by_ids",
            json!({"user_ids": [bob.id, carol.id]}),
        )
        .await;
    let reply = watcher.reply(7).await;
    assert_eq!(reply["status"], "OK", "{reply}");
    let mut expected = serde_json::Map::new();
    expected.insert(bob.id.clone(), json!("away"));
    assert_eq!(reply["data"], Value::Object(expected));
}

#[tokio::test]
async fn nobody_sets_anyone_elses_status_and_bad_input_is_named() {
    let app = spawn_app().await;
    let (admin, alice, bob, _carol, _team) = people(&app).await;
    let (code, body) =
        set_status(&alice, &bob.id, json!({"user_id": bob.id, "status": "dnd"})).await;
    assert_error(code, &body, StatusCode::FORBIDDEN, "");
    assert_eq!(status_of(&alice, &bob.id).await["status"], "offline");
    // The body's user must be the URL's.
    let (code, body) = set_status(
        &alice,
        &alice.id,
        json!({"user_id": bob.id, "status": "dnd"}),
    )
    .await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "user_id");
    for bad in [json!("busy"), json!(""), json!("out_of_office")] {
        let (code, body) = set_status(
            &alice,
            &alice.id,
            json!({"user_id": alice.id, "status": bad}),
        )
        .await;
        assert_error(code, &body, StatusCode::BAD_REQUEST, "status");
    }
    let (code, body) = set_status(
        &alice,
        &alice.id,
        json!({"user_id": alice.id, "status": "dnd", "dnd_end_time": 1000}),
    )
    .await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "dnd_end_time");
    let (code, body) =
        set_status(&alice, &alice.id, json!({"user_id": alice.id, "status": 5})).await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "");
    assert_eq!(status_of(&alice, "me").await["status"], "offline");
    // A system admin may (as in Mattermost).
    let (code, body) =
        set_status(&admin, &bob.id, json!({"user_id": bob.id, "status": "dnd"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(status_of(&alice, &bob.id).await["status"], "dnd");
    // Lists: not empty, at most 1,000.
    let (code, body) = alice
        .call(Method::POST, "/api/v4/users/status/ids", Some(json!([])))
        .await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "user_ids");
    let many: Vec<String> = (0..1001).map(|_| host_shim::model::new_id()).collect();
    let (code, body) = alice
        .call(Method::POST, "/api/v4/users/status/ids", Some(json!(many)))
        .await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "user_ids");
    // Anonymous: 401.
    let (code, body, _) = crate::client::request(
        &app,
        None,
        Method::GET,
        &format!("/api/v4/users/{}/status", bob.id),
        None,
    )
    .await;
    assert_error(code, &body, StatusCode::UNAUTHORIZED, "");
}

#[tokio::test]
async fn typing_reaches_other_members_only_from_members_and_throttled() {
    let app = spawn_app().await;
    let (_admin, alice, bob, carol, team) = people(&app).await;
    let private = channel_with(&alice, &team, "private", "P", &[&bob]).await;
    let public = channel_with(&alice, &team, "open", "O", &[]).await;
    let mut alice_socket = connected(&alice).await;
    let mut bob_socket = connected(&bob).await;
    let mut carol_socket = connected(&carol).await;

    // Carol is in neither channel; bob is not in the open one (he could
    // join it, but typing needs membership).
    carol_socket
        .action(1, "user_typing", json!({"channel_id": private}))
        .await;
    let reply = carol_socket.reply(1).await;
    assert_eq!(reply["status"], "FAIL", "{reply}");
    bob_socket
        .action(1, "user_typing", json!({"channel_id": public}))
        .await;
    assert_eq!(bob_socket.reply(1).await["status"], "FAIL");
    // Bad parent ids are refused.
    bob_socket
        .action(
            2,
            "user_typing",
            json!({"channel_id": private, "parent_id": "x".repeat(27)}),
        )
        .await;
    assert_eq!(bob_socket.reply(2).await["status"], "FAIL");
    bob_socket
        .action(
            3,
            "user_typing",
            json!({"channel_id": private, "parent_id": 7}),
        )
        .await;
    assert_eq!(bob_socket.reply(3).await["status"], "FAIL");

    // Bob types twice quickly, then at once in a thread of the channel:
    // one budget per user and channel (a new `parent_id` each time must
    // not get past the throttle), so only the first goes out. A second
    // later the thread's notice does.
    for seq in [4, 5] {
        bob_socket
            .action(seq, "user_typing", json!({"channel_id": private}))
            .await;
        assert_eq!(bob_socket.reply(seq).await["status"], "OK");
    }
    let dropped = host_shim::model::new_id();
    bob_socket
        .action(
            6,
            "user_typing",
            json!({"channel_id": private, "parent_id": dropped}),
        )
        .await;
    assert_eq!(bob_socket.reply(6).await["status"], "OK");
    tokio::time::sleep(std::time::Duration::from_millis(
        host_shim::services::presence::TYPING_EVERY_MS as u64 + 100,
    ))
    .await;
    let root = host_shim::model::new_id();
    bob_socket
        .action(
            7,
            "user_typing",
            json!({"channel_id": private, "parent_id": root}),
        )
        .await;
    assert_eq!(bob_socket.reply(7).await["status"], "OK");

    let first = alice_socket.next_event("typing").await;
    assert_eq!(
        first["data"],
        json!({"parent_id": "", "user_id": bob.id}),
        "{first}"
    );
    assert_eq!(first["broadcast"]["channel_id"], private.as_str());
    // The quick ones were dropped: the next is the thread's, a second later.
    let second = alice_socket.next_event("typing").await;
    assert_eq!(
        second["data"],
        json!({"parent_id": root, "user_id": bob.id}),
        "{second}"
    );

    // Nobody told carol anything, and bob is not told about himself:
    // alice types, and that is the first typing event either sees.
    alice_socket
        .action(1, "user_typing", json!({"channel_id": private}))
        .await;
    assert_eq!(alice_socket.reply(1).await["status"], "OK");
    let seen = bob_socket.next_event("typing").await;
    assert_eq!(seen["data"]["user_id"], alice.id.as_str(), "{seen}");
    // Carol: a post in a channel she is in arrives, no typing before it.
    let dm = carol
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([carol.id, carol.id])),
        )
        .await;
    carol
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": dm["id"], "message": "note to self"})),
        )
        .await;
    let events = carol_socket.events_until("posted").await;
    assert!(events.iter().all(|e| e["event"] != "typing"), "{events:?}");
}

#[tokio::test]
async fn a_restart_leaves_nobody_online_but_keeps_chosen_statuses() {
    let app = spawn_app().await;
    let (_admin, alice, bob, _carol, _team) = people(&app).await;
    let services = app.state.services.clone();
    let (alice_id, bob_id) = (alice.id.clone(), bob.id.clone());
    let statuses = tokio::task::spawn_blocking(move || {
        services.presence.save_status(&UserStatus {
            status: "online".into(),
            last_activity_at: 5,
            ..UserStatus::offline(&alice_id)
        })?;
        services.presence.save_status(&UserStatus {
            status: "dnd".into(),
            manual: true,
            ..UserStatus::offline(&bob_id)
        })?;
        services.reset_statuses()?;
        services.statuses(&[alice_id, bob_id])
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(statuses[0].status, "offline");
    assert_eq!(statuses[1].status, "dnd");
}
