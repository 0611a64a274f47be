//! Security regressions of issue 11 around accounts and sessions: login
//! floods (finding 3), websockets outliving their session (6), and the first
//! admin race (12).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use host_shim::model::{new_id, now_ms};
use host_shim::services::accounts::{NewUser, token_hash};
use host_shim::services::{Broadcast, WsEvent};
use host_shim::startup::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::client::{assert_error, request};
use crate::helpers::{TestApp, log_in_new_user, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, token: &str) -> Socket {
    let mut request = format!("ws://{}/api/v4/websocket", app.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let mut socket = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects")
        .0;
    // Authenticated: the first message is `hello`.
    let hello = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("hello in time")
        .unwrap()
        .unwrap();
    let hello: Value = serde_json::from_str(hello.to_text().unwrap()).unwrap();
    assert_eq!(hello["event"], "hello", "{hello}");
    // A user's first socket makes them online, and they hear of it right
    // after `hello` (decision 020): that event belongs to the live session.
    if let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_millis(500), socket.next()).await
    {
        let event: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        assert_eq!(event["event"], "status_change", "{event}");
    }
    socket
}

/// Waits up to `limit` for the server to close `socket`; panics if it stays
/// open or if any event arrives first. Returns how long the close took.
async fn assert_closes_within(socket: &mut Socket, limit: Duration, what: &str) -> Duration {
    let started = Instant::now();
    loop {
        let left = limit.saturating_sub(started.elapsed());
        let message = match tokio::time::timeout(left, socket.next()).await {
            Err(_) => panic!("{what}: the websocket was still open after {limit:?}"),
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                return started.elapsed();
            }
            Ok(Some(Ok(message))) => message,
        };
        if let Message::Text(text) = message {
            panic!("{what}: an event arrived on a socket whose session ended: {text}");
        }
    }
}

/// An event only `user_id` may see, published on the bus.
fn publish_to(app: &TestApp, user_id: &str) {
    app.state.services.events.publish(WsEvent {
        event: "preferences_changed".into(),
        data: Default::default(),
        broadcast: Broadcast {
            user_id: user_id.to_string(),
            ..Default::default()
        },
    });
}

