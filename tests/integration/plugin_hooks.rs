//! The real playbooks component: every hook it exports and every host
//! interface it imports, observed from the host side.

use std::time::Duration;

use host_shim::model::Post;
use host_shim::runtime::hooks;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{eventually, seed, spawn_app, spawn_app_with};

const PLUGIN: &str = "playbooks";

fn command(seed: &crate::helpers::Seed, user_id: &str, text: &str) -> hooks::CommandArgs {
    hooks::CommandArgs {
        user_id: user_id.into(),
        channel_id: seed.channel.id.clone(),
        team_id: seed.team.id.clone(),
        root_id: String::new(),
        command: text.into(),
        trigger_id: String::new(),
    }
}

/// A one-shot HTTP receiver; resolves to the first request's body.
async fn webhook_receiver() -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = socket.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(split) = text.find("\r\n\r\n") {
                let length: usize = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= split + 4 + length {
                    let body = text[split + 4..].to_string();
                    socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .await
                        .unwrap();
                    let _ = tx.send(body);
                    return;
                }
            }
            if n == 0 {
                return;
            }
        }
    });
    (url, rx)
}

fn report(app: &crate::helpers::TestApp, channel_id: &str) -> Option<Value> {
    let bytes = app
        .state
        .services
        .kv
        .get(PLUGIN, &format!("selfcheck/session/{channel_id}"))
        .unwrap()?;
    serde_json::from_slice(&bytes).ok()
}

fn hook_recorded(app: &crate::helpers::TestApp, channel_id: &str, hook: &str) -> Option<()> {
    report(app, channel_id)
        .filter(|r| r["hooks"][hook].is_object())
        .map(|_| ())
}

#[tokio::test]
async fn activation_creates_the_bot_and_registers_the_command() {
    let app = spawn_app().await;
    let chat = &app.state.services.chat;
    let bot_id = chat
        .plugin_bot(PLUGIN)
        .unwrap()
        .expect("bot created on activate");
    assert!(chat.user(&bot_id).unwrap().unwrap().is_bot);
    let registration = chat
        .command("playbook")
        .unwrap()
        .expect("command registered");
    assert_eq!(registration.plugin_id, PLUGIN);
    let autocomplete: Value = serde_json::from_str(&registration.autocomplete_data).unwrap();
    assert_eq!(autocomplete["Trigger"], "playbook");
    let status = app
        .state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == PLUGIN)
        .unwrap();
    assert_eq!(status.state, 2, "running: {status:?}");
}

