//! Security regressions of the plugin runtime (issue 11, findings 2, 10, 11):
//! plugin-route bodies are capped below the plugin's memory, one user cannot
//! switch a plugin off for everyone, trap text never reaches a client,
//! plugins cannot set cookies or hop-by-hop headers, every answer carries
//! `nosniff`, and one host call cannot assemble more than its budget.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{API, Client};
use crate::helpers::{TestApp, bundle, copy_dir, install, spawn_app, spawn_app_with};
use host_shim::model::{Channel, Team, new_id, now_ms};
use host_shim::runtime::HookError;
use host_shim::runtime::hooks;

const GUEST: &str = "sandbox-guest";

async fn sandbox_app() -> TestApp {
    let app = spawn_app_with(|c| {
        c.sandbox.hook_deadline = Duration::from_millis(300);
        c.sandbox.memory_limit_bytes = 32 * 1024 * 1024;
    })
    .await;
    install(&app, GUEST).await;
    app
}

fn state_of(app: &TestApp, id: &str) -> i32 {
    app.state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == id)
        .map(|s| s.state)
        .expect("plugin installed")
}

/// A raw request: status, headers and body text.
async fn send(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.header("Content-Type", "application/json").body(body);
    }
    let resp = req.send().await.expect("answered");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap_or_default())
}

/// A client never sees what a trap said or where it happened.
fn assert_no_trap_text(body: &str) {
    for leak in [
        "panicked",
        "backtrace",
        "wasm",
        "sandbox_guest",
        ".rs:",
        "error while executing",
    ] {
        assert!(
            !body.to_lowercase().contains(leak),
            "{leak:?} leaked to the client: {body}"
        );
    }
}

/// A playbook body of about `bytes` bytes: one checklist with many small items.
fn huge_playbook(team_id: &str, bytes: usize) -> Vec<u8> {
    let item = r#"{"title":"i"},"#;
    let mut items = item.repeat(bytes / item.len());
    items.pop();
    format!(
        r#"{{"title":"big","team_id":"{team_id}","checklists":[{{"title":"c","items":[{items}]}}]}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn a_body_over_the_plugin_limit_is_refused_with_413_and_the_plugin_keeps_running() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let mallory = Client::new(&app, "mallory").await;
    let body = huge_playbook(&new_id(), 7 * 1024 * 1024);
    assert!(body.len() > 7 * 1024 * 1024 - 64);
    // More than the three failures that used to disable the plugin.
    for token in [
        Some(mallory.token.as_str()),
        Some(&mallory.token),
        None,
        None,
    ] {
        let (status, _, text) = send(
            &app,
            token,
            Method::POST,
            &format!("{API}/playbooks"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        let error: Value = serde_json::from_str(&text).expect("Mattermost error body");
        assert_eq!(error["status_code"], 413, "{error}");
        assert!(
            error["message"].as_str().unwrap().contains("1048576"),
            "the message names the limit: {error}"
        );
    }
    assert_eq!(state_of(&app, "playbooks"), 2, "still running");
    let (status, _) = admin.api(Method::GET, "/version", None).await;
    assert_eq!(status, StatusCode::OK);
    // A body under the limit still reaches the plugin.
    let (status, _, text) = send(
        &app,
        Some(&mallory.token),
        Method::POST,
        &format!("{API}/playbooks"),
        Some(huge_playbook(&new_id(), 64 * 1024)),
    )
    .await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
}

/// Installs a copy of the sandbox guest whose manifest declares `limit`.
async fn install_guest_with_limit(app: &TestApp, limit: u64) {
    let dir = app.dir.path().join(format!("guest-{limit}"));
    copy_dir(&bundle(GUEST), &dir);
    let path = dir.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["props"] = json!({"chatops": {"max_request_body_bytes": limit}});
    std::fs::write(&path, manifest.to_string()).unwrap();
    let plugins = app.state.plugins.clone();
    tokio::task::spawn_blocking(move || plugins.install_dir(&dir, true))
        .await
        .unwrap()
        .expect("installs");
}

#[tokio::test]
async fn a_manifest_sets_its_plugins_body_limit_within_the_servers_ceiling() {
    let app = spawn_app().await;
    let put = |size: usize| {
        let app = &app;
        async move {
            send(
                app,
                None,
                Method::PUT,
                &format!("/plugins/{GUEST}/kv/k"),
                Some(vec![b'x'; size]),
            )
            .await
        }
    };
    install_guest_with_limit(&app, 64 * 1024).await;
    let (status, _, text) = put(100 * 1024).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("65536"), "{text}");
    let (status, _, text) = put(10 * 1024).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "stored"));

    // Raised: a 1.5 MiB body reaches the guest (whose KV refuses values
    // over 1 MiB: the answer comes from the plugin, not the proxy).
    install_guest_with_limit(&app, 2 * 1024 * 1024).await;
    let (status, _, text) = put(1536 * 1024).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
    assert!(text.starts_with("invalid input: value"), "{text}");

    // Never above 1/16 of the plugin memory cap (64 MiB here → 4 MiB).
    install_guest_with_limit(&app, 8 * 1024 * 1024).await;
    let (status, _, text) = put(5 * 1024 * 1024).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("4194304"), "{text}");

    // An out-of-range declaration is refused at install, naming the field.
    let dir = app.dir.path().join("guest-bad");
    copy_dir(&bundle(GUEST), &dir);
    let path = dir.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["props"] = json!({"chatops": {"max_request_body_bytes": 0}});
    std::fs::write(&path, manifest.to_string()).unwrap();
    let plugins = app.state.plugins.clone();
    let err = tokio::task::spawn_blocking(move || plugins.install_dir(&dir, true))
        .await
        .unwrap()
        .expect_err("refused");
    assert!(
        format!("{err:#}").contains("props.chatops.max_request_body_bytes"),
        "{err:#}"
    );
}

