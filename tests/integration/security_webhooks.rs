//! Security regression tests for issue 11, findings 4 and 9: incoming
//! webhooks follow Mattermost's permission model; outgoing webhooks connect
//! only to checked addresses and survive restarts; scheduled jobs are
//! delivered at least once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, channel_with, team_with};
use crate::helpers::{TestApp, eventually, spawn_app};

const HOOKS: &str = "/api/v4/hooks/incoming";

async fn post_hook(app: &TestApp, hook_id: &str, payload: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/hooks/{hook_id}")))
        .json(&payload)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn create_body(channel_id: &str) -> Option<Value> {
    Some(json!({"channel_id": channel_id, "display_name": "CI"}))
}

/// Finding 4: only holders of `manage_incoming_webhooks` (system admins and
/// team admins) manage hooks; only the creator and admins see one; a hook
/// posts only where its creator may post now; a deactivated creator
/// disables it.
#[tokio::test]
async fn incoming_webhooks_follow_the_permission_model() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let eve = Client::new(&app, "eve").await;
    let dave = Client::new(&app, "dave").await;
    let team_id = team_with(&admin, "ops", &[]).await;
    // alice is a team admin of ops; bob and eve are plain members.
    app.state
        .services
        .chat
        .add_team_member(&team_id, &alice.id, "team_user team_admin")
        .unwrap();
    for member in [&alice, &bob, &eve] {
        admin
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": member.id})),
            )
            .await;
    }
    let general = channel_with(&admin, &team_id, "general", "O", &[&alice, &bob, &eve]).await;
    let secret = channel_with(&admin, &team_id, "secret", "P", &[&alice]).await;

    // A plain member may not create a hook, even in a channel they post in.
    let (status, body) = eve.call(Method::POST, HOOKS, create_body(&general)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let admin_hook = admin
        .expect(
            StatusCode::CREATED,
            Method::POST,
            HOOKS,
            create_body(&general),
        )
        .await;
    let admin_hook_id = admin_hook["id"].as_str().unwrap().to_string();
    let alice_hook = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            HOOKS,
            create_body(&secret),
        )
        .await;
    let alice_hook_id = alice_hook["id"].as_str().unwrap().to_string();

    // Plain members neither list nor read the team's hooks (the id is the secret).
    let team_list = format!("{HOOKS}?team_id={team_id}");
    let (status, body) = eve.get(&team_list).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = eve.get(HOOKS).await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
    for id in [&admin_hook_id, &alice_hook_id] {
        let (status, body) = eve.get(&format!("{HOOKS}/{id}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = eve
            .call(Method::DELETE, &format!("{HOOKS}/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    // The team admin and the system admin see both.
    for who in [&alice, &admin] {
        let listed = who.get_ok(&team_list).await;
        assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
        who.get_ok(&format!("{HOOKS}/{admin_hook_id}")).await;
    }

    // DMs only to people of the hook's team: dave shares no team with alice.
    let (status, body) = post_hook(
        &app,
        &alice_hook_id,
        json!({"text": "hi", "channel": "@bob"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post_hook(
        &app,
        &alice_hook_id,
        json!({"text": "spam", "channel": "@dave"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = post_hook(
        &app,
        &alice_hook_id,
        json!({"text": "x", "channel": "~general"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    drop(dave);

    // alice leaves the private channel: her hook may no longer post there,
    // and no override reaches it either.
    admin
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{secret}/members/{}", alice.id),
            None,
        )
        .await;
    let (status, body) = post_hook(&app, &alice_hook_id, json!({"text": "leak"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = post_hook(
        &app,
        &admin_hook_id,
        json!({"text": "leak", "channel": "secret"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the admin is a member: {body}");

    // A deactivated creator disables the hook, with a clear error.
    let services = &app.state.services;
    let mut user = services.chat.user(&alice.id).unwrap().unwrap();
    user.delete_at = host_shim::model::now_ms();
    services.chat.update_user(&user).unwrap();
    let (status, body) = post_hook(
        &app,
        &alice_hook_id,
        json!({"text": "x", "channel": "general"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["id"], "web.incoming_webhook.disabled.app_error",
        "{body}"
    );
}

const GUEST: &str = "sandbox-guest";

async fn sandbox_app() -> TestApp {
    let app = spawn_app().await;
    crate::helpers::install(&app, GUEST).await;
    app
}

fn guest_runs(app: &TestApp, key: &str) -> Option<u32> {
    app.state
        .services
        .kv
        .get(GUEST, &format!("runs/{key}"))
        .unwrap()
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| v.parse().ok())
}

fn schedule_now(app: &TestApp, key: &str) {
    app.state
        .services
        .jobs
        .schedule(&chat_store::ports::jobs::Job {
            plugin_id: GUEST.into(),
            key: key.into(),
            at_ms: host_shim::model::now_ms(),
            payload: String::new(),
        })
        .unwrap();
    app.state.services.scheduler_wake.notify_one();
}

/// Finding 9c: a job whose hook traps is not lost: it is retried after a
/// back-off and then runs to completion (and is removed only then).
#[tokio::test]
async fn a_job_whose_hook_traps_is_retried_until_it_runs() {
    let app = sandbox_app().await;
    schedule_now(&app, "trap-once/reminder");
    let ran_twice = eventually(Duration::from_secs(30), || {
        (guest_runs(&app, "trap-once/reminder") == Some(2)).then_some(())
    })
    .await;
    assert!(
        ran_twice.is_some(),
        "runs: {:?}",
        guest_runs(&app, "trap-once/reminder")
    );
    let gone = eventually(Duration::from_secs(5), || {
        app.state
            .services
            .jobs
            .jobs_for_plugin(GUEST)
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    assert!(gone.is_some(), "the job is removed once its hook succeeded");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(guest_runs(&app, "trap-once/reminder"), Some(2));
}

/// Finding 9a: IPv6 forms that reach IPv4 (or internal networks) through
/// translation are refused like the internal addresses they embed.
#[tokio::test]
async fn outgoing_webhooks_refuse_ipv6_transition_forms() {
    let app = spawn_app().await;
    for url in [
        "http://[::7f00:1]/x",           // IPv4-compatible ::127.0.0.1
        "http://[::ffff:7f00:1]/x",      // IPv4-mapped
        "http://[::ffff:0:a00:1]/x",     // SIIT ::ffff:0:10.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/x", // NAT64 of 169.254.169.254
        "http://[64:ff9b:1::1]/x",       // local-use NAT64
        "http://[2002:7f00:1::1]/x",     // 6to4 of 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x", // Teredo
        "http://[ff02::1]/x",            // multicast
        "http://0.1.2.3/x",
        "http://localhost./x",
    ] {
        let result = app
            .state
            .services
            .webhooks
            .post_json("playbooks", url, "{}".into());
        assert!(
            matches!(result, Err(host_shim::error::AppError::Forbidden(_))),
            "{url}: {result:?}"
        );
    }
}

/// A tiny HTTP server on 127.0.0.1 that counts requests and answers each
/// with `response` (a full HTTP/1.1 response text).
async fn counting_listener(
    listener: tokio::net::TcpListener,
    response: String,
) -> Arc<AtomicUsize> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            let response = response.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then Content-Length bytes of body.
                loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())
                                    .flatten()
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    hits
}

fn ok_response() -> String {
    "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into()
}

/// Finding 9a: a redirect is never followed, so a public-looking receiver
/// cannot bounce a delivery to an internal address.
#[tokio::test]
async fn outgoing_webhooks_do_not_follow_redirects() {
    let internal = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let internal_port = internal.local_addr().unwrap().port();
    let internal_hits = counting_listener(internal, ok_response()).await;
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_port = redirector.local_addr().unwrap().port();
    let redirect = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://localhost:{internal_port}/admin\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let redirector_hits = counting_listener(redirector, redirect).await;
    let app = crate::helpers::spawn_app_with(|c| {
        c.webhooks.allowed_internal_hosts = vec!["127.0.0.1".into()];
        c.webhooks.first_retry_delay = Duration::from_millis(100);
    })
    .await;
    app.state
        .services
        .webhooks
        .post_json(
            "playbooks",
            &format!("http://127.0.0.1:{redirector_port}/hook"),
            "{}".into(),
        )
        .unwrap();
    let sent = eventually(Duration::from_secs(10), || {
        (redirector_hits.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;
    assert!(
        sent.is_some(),
        "the delivery reached the redirecting receiver"
    );
    let settled = eventually(Duration::from_secs(5), || {
        (app.state.services.webhooks.pending("playbooks").unwrap() == 0).then_some(())
    })
    .await;
    assert!(settled.is_some(), "a redirect is final, not retried");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(internal_hits.load(Ordering::SeqCst), 0);
    assert_eq!(redirector_hits.load(Ordering::SeqCst), 1);
}

/// Finding 9b: the queue is bounded per plugin; beyond it `post-json`
/// fails instead of growing without limit.
#[tokio::test]
async fn the_outgoing_webhook_queue_is_bounded_per_plugin() {
    // Nothing listens on this port, and retries are far apart: deliveries stay queued.
    let port = free_port();
    let app = crate::helpers::spawn_app_with(|c| {
        c.webhooks.allowed_internal_hosts = vec!["127.0.0.1".into()];
        c.webhooks.first_retry_delay = Duration::from_secs(3600);
        c.webhooks.max_pending_per_plugin = 5;
    })
    .await;
    let queue = &app.state.services.webhooks;
    let url = format!("http://127.0.0.1:{port}/hook");
    for _ in 0..5 {
        queue.post_json("playbooks", &url, "{}".into()).unwrap();
    }
    let refused = queue.post_json("playbooks", &url, "{}".into());
    assert!(
        matches!(refused, Err(host_shim::error::AppError::TooLarge(ref m)) if m.contains("queue full")),
        "{refused:?}"
    );
    // Another plugin has its own bound.
    queue.post_json("other-plugin", &url, "{}".into()).unwrap();
    assert_eq!(queue.pending("playbooks").unwrap(), 5);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server over an existing data dir (a restart of the same data).
async fn serve_on(
    dir: &std::path::Path,
    adjust: impl FnOnce(&mut host_shim::startup::ServerConfig),
) -> host_shim::startup::RunningServer {
    let mut config =
        host_shim::startup::ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.to_path_buf());
    config.component_cache_dir =
        Some(crate::helpers::bundles_dir().join("../test-component-cache"));
    adjust(&mut config);
    host_shim::startup::serve(&config)
        .await
        .expect("server starts")
}

/// Finding 9b: a delivery queued while its receiver is down survives a
/// restart and is delivered once by the next process.
#[tokio::test]
async fn a_queued_webhook_survives_a_restart_and_is_delivered_once() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let adjust = |c: &mut host_shim::startup::ServerConfig| {
        c.webhooks.allowed_internal_hosts = vec!["127.0.0.1".into()];
        c.webhooks.first_retry_delay = Duration::from_millis(300);
        c.webhooks.attempts = 20;
    };
    let first = serve_on(data.path(), adjust).await;
    let queue = first.state.services.webhooks.clone();
    queue
        .post_json("playbooks", &url, json!({"event": "restart"}).to_string())
        .unwrap();
    // The first send fails (nobody listens); the delivery stays queued.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(queue.pending("playbooks").unwrap(), 1);
    // The process goes away; its worker stops.
    queue.stop();
    first.task.abort();

    let receiver = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let hits = counting_listener(receiver, ok_response()).await;
    let second = serve_on(data.path(), adjust).await;
    let delivered = eventually(Duration::from_secs(15), || {
        (hits.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;
    assert!(
        delivered.is_some(),
        "the restarted server delivers the queued POST"
    );
    let drained = eventually(Duration::from_secs(5), || {
        (second.state.services.webhooks.pending("playbooks").unwrap() == 0).then_some(())
    })
    .await;
    assert!(drained.is_some());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1, "delivered once");
}

/// Finding 9c: a job leased by a server that died mid-hook is not lost: the
/// next server fires it once the lease expires.
#[tokio::test]
async fn a_job_survives_a_restart_mid_lease() {
    use chat_store::JobStore;
    let data = tempfile::tempdir().unwrap();
    let now = host_shim::model::now_ms();
    {
        // The dead server's last act: it leased the due job, then crashed.
        let store = chat_store::sqlite::SqliteStore::open(&data.path().join("chat.db")).unwrap();
        let job = chat_store::ports::jobs::Job {
            plugin_id: GUEST.into(),
            key: "reminder/1".into(),
            at_ms: now - 1_000,
            payload: String::new(),
        };
        store.schedule(&job).unwrap();
        assert_eq!(
            store.lease(&job, "dead-server", now, now + 2_000).unwrap(),
            Some(1)
        );
    }
    let server = serve_on(data.path(), |_| {}).await;
    let app_plugins = server.state.plugins.clone();
    let bundle = crate::helpers::bundle(GUEST);
    tokio::task::spawn_blocking(move || app_plugins.install_dir(&bundle, true))
        .await
        .unwrap()
        .unwrap();
    let runs = |key: &str| {
        server
            .state
            .services
            .kv
            .get(GUEST, &format!("runs/{key}"))
            .unwrap()
            .and_then(|v| String::from_utf8(v).ok())
    };
    let ran = eventually(Duration::from_secs(20), || runs("reminder/1")).await;
    assert_eq!(ran.as_deref(), Some("1"));
    assert!(
        host_shim::model::now_ms() >= now + 2_000,
        "not before the lease expired"
    );
    let gone = eventually(Duration::from_secs(5), || {
        server
            .state
            .services
            .jobs
            .jobs_for_plugin(GUEST)
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    assert!(gone.is_some());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runs("reminder/1").as_deref(), Some("1"), "once");
}