#[tokio::test]
async fn the_self_check_exercises_every_host_interface_and_hook() {
    let (hook_url, hook_body) = webhook_receiver().await;
    let app =
        spawn_app_with(|c| c.webhooks.allowed_internal_hosts = vec!["127.0.0.1".into()]).await;
    let seed = seed(&app);
    let mut events = app.state.services.events.subscribe();
    let mut settings = serde_json::Map::new();
    settings.insert("SelfCheckWebhookURL".into(), json!(hook_url));
    app.state
        .plugins
        .set_settings(PLUGIN, settings)
        .await
        .expect("settings accepted");
    assert!(
        app.state
            .services
            .kv
            .get(PLUGIN, "lifecycle/configuration-changed-at")
            .unwrap()
            .is_some()
    );

    // A non-admin is refused.
    let refused = app
        .state
        .plugins
        .execute_command(PLUGIN, command(&seed, &seed.user.id, "/playbook selfcheck"))
        .await;
    assert_eq!(
        refused.unwrap().unwrap().unwrap().text,
        "Only system admins can run the self-check."
    );

    let reply = app
        .state
        .plugins
        .execute_command(
            PLUGIN,
            command(&seed, &seed.admin.id, "/playbook selfcheck"),
        )
        .await;
    let reply = reply
        .expect("plugin running")
        .expect("no trap")
        .expect("no error");
    assert_eq!(reply.response_type, hooks::ResponseType::Ephemeral);
    assert!(
        reply.text.contains("13 of 13 checks passed"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("queued POST to http://127.0.0.1"),
        "{}",
        reply.text
    );
    // `commands.execute` ran /echo as the admin, in the channel.
    let echoed = app
        .state
        .services
        .chat
        .channel_posts(
            &seed.channel.id,
            &host_shim::model::PostQuery {
                per_page: 200,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .any(|p| {
            p.user_id == seed.admin.id
                && p.message == "Self-check: commands run on behalf of users."
        });
    assert!(echoed, "the /echo run by the plugin is in the channel");

    // Outgoing webhook delivered.
    let body = tokio::time::timeout(Duration::from_secs(10), hook_body)
        .await
        .expect("webhook in time")
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["event"],
        "selfcheck"
    );

    // Websocket events the check caused, in the order they were published.
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event.event.clone());
    }
    for expected in [
        "posted",
        "post_edited",
        "post_deleted",
        "ephemeral_message",
        "open_dialog",
        "custom_playbooks_selfcheck",
        "user_added",
    ] {
        assert!(
            seen.iter().any(|e| e == expected),
            "no {expected} event in {seen:?}"
        );
    }

    // Scheduler: the job fires about a second later and the bot posts.
    let chat = app.state.services.chat.clone();
    let channel_id = seed.channel.id.clone();
    let fired = eventually(Duration::from_secs(10), || {
        let posts = chat
            .channel_posts(
                &channel_id,
                &host_shim::model::PostQuery {
                    per_page: 50,
                    ..Default::default()
                },
            )
            .unwrap();
        posts
            .into_iter()
            .find(|p| p.message == "Self-check: the scheduler fired.")
    })
    .await;
    assert!(fired.is_some(), "scheduled job did not fire");
    assert!(hook_recorded(&app, &seed.channel.id, "scheduled-job").is_some());

    // message-has-been-posted: a user's message gets a threaded bot reply.
    let ping = app
        .state
        .services
        .create_post(
            Post {
                user_id: seed.user.id.clone(),
                channel_id: seed.channel.id.clone(),
                message: "selfcheck ping".into(),
                ..Default::default()
            },
            host_shim::services::Author::User,
        )
        .unwrap();
    let chat = app.state.services.chat.clone();
    let reply = eventually(Duration::from_secs(10), || {
        chat.thread(&ping.id)
            .unwrap()
            .into_iter()
            .find(|p| p.message == "Self-check: message hooks work.")
    })
    .await
    .expect("bot replied in the thread");
    assert_eq!(
        Some(reply.user_id),
        app.state.services.chat.plugin_bot(PLUGIN).unwrap()
    );

    // user-has-joined-channel.
    let carol = crate::helpers::make_user(&app, "carol", "system_user");
    app.state
        .services
        .chat
        .add_team_member(&seed.team.id, &carol.id, "")
        .unwrap();
    app.state
        .services
        .add_channel_member(&seed.channel.id, &carol.id, Some(&seed.admin.id))
        .unwrap();
    assert!(
        eventually(Duration::from_secs(10), || hook_recorded(
            &app,
            &seed.channel.id,
            "user-has-joined-channel"
        ))
        .await
        .is_some()
    );

    // post-action: the Confirm button on the bot's post.
    let chat = app.state.services.chat.clone();
    let button_post = chat
        .channel_posts(
            &seed.channel.id,
            &host_shim::model::PostQuery {
                per_page: 50,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .find(|p| p.message.starts_with("Self-check started"))
        .expect("self-check post");
    let action = hooks::ActionRequest {
        user_id: seed.admin.id.clone(),
        channel_id: seed.channel.id.clone(),
        team_id: seed.team.id.clone(),
        post_id: button_post.id.clone(),
        trigger_id: String::new(),
        kind: hooks::ActionKind::Button,
        context: json!({"action": "selfcheck-confirm", "channel_id": seed.channel.id}).to_string(),
        selected_option: String::new(),
    };
    let answer = app
        .state
        .plugins
        .call(PLUGIN, "post-action", move |b, s| b.post_action(s, &action))
        .await
        .unwrap()
        .unwrap()
        .expect("action accepted");
    assert_eq!(
        answer.update.expect("post update").message.as_deref(),
        Some("Self-check: interactive buttons work (confirmed by @alice).")
    );

    // dialog-submit: a field error, then acceptance.
    let submission = |note: &str| hooks::DialogSubmission {
        callback_id: "selfcheck".into(),
        state: seed.channel.id.clone(),
        user_id: seed.admin.id.clone(),
        channel_id: seed.channel.id.clone(),
        team_id: seed.team.id.clone(),
        submission: json!({"note": note}).to_string(),
        cancelled: false,
    };
    for (note, errors) in [("x".repeat(300), 1), ("all good".to_string(), 0)] {
        let sub = submission(&note);
        let answer = app
            .state
            .plugins
            .call(PLUGIN, "dialog-submit", move |b, s| {
                b.dialog_submit(s, &sub)
            })
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(answer.errors.len(), errors);
    }
    assert!(hook_recorded(&app, &seed.channel.id, "dialog-submit").is_some());
    assert!(hook_recorded(&app, &seed.channel.id, "post-action").is_some());
}

#[tokio::test]
async fn serve_http_routes_answer_over_real_http() {
    let app = spawn_app().await;
    let version: Value = app
        .http
        .get(app.url("/plugins/playbooks/api/v0/version"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version["id"], "playbooks");

    // The identity header from a client is never trusted.
    let resp = app
        .http
        .get(app.url("/plugins/playbooks/api/v0/selfcheck/abc"))
        .header("Mattermost-User-ID", "someone")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status_code"], 401);
    assert!(body["message"].as_str().unwrap().contains("logged in"));

    let missing = app
        .http
        .get(app.url("/plugins/playbooks/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let not_installed = app
        .http
        .get(app.url("/plugins/nosuchplugin/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(not_installed.status(), 404);
    let body: Value = not_installed.json().await.unwrap();
    assert_eq!(body["id"], "app.plugin.not_found.app_error");
}

#[tokio::test]
async fn the_component_imports_only_this_projects_interfaces() {
    let app = spawn_app().await;
    let _ = &app;
    let runtime =
        host_shim::runtime::PluginRuntime::new(Default::default(), app.dir.path().join("c"))
            .unwrap();
    let wasm = std::fs::read(crate::helpers::bundle(PLUGIN).join("server/plugin.wasm")).unwrap();
    let component = runtime.load_component(&wasm).unwrap();
    let ty = component.component_type();
    let imports: Vec<String> = ty
        .imports(&runtime.engine)
        .map(|(name, _)| name.to_string())
        .collect();
    assert!(!imports.is_empty());
    for name in &imports {
        assert!(
            name.starts_with("chatops:plugin/"),
            "foreign import {name} in {imports:?}"
        );
    }
    let exports: Vec<String> = ty
        .exports(&runtime.engine)
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(exports, vec!["chatops:plugin/hooks@0.2.0".to_string()]);
}