#[tokio::test]
async fn one_user_making_the_plugin_trap_is_throttled_and_cannot_disable_it() {
    let app = sandbox_app().await;
    let _admin = Client::new(&app, "admin").await;
    let mallory = Client::new(&app, "mallory").await;
    let bob = Client::new(&app, "bob").await;
    let panic_route = format!("/plugins/{GUEST}/panic");

    // The first two traps answer 503 with nothing of the trap in them.
    for _ in 0..2 {
        let (status, _, text) =
            send(&app, Some(&mallory.token), Method::GET, &panic_route, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
        let error: Value = serde_json::from_str(&text).expect("Mattermost error body");
        assert_eq!(error["status_code"], 503);
        assert_no_trap_text(&text);
    }
    // Then mallory is throttled for this plugin, on every entry point.
    for _ in 0..3 {
        let (status, headers, text) =
            send(&app, Some(&mallory.token), Method::GET, &panic_route, None).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{text}");
        let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&retry), "{retry}");
        assert_no_trap_text(&text);
    }
    assert_eq!(state_of(&app, GUEST), 2, "still running for everyone");

    // Everyone else is served.
    let (status, _, text) = send(
        &app,
        Some(&bob.token),
        Method::GET,
        &format!("/plugins/{GUEST}/kv/nothing"),
        None,
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::NOT_FOUND, "not found")
    );
    let (status, _, text) = send(
        &app,
        Some(&bob.token),
        Method::GET,
        &format!("/plugins/{GUEST}/count"),
        None,
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "0"));
}