async fn me_id(app: &TestApp, token: &str) -> String {
    let (status, me, _) = request(app, Some(token), Method::GET, "/api/v4/users/me", None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["id"].as_str().unwrap().to_string()
}

// --- finding 6: websockets outlive their session ------------------------------

#[tokio::test]
async fn websocket_closes_on_logout() {
    let app = spawn_app().await;
    let token = log_in_new_user(&app, "alice").await;
    let alice = me_id(&app, &token).await;
    let mut socket = connect(&app, &token).await;

    let (status, body, _) = request(
        &app,
        Some(&token),
        Method::POST,
        "/api/v4/users/logout",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    publish_to(&app, &alice);
    assert_closes_within(&mut socket, Duration::from_secs(1), "logout").await;
}

#[tokio::test]
async fn websocket_closes_when_its_access_token_is_revoked() {
    let app = spawn_app().await;
    let session = log_in_new_user(&app, "alice").await;
    let alice = me_id(&app, &session).await;
    let (status, created, _) = request(
        &app,
        Some(&session),
        Method::POST,
        &format!("/api/v4/users/{alice}/tokens"),
        Some(json!({"description": "bot script"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let pat = created["token"].as_str().unwrap().to_string();
    let mut socket = connect(&app, &pat).await;
    // A socket on the session (not the token) stays open.
    let mut other = connect(&app, &session).await;

    let (status, body, _) = request(
        &app,
        Some(&session),
        Method::POST,
        "/api/v4/users/tokens/revoke",
        Some(json!({"token_id": created["id"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    publish_to(&app, &alice);
    assert_closes_within(&mut socket, Duration::from_secs(1), "token revoke").await;
    let event = tokio::time::timeout(Duration::from_secs(2), other.next())
        .await
        .expect("the session's socket still gets events")
        .unwrap()
        .unwrap();
    assert!(event.to_text().unwrap().contains("preferences_changed"));
}

#[tokio::test]
async fn websocket_closes_when_its_session_expires() {
    let app = spawn_app().await;
    let token = log_in_new_user(&app, "alice").await;
    let alice = me_id(&app, &token).await;
    // A session that expires shortly, written to the store directly.
    let short = new_id();
    let now = now_ms();
    let expires_at = now + 1500;
    app.state
        .services
        .auth
        .create_session(&chat_store::ports::auth::Session {
            id: new_id(),
            token_hash: token_hash(&short),
            user_id: alice.clone(),
            create_at: now,
            expires_at,
            last_activity_at: now,
            access_token_id: String::new(),
        })
        .unwrap();
    let mut socket = connect(&app, &short).await;
    let until_expiry = Duration::from_millis((expires_at - now_ms()).max(0) as u64);
    tokio::time::sleep(until_expiry).await;
    publish_to(&app, &alice);
    assert_closes_within(&mut socket, Duration::from_secs(1), "expiry").await;
}

// --- finding 12: first admin race --------------------------------------------

/// 20 people sign up at once on an empty server: exactly one becomes the
/// system admin. To make the race certain rather than lucky, another
/// connection holds the database's write lock while they sign up: reads
/// still go through (WAL), so a "count users, then insert" sign-up counts
/// zero every time; an atomic one waits for the lock. The lock is held for
/// less than the store's busy timeout (5 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_of_many_concurrent_first_sign_ups_becomes_admin() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().to_path_buf());
    let state = host_shim::startup::build(&config)
        .await
        .expect("server builds");
    let blocker = rusqlite::Connection::open(dir.path().join("chat.db")).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut signing_up = Vec::new();
    for i in 0..20 {
        let services = state.services.clone();
        signing_up.push(tokio::task::spawn_blocking(move || {
            services
                .sign_up(NewUser {
                    username: format!("racer{i}"),
                    email: format!("racer{i}@example.com"),
                    password: "correct horse".into(),
                    ..Default::default()
                })
                .expect("sign up")
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    blocker.execute_batch("COMMIT").unwrap();
    let mut admins = Vec::new();
    for task in signing_up {
        let user = task.await.unwrap();
        if user.is_system_admin() {
            admins.push(user.username.clone());
        }
        // What sign-up answered is what the store holds.
        let stored = state.services.chat.user(&user.id).unwrap().unwrap();
        assert_eq!(stored.roles, user.roles);
    }
    assert_eq!(admins.len(), 1, "admins: {admins:?}");
}

// --- finding 3: login and sign-up floods -------------------------------------

#[tokio::test]
async fn repeated_bad_logins_are_throttled_without_slowing_token_checks() {
    let app = spawn_app().await;
    let alice_token = log_in_new_user(&app, "alice").await;
    log_in_new_user(&app, "bob").await;

    // A burst of wrong passwords for bob, all at once, from one address.
    let mut attempts = Vec::new();
    for _ in 0..40 {
        let http = app.http.clone();
        let url = app.url("/api/v4/users/login");
        attempts.push(tokio::spawn(async move {
            let resp = http
                .post(url)
                .json(&json!({"login_id": "bob", "password": "wrong password"}))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (status, retry_after, body)
        }));
    }
    // Token checks answer promptly while the burst is being handled.
    let started = Instant::now();
    let (status, me, _) = request(
        &app,
        Some(&alice_token),
        Method::GET,
        "/api/v4/users/me",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "/users/me took {:?} during a login burst",
        started.elapsed()
    );

    let mut throttled = 0;
    for attempt in attempts {
        let (status, retry_after, body) = attempt.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                throttled += 1;
                assert_error(status, &body, status, "");
                let secs: u64 = retry_after
                    .expect("a throttled answer says when to retry")
                    .parse()
                    .expect("Retry-After is whole seconds");
                assert!((1..=3600).contains(&secs), "Retry-After {secs}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(
        throttled > 0,
        "40 bad logins for one account were all let through"
    );

    // Bob's own correct password is throttled too for now (the account is
    // under attack), but another account logs in from the same address.
    let (status, body, _) = request(
        &app,
        None,
        Method::POST,
        "/api/v4/users/login",
        Some(json!({"login_id": "bob", "password": "correct horse"})),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["id"], "api.context.rate_limit.app_error");
    let (status, body, headers) = request(
        &app,
        None,
        Method::POST,
        "/api/v4/users/login",
        Some(json!({"login_id": "alice", "password": "correct horse"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.contains_key("token"));
}
