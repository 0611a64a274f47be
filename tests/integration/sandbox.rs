//! The sandbox: deadlines, memory caps, panics and the health check, proven
//! with a guest that misbehaves on purpose.

use std::time::{Duration, Instant};

use host_shim::runtime::hooks;
use host_shim::runtime::{HookError, TrapKind};

use crate::helpers::{TestApp, install, spawn_app_with};

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

async fn run(app: &TestApp, what: &str) -> Result<String, HookError> {
    run_as(app, "u", what).await
}

async fn run_as(app: &TestApp, user_id: &str, what: &str) -> Result<String, HookError> {
    let args = hooks::CommandArgs {
        user_id: user_id.into(),
        channel_id: "c".into(),
        team_id: "t".into(),
        root_id: String::new(),
        command: format!("/sandbox {what}"),
        trigger_id: String::new(),
    };
    let answer = app
        .state
        .plugins
        .execute_command(GUEST, args)
        .await
        .expect("guest running")?;
    Ok(answer
        .map(|r| r.text)
        .unwrap_or_else(|e| format!("error: {e:?}")))
}

fn trap_kind(result: Result<String, HookError>) -> (TrapKind, String) {
    match result {
        Err(HookError::Trapped { kind, message, .. }) => (kind, message),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[tokio::test]
async fn an_infinite_loop_is_interrupted_at_the_deadline_and_the_plugin_recovers() {
    let app = sandbox_app().await;
    let started = Instant::now();
    let (kind, _) = trap_kind(run(&app, "loop").await);
    let elapsed = started.elapsed();
    assert_eq!(kind, TrapKind::Deadline);
    assert!(
        // Interrupted, not merely slow; generous upper bound for loaded CI machines.
        // The deadline counts whole epoch ticks, so it may end up to one tick early.
        elapsed >= Duration::from_millis(300) - host_shim::runtime::engine::EPOCH_TICK
            && elapsed < Duration::from_secs(15),
        "took {elapsed:?}"
    );
    assert_eq!(
        run(&app, "ok").await.unwrap(),
        "ok",
        "a fresh instance serves the next call"
    );
}

#[tokio::test]
async fn a_memory_bomb_stops_at_the_cap() {
    let app = sandbox_app().await;
    let (kind, message) = trap_kind(run(&app, "bomb").await);
    assert_eq!(kind, TrapKind::MemoryLimit, "{message}");
    assert_eq!(run(&app, "ok").await.unwrap(), "ok");
}

#[tokio::test]
async fn a_panic_is_reported_with_its_message_and_the_instance_recycled() {
    let app = sandbox_app().await;
    let (kind, message) = trap_kind(run(&app, "panic").await);
    assert_eq!(kind, TrapKind::Panic);
    assert!(
        message.contains("sandbox guest panicked on purpose"),
        "{message}"
    );
    assert_eq!(run(&app, "ok").await.unwrap(), "ok");
    // Guest errors are answers, not failures.
    assert!(
        run(&app, "what")
            .await
            .unwrap()
            .starts_with("error: InvalidInput")
    );
}

#[tokio::test]
async fn three_failures_disable_the_plugin_and_the_server_keeps_serving() {
    let app = sandbox_app().await;
    // Three different users: one user's traps count once toward disabling
    // (issue 11; `runtime::health`).
    for (user, what) in [("u1", "panic"), ("u2", "loop"), ("u3", "panic")] {
        trap_kind(run_as(&app, user, what).await);
    }
    let status = app
        .state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == GUEST)
        .unwrap();
    assert_eq!(status.state, 4, "FailedToStayRunning: {status:?}");
    assert!(status.error.contains("3 failures"), "{}", status.error);
    let args = hooks::CommandArgs {
        user_id: "u".into(),
        channel_id: "c".into(),
        team_id: "t".into(),
        root_id: String::new(),
        command: "/sandbox ok".into(),
        trigger_id: String::new(),
    };
    assert!(
        app.state
            .plugins
            .execute_command(GUEST, args)
            .await
            .is_none(),
        "no hooks run while disabled"
    );
    // Other plugins and the server are fine.
    assert_eq!(
        app.http
            .get(app.url("/api/v4/system/ping"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.http
            .get(app.url("/plugins/playbooks/api/v0/version"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // An admin re-enabling it gives it a fresh start.
    let plugins = app.state.plugins.clone();
    tokio::task::spawn_blocking(move || plugins.enable(GUEST))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run(&app, "ok").await.unwrap(), "ok");
}

#[tokio::test]
async fn a_looping_http_route_answers_503_and_the_server_stays_up() {
    let app = sandbox_app().await;
    let resp = app
        .http
        .get(app.url("/plugins/sandbox-guest/loop"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("deadline exceeded"),
        "{body}"
    );
    assert_eq!(
        app.http
            .get(app.url("/api/v4/system/ping"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_plugin_stuck_in_a_message_hook_never_blocks_posting() {
    let app = sandbox_app().await;
    let seed = crate::helpers::seed(&app);
    // Three people's posts: traps are charged to the poster, and one person
    // alone cannot get a plugin disabled (issue 11).
    let carol = crate::helpers::make_user(&app, "carol", "system_user");
    app.state
        .services
        .chat
        .add_team_member(&seed.team.id, &carol.id, "team_user")
        .expect("team member");
    app.state
        .services
        .add_channel_member(&seed.channel.id, &carol.id, None)
        .expect("member");
    let post = |user_id: &str, message: &str| host_shim::model::Post {
        user_id: user_id.to_string(),
        channel_id: seed.channel.id.clone(),
        message: message.into(),
        ..Default::default()
    };
    let services = app.state.services.clone();
    let started = Instant::now();
    for user_id in [&seed.admin.id, &seed.user.id, &carol.id] {
        services
            .create_post(
                post(user_id, "sandbox:loop"),
                host_shim::services::Author::User,
            )
            .expect("posted");
    }
    // Stored and acknowledged at once; the hooks run (and trap) afterwards.
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "posting waited for the plugin: {:?}",
        started.elapsed()
    );
    let plugins = app.state.plugins.clone();
    let disabled = crate::helpers::eventually(Duration::from_secs(20), || {
        plugins
            .statuses()
            .into_iter()
            .find(|s| s.plugin_id == GUEST && s.state == 4)
    })
    .await;
    assert!(disabled.is_some(), "three trapped hooks disable the guest");
    // The posts are all there and the playbooks plugin is unaffected.
    let stored = services
        .chat
        .channel_posts(
            &seed.channel.id,
            &host_shim::model::PostQuery {
                per_page: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        stored
            .iter()
            .filter(|p| p.message == "sandbox:loop")
            .count(),
        3
    );
    assert_eq!(
        app.http
            .get(app.url("/plugins/playbooks/api/v0/version"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