/// A team with a channel that `members` belong to.
fn team_and_channel(app: &TestApp, members: &[&Client<'_>]) -> Channel {
    let chat = &app.state.services.chat;
    let team = Team {
        id: new_id(),
        create_at: now_ms(),
        name: format!("t{}", &new_id()[..8]),
        display_name: "T".into(),
        team_type: "O".into(),
        ..Default::default()
    };
    chat.create_team(&team).unwrap();
    for member in members {
        chat.add_team_member(&team.id, &member.id, "team_user")
            .unwrap();
    }
    let channel = app
        .state
        .services
        .create_channel(Channel {
            team_id: team.id.clone(),
            channel_type: "O".into(),
            name: "room".into(),
            display_name: "Room".into(),
            creator_id: members[0].id.clone(),
            ..Default::default()
        })
        .unwrap();
    for member in members {
        let _ = app
            .state
            .services
            .add_channel_member(&channel.id, &member.id, None);
    }
    channel
}

#[tokio::test]
async fn slash_command_traps_are_throttled_per_user_and_say_nothing_of_the_trap() {
    let app = sandbox_app().await;
    let admin = Client::new(&app, "admin").await;
    let mallory = Client::new(&app, "mallory").await;
    let bob = Client::new(&app, "bob").await;
    let channel = team_and_channel(&app, &[&admin, &mallory, &bob]);
    let run = |who: &Client<'_>, command: &str| {
        let body = json!({"channel_id": channel.id, "command": command});
        let token = who.token.clone();
        let app = &app;
        async move {
            send(
                app,
                Some(&token),
                Method::POST,
                "/api/v4/commands/execute",
                Some(body.to_string().into_bytes()),
            )
            .await
        }
    };
    for _ in 0..2 {
        let (status, _, text) = run(&mallory, "/sandbox panic").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
        assert_no_trap_text(&text);
    }
    for _ in 0..2 {
        let (status, headers, text) = run(&mallory, "/sandbox panic").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{text}");
        assert!(headers.contains_key("retry-after"));
    }
    assert_eq!(state_of(&app, GUEST), 2);
    let (status, _, text) = run(&bob, "/sandbox ok").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("\"ok\""), "{text}");
}

#[tokio::test]
async fn traps_from_several_users_still_disable_a_buggy_plugin() {
    let app = sandbox_app().await;
    let _admin = Client::new(&app, "admin").await;
    let mut users = Vec::new();
    for name in ["ann", "ben", "cat"] {
        users.push(Client::new(&app, name).await);
    }
    for user in &users {
        let (status, _, text) = send(
            &app,
            Some(&user.token),
            Method::GET,
            &format!("/plugins/{GUEST}/panic"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    }
    assert_eq!(state_of(&app, GUEST), 4, "FailedToStayRunning");
}

fn action(user_id: &str, context: Value) -> hooks::ActionRequest {
    hooks::ActionRequest {
        user_id: user_id.into(),
        channel_id: "c".into(),
        team_id: "t".into(),
        post_id: "p".into(),
        trigger_id: String::new(),
        kind: hooks::ActionKind::Button,
        context: context.to_string(),
        selected_option: String::new(),
    }
}

#[tokio::test]
async fn interactive_hooks_are_attributed_to_their_user() {
    let app = sandbox_app().await;
    let plugins = app.state.plugins.clone();
    for _ in 0..2 {
        let outcome = plugins
            .post_action(GUEST, action("mallory", json!({"panic": true})))
            .await
            .expect("running");
        assert!(
            matches!(outcome, Err(HookError::Trapped { .. })),
            "{outcome:?}"
        );
    }
    let submission = hooks::DialogSubmission {
        callback_id: "panic".into(),
        state: String::new(),
        user_id: "mallory".into(),
        channel_id: "c".into(),
        team_id: "t".into(),
        submission: "{}".into(),
        cancelled: false,
    };
    let outcome = plugins
        .dialog_submit(GUEST, submission.clone())
        .await
        .expect("running");
    assert!(
        matches!(outcome, Err(HookError::Throttled { .. })),
        "{outcome:?}"
    );
    // Someone else's dialog trap counts once; the plugin stays up.
    let outcome = plugins
        .dialog_submit(
            GUEST,
            hooks::DialogSubmission {
                user_id: "bob".into(),
                ..submission
            },
        )
        .await
        .expect("running");
    assert!(
        matches!(outcome, Err(HookError::Trapped { .. })),
        "{outcome:?}"
    );
    assert_eq!(state_of(&app, GUEST), 2);
    // An oversized payload is refused before it reaches the guest.
    let outcome = plugins
        .post_action(
            GUEST,
            action("carol", json!({"blob": "x".repeat(3 * 1024 * 1024)})),
        )
        .await
        .expect("running");
    assert!(
        matches!(outcome, Err(HookError::TooLarge { .. })),
        "{outcome:?}"
    );
    let outcome = plugins
        .post_action(GUEST, action("carol", json!({"fine": true})))
        .await
        .expect("running");
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[tokio::test]
async fn plugins_cannot_set_cookies_or_hop_by_hop_headers() {
    let app = sandbox_app().await;
    let (status, headers, text) = send(
        &app,
        None,
        Method::GET,
        &format!("/plugins/{GUEST}/headers"),
        None,
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "headers"));
    assert_eq!(headers["x-plugin-header"], "kept");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    for name in [
        "set-cookie",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "te",
        "trailer",
        "upgrade",
    ] {
        assert!(!headers.contains_key(name), "{name} passed: {headers:?}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn every_answer_says_nosniff() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    for (token, path) in [
        (None, "/api/v4/system/ping"),
        (None, "/api/v4/users/me"),
        (None, "/api/v4/no-such-route"),
        (Some(admin.token.as_str()), "/api/v4/users/me"),
        (Some(&admin.token), "/plugins/playbooks/api/v0/version"),
        (None, "/plugins/no-such-plugin/x"),
        (None, "/"),
        (None, "/login"),
    ] {
        let (status, headers, _) = send(&app, token, Method::GET, path, None).await;
        assert_eq!(
            headers
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{path} ({status})"
        );
    }
    // The web client still loads: its page keeps its own headers.
    let (status, headers, _) = send(&app, None, Method::GET, "/", None).await;
    if status == StatusCode::OK {
        assert!(headers.contains_key("content-security-policy"));
    }
}

#[tokio::test]
async fn kv_get_many_cannot_assemble_more_than_the_per_call_budget() {
    // 32 MiB of plugin memory: one call may return at most 4 MiB.
    let app = spawn_app_with(|c| c.sandbox.memory_limit_bytes = 32 * 1024 * 1024).await;
    install(&app, GUEST).await;
    // One 1 MiB value per call, well inside the hook deadline.
    let fill = |prefix: &str, count: u32| {
        let app = &app;
        let prefix = prefix.to_string();
        async move {
            for i in 0..count {
                let path =
                    format!("/plugins/{GUEST}/fill?prefix={prefix}{i}-&count=1&size=1048576");
                let (status, _, text) = send(app, None, Method::POST, &path, None).await;
                assert_eq!((status, text.as_str()), (StatusCode::OK, "1"));
            }
        }
    };
    let get_many = |prefix: &str| {
        let app = &app;
        let path = format!("/plugins/{GUEST}/get-many?prefix={prefix}");
        async move { send(app, None, Method::GET, &path, None).await }
    };
    fill("big/", 6).await;
    let (status, _, text) = get_many("big/").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
    assert!(
        text.starts_with("invalid input: ") && text.contains("4194304"),
        "a clear invalid-input error naming the budget: {text}"
    );
    fill("small/", 3).await;
    let (status, _, text) = get_many("small/").await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "3145728"));
    assert_eq!(state_of(&app, GUEST), 2);
}

/// Posting is a user's request too: one member whose posts make a plugin's
/// `message-has-been-posted` trap cannot switch the plugin off for everyone.
#[tokio::test]
async fn one_user_whose_posts_trap_the_plugin_cannot_disable_it() {
    let app = sandbox_app().await;
    let seed = crate::helpers::seed(&app);
    let services = app.state.services.clone();
    for _ in 0..4 {
        services
            .create_post(
                host_shim::model::Post {
                    user_id: seed.user.id.clone(),
                    channel_id: seed.channel.id.clone(),
                    message: "sandbox:loop".into(),
                    ..Default::default()
                },
                host_shim::services::Author::User,
            )
            .expect("posted");
    }
    // Four hooks of 300 ms each have long run (and trapped, or been refused
    // once the poster was throttled) by then.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(state_of(&app, GUEST), 2, "the guest is still running");
}
