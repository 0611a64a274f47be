//! Integrations over real HTTP: slash commands (built-ins and the playbooks
//! plugin), autocomplete, incoming webhooks, interactive buttons and
//! dialogs — success, permission denials and bad input.

use std::sync::Arc;
use std::time::Duration;

use host_shim::model::{Channel, Team, User, new_id, now_ms};
use host_shim::services::WsEvent;
use host_shim::services::accounts::NewUser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::helpers::{TestApp, spawn_app};

struct Person {
    user: User,
    token: String,
}

impl Person {
    fn id(&self) -> &str {
        &self.user.id
    }
}

struct Env {
    app: TestApp,
    /// System admin, member of the team and of `incidents`.
    alice: Person,
    /// Team admin, member of `incidents`.
    bob: Person,
    /// Member of the team and of `lobby`, not of `incidents`.
    carol: Person,
    /// Not in the team at all.
    dave: Person,
    team: Team,
    /// Open channel: alice and bob.
    incidents: Channel,
    /// Open channel: carol.
    lobby: Channel,
    /// Open channel: nobody but alice.
    other: Channel,
}

fn person(app: &TestApp, username: &str, admin: bool) -> Person {
    let services = &app.state.services;
    let mut user = services
        .sign_up(NewUser {
            username: username.into(),
            email: format!("{username}@example.com"),
            password: "correct horse".into(),
            ..Default::default()
        })
        .unwrap();
    let roles = if admin {
        "system_admin system_user"
    } else {
        "system_user"
    };
    if user.roles != roles {
        user.roles = roles.into();
        services.chat.update_user(&user).unwrap();
    }
    let (user, token) = services.log_in(username, "correct horse").unwrap();
    assert_eq!(user.roles, roles);
    Person { user, token }
}

fn open_channel(app: &TestApp, team: &Team, name: &str, creator: &Person) -> Channel {
    app.state
        .services
        .create_channel(Channel {
            team_id: team.id.clone(),
            channel_type: "O".into(),
            name: name.into(),
            display_name: name.into(),
            creator_id: creator.id().to_string(),
            ..Default::default()
        })
        .unwrap()
}

async fn env() -> Env {
    let app = spawn_app().await;
    let alice = person(&app, "alice", true);
    let bob = person(&app, "bob", false);
    let carol = person(&app, "carol", false);
    let dave = person(&app, "dave", false);
    let team = Team {
        id: new_id(),
        create_at: now_ms(),
        name: "ops".into(),
        display_name: "Ops".into(),
        team_type: "O".into(),
        ..Default::default()
    };
    let services = &app.state.services;
    services.chat.create_team(&team).unwrap();
    // bob is a team admin: managing incoming webhooks needs
    // `manage_incoming_webhooks` (issue 11, finding 4).
    services
        .chat
        .add_team_member(&team.id, bob.id(), "team_user team_admin")
        .unwrap();
    for p in [&alice, &bob, &carol] {
        services.add_team_member(&team.id, p.id()).unwrap();
    }
    let incidents = open_channel(&app, &team, "incidents", &alice);
    services
        .add_channel_member(&incidents.id, bob.id(), None)
        .unwrap();
    let lobby = open_channel(&app, &team, "lobby", &carol);
    let other = open_channel(&app, &team, "other", &alice);
    Env {
        app,
        alice,
        bob,
        carol,
        dave,
        team,
        incidents,
        lobby,
        other,
    }
}

async fn call(
    app: &TestApp,
    who: &Person,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .http
        .request(method, app.url(path))
        .bearer_auth(&who.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A raw POST with a content type; returns status, content type and body.
async fn raw_post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, String, String) {
    let mut req = app
        .http
        .post(app.url(path))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, resp.text().await.unwrap())
}

/// The Mattermost error body, with the expected status and id.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, id: Option<&str>) {
    assert_eq!(status, expected, "{body}");
    for field in [
        "id",
        "message",
        "detailed_error",
        "request_id",
        "status_code",
    ] {
        assert!(
            body.get(field).is_some(),
            "error body lacks {field}: {body}"
        );
    }
    assert_eq!(body["status_code"], expected.as_u16());
    if let Some(id) = id {
        assert_eq!(body["id"], id, "{body}");
    }
}

fn error_json(status: StatusCode, text: &str, expected: StatusCode, id: Option<&str>) -> Value {
    let body: Value =
        serde_json::from_str(text).unwrap_or_else(|_| panic!("not a JSON error body: {text}"));
    assert_error(status, &body, expected, id);
    body
}

async fn run(env: &Env, who: &Person, channel: &Channel, command: &str) -> (StatusCode, Value) {
    call(
        &env.app,
        who,
        Method::POST,
        "/api/v4/commands/execute",
        Some(json!({"channel_id": channel.id, "team_id": env.team.id, "command": command})),
    )
    .await
}

/// The channel's posts as alice (an admin) sees them, newest first.
async fn posts(env: &Env, channel: &Channel) -> Vec<Value> {
    posts_as(env, &env.alice, channel).await
}

async fn posts_as(env: &Env, who: &Person, channel: &Channel) -> Vec<Value> {
    let (status, list) = call(
        &env.app,
        who,
        Method::GET,
        &format!("/api/v4/channels/{}/posts?per_page=100", channel.id),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| list["posts"][id.as_str().unwrap()].clone())
        .collect()
}

/// Events published so far (without waiting).
fn drain(rx: &mut broadcast::Receiver<Arc<WsEvent>>) -> Vec<Arc<WsEvent>> {
    let mut out = Vec::new();
    while let Ok(event) = rx.try_recv() {
        out.push(event);
    }
    out
}

/// Waits for an event matching `check`.
async fn wait_event(
    rx: &mut broadcast::Receiver<Arc<WsEvent>>,
    check: impl Fn(&WsEvent) -> bool,
) -> Arc<WsEvent> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let event = rx.recv().await.unwrap();
            if check(&event) {
                return event;
            }
        }
    })
    .await
    .expect("event within 10 s")
}

fn event_post(event: &WsEvent) -> Value {
    serde_json::from_str(event.data["post"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn builtin_commands_post_join_leave_and_edit_the_header() {
    let env = env().await;
    let app = &env.app;

    let (status, echo) = run(&env, &env.bob, &env.incidents, "/echo \"hello there\" 3").await;
    assert_eq!(status, StatusCode::OK, "{echo}");
    assert_eq!(echo["response_type"], "in_channel");
    assert_eq!(echo["text"], "hello there");
    for field in [
        "username",
        "icon_url",
        "type",
        "props",
        "goto_location",
        "trigger_id",
        "attachments",
        "extra_responses",
    ] {
        assert!(echo.get(field).is_some(), "response lacks {field}: {echo}");
    }
    let latest = &posts(&env, &env.incidents).await[0];
    assert_eq!(
        (latest["message"].as_str(), latest["user_id"].as_str()),
        (Some("hello there"), Some(env.bob.id()))
    );

    let (status, me) = run(&env, &env.bob, &env.incidents, "/me waves").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let latest = &posts(&env, &env.incidents).await[0];
    assert_eq!(latest["type"], "me");
    assert_eq!(latest["message"], "*waves*");
    assert_eq!(latest["props"]["message"], "waves");

    let mut events = app.state.services.events.subscribe();
    let (status, header) = run(&env, &env.bob, &env.incidents, "/header On call: @bob").await;
    assert_eq!(status, StatusCode::OK, "{header}");
    assert_eq!(header["response_type"], "ephemeral");
    let channel = app
        .state
        .services
        .chat
        .channel(&env.incidents.id)
        .unwrap()
        .unwrap();
    assert_eq!(channel.header, "On call: @bob");
    let latest = &posts(&env, &env.incidents).await[0];
    assert_eq!(latest["type"], "system_header_change");
    assert_eq!(latest["props"]["new_header"], "On call: @bob");
    let ephemeral = wait_event(&mut events, |e| e.event == "ephemeral_message").await;
    assert_eq!(ephemeral.broadcast.user_id, env.bob.id());
    assert_eq!(
        event_post(&ephemeral)["message"],
        "Updated the channel header."
    );

    // Empty /echo: an ephemeral hint, nothing posted.
    let before = posts(&env, &env.incidents).await.len();
    let (status, empty) = run(&env, &env.bob, &env.incidents, "/echo").await;
    assert_eq!(
        (status, empty["response_type"].as_str()),
        (StatusCode::OK, Some("ephemeral"))
    );
    assert_eq!(posts(&env, &env.incidents).await.len(), before);

    // carol joins from her lobby, then leaves again.
    let (status, join) = run(&env, &env.carol, &env.lobby, "/join ~incidents").await;
    assert_eq!(status, StatusCode::OK, "{join}");
    assert_eq!(join["goto_location"], "/ops/channels/incidents");
    assert!(
        app.state
            .services
            .chat
            .is_channel_member(&env.incidents.id, env.carol.id())
            .unwrap()
    );
    let (status, missing) = run(&env, &env.carol, &env.lobby, "/join ~no-such-channel").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(missing["text"], "We couldn't find the channel.");
    let (status, leave) = run(&env, &env.carol, &env.incidents, "/leave").await;
    assert_eq!(status, StatusCode::OK, "{leave}");
    assert!(
        !app.state
            .services
            .chat
            .is_channel_member(&env.incidents.id, env.carol.id())
            .unwrap()
    );

    // Permission: carol (left) and dave (not in the team) cannot run
    // commands in incidents.
    for who in [&env.carol, &env.dave] {
        let (status, body) = run(&env, who, &env.incidents, "/echo sneaky").await;
        assert_error(status, &body, StatusCode::FORBIDDEN, None);
    }
    // Unknown command.
    let (status, body) = run(&env, &env.bob, &env.incidents, "/frobnicate now").await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        Some("api.command.execute_command.not_found.app_error"),
    );
    assert_eq!(
        body["message"],
        "Command with a trigger of '/frobnicate' not found. To send a message beginning with \"/\", try adding an empty space at the beginning of the message."
    );
    // Not a command, malformed JSON, over-long command.
    let (status, body) = run(&env, &env.bob, &env.incidents, "echo hi").await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        Some("api.command.execute_command.start.app_error"),
    );
    let (status, _, text) = raw_post(
        app,
        Some(&env.bob.token),
        "/api/v4/commands/execute",
        "application/json",
        "{\"command\": ",
    )
    .await;
    error_json(
        status,
        &text,
        StatusCode::BAD_REQUEST,
        Some("api.context.invalid_body_param.app_error"),
    );
    let long = format!("/echo {}", "x".repeat(16_400));
    let (status, body) = run(&env, &env.bob, &env.incidents, &long).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);
    // No session.
    let (status, _, text) = raw_post(
        app,
        None,
        "/api/v4/commands/execute",
        "application/json",
        json!({"channel_id": env.incidents.id, "command": "/echo x"}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn autocomplete_suggests_triggers_and_role_filtered_subcommands() {
    let env = env().await;
    let path = |input: &str| {
        format!(
            "/api/v4/teams/{}/commands/autocomplete_suggestions?user_input={}&channel_id={}",
            env.team.id,
            urlencode(input),
            env.incidents.id
        )
    };

    let (status, all) = call(&env.app, &env.bob, Method::GET, &path("/"), None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let triggers: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Suggestion"].as_str().unwrap())
        .collect();
    for trigger in ["echo", "me", "join", "leave", "header", "playbook"] {
        assert!(triggers.contains(&trigger), "{trigger} missing from {all}");
    }
    for field in ["Complete", "Suggestion", "Hint", "Description", "IconData"] {
        assert!(all[0].get(field).is_some(), "{field} missing: {all}");
    }

    let (_, play) = call(&env.app, &env.bob, Method::GET, &path("/play"), None).await;
    assert_eq!(play.as_array().unwrap().len(), 1, "{play}");
    assert_eq!(play[0]["Complete"], "playbook");
    assert_eq!(play[0]["Suggestion"], "playbook");
    assert!(!play[0]["Description"].as_str().unwrap().is_empty());

    let (_, as_user) = call(&env.app, &env.bob, Method::GET, &path("/playbook "), None).await;
    let completes: Vec<&str> = as_user
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Complete"].as_str().unwrap())
        .collect();
    // Every subcommand but the admin-only self-check.
    assert!(completes.contains(&"playbook help"), "{as_user}");
    assert!(completes.contains(&"playbook checkadd"), "{as_user}");
    assert!(!completes.contains(&"playbook selfcheck"), "{as_user}");
    let (_, as_admin) = call(&env.app, &env.alice, Method::GET, &path("/playbook "), None).await;
    let selfcheck = as_admin
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Suggestion"] == "selfcheck")
        .unwrap_or_else(|| panic!("{as_admin}"));
    assert_eq!(selfcheck["Complete"], "playbook selfcheck");
    assert_eq!(selfcheck["Hint"], "");
    assert!(
        selfcheck["Description"]
            .as_str()
            .unwrap()
            .contains("system admins")
    );
    let (_, narrowed) = call(
        &env.app,
        &env.alice,
        Method::GET,
        &path("/playbook sel"),
        None,
    )
    .await;
    assert_eq!(narrowed.as_array().unwrap().len(), 1, "{narrowed}");

    // dave is not in the team; user_input is required.
    let (status, body) = call(
        &env.app,
        &env.dave,
        Method::GET,
        &format!(
            "/api/v4/teams/{}/commands/autocomplete_suggestions?user_input=%2F",
            env.team.id
        ),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = call(
        &env.app,
        &env.bob,
        Method::GET,
        &format!(
            "/api/v4/teams/{}/commands/autocomplete_suggestions",
            env.team.id
        ),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn playbook_commands_buttons_and_dialogs_go_through_the_plugin() {
    let env = env().await;
    let app = &env.app;
    let mut events = app.state.services.events.subscribe();

    // /playbook help: an ephemeral answer from the plugin's bot.
    let (status, help) = run(&env, &env.bob, &env.incidents, "/playbook help").await;
    assert_eq!(status, StatusCode::OK, "{help}");
    assert_eq!(help["response_type"], "ephemeral");
    assert!(
        help["text"]
            .as_str()
            .unwrap()
            .contains("/playbook selfcheck"),
        "{help}"
    );
    let trigger_id = help["trigger_id"].as_str().unwrap().to_string();
    assert_eq!(trigger_id.len(), 26);
    let bot_id = app
        .state
        .services
        .chat
        .plugin_bot("playbooks")
        .unwrap()
        .expect("playbooks bot");
    let shown = wait_event(&mut events, |e| {
        e.event == "ephemeral_message" && e.broadcast.user_id == env.bob.id()
    })
    .await;
    let shown = event_post(&shown);
    assert_eq!(shown["user_id"], bot_id.as_str());
    assert!(
        shown["message"]
            .as_str()
            .unwrap()
            .contains("/playbook selfcheck")
    );

    // A non-admin's self-check is refused by the plugin.
    let (_, refused) = run(&env, &env.bob, &env.incidents, "/playbook selfcheck").await;
    assert_eq!(
        refused["text"],
        "Only system admins can run the self-check."
    );

    // dialogs/open with the command's trigger id: the trigger's user (or
    // an admin) may, others may not; unknown triggers are refused.
    let dialog = json!({"callback_id": "manual", "title": "Manual", "elements": []});
    let open = |trigger: &str| json!({"trigger_id": trigger, "url": "/plugins/playbooks/dialog", "dialog": dialog});
    drain(&mut events);
    let (status, body) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(open(&trigger_id)),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("OK")),
        "{body}"
    );
    let opened = wait_event(&mut events, |e| e.event == "open_dialog").await;
    assert_eq!(opened.broadcast.user_id, env.bob.id());
    let payload: Value = serde_json::from_str(opened.data["dialog"].as_str().unwrap()).unwrap();
    assert_eq!(
        (
            payload["trigger_id"].as_str(),
            payload["dialog"]["callback_id"].as_str()
        ),
        (Some(trigger_id.as_str()), Some("manual"))
    );
    let (status, _) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(open(&trigger_id)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        app,
        &env.carol,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(open(&trigger_id)),
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(open(&new_id())),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);

    // The admin's self-check: every capability passes, a post with a
    // Confirm button appears and a dialog opens for alice.
    drain(&mut events);
    let (status, report) = run(&env, &env.alice, &env.incidents, "/playbook selfcheck").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["text"]
            .as_str()
            .unwrap()
            .contains("13 of 13 checks passed"),
        "{}",
        report["text"]
    );
    let opened = wait_event(&mut events, |e| e.event == "open_dialog").await;
    assert_eq!(opened.broadcast.user_id, env.alice.id());
    let payload: Value = serde_json::from_str(opened.data["dialog"].as_str().unwrap()).unwrap();
    assert_eq!(payload["trigger_id"], report["trigger_id"]);
    assert_eq!(payload["url"], "/plugins/playbooks/dialog");
    assert_eq!(payload["dialog"]["callback_id"], "selfcheck");

    let check_post = posts(&env, &env.incidents)
        .await
        .into_iter()
        .find(|p| p["props"]["attachments"][0]["actions"][0]["id"] == "confirm")
        .expect("self-check post with a Confirm button");
    let post_id = check_post["id"].as_str().unwrap().to_string();
    let action = &check_post["props"]["attachments"][0]["actions"][0];
    assert_eq!(action["integration"]["url"], "/plugins/playbooks/action");
    assert_eq!(
        action["integration"]["context"]["action"],
        "selfcheck-confirm"
    );

    // Clicking: dave cannot read the channel; an unknown action is 404.
    let click = |action: &str| format!("/api/v4/posts/{post_id}/actions/{action}");
    let (status, body) = call(
        app,
        &env.dave,
        Method::POST,
        &click("confirm"),
        Some(json!({})),
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = call(app, &env.bob, Method::POST, &click("nope"), Some(json!({}))).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (status, _, text) = raw_post(
        app,
        Some(&env.bob.token),
        &click("confirm"),
        "application/json",
        "{bad",
    )
    .await;
    error_json(status, &text, StatusCode::BAD_REQUEST, None);
    let (status, clicked) = call(
        app,
        &env.bob,
        Method::POST,
        &click("confirm"),
        Some(json!({"selected_option": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{clicked}");
    assert_eq!(clicked["status"], "OK");
    assert_eq!(clicked["trigger_id"].as_str().unwrap().len(), 26);
    let (_, updated) = call(
        app,
        &env.bob,
        Method::GET,
        &format!("/api/v4/posts/{post_id}"),
        None,
    )
    .await;
    assert_eq!(
        updated["message"],
        "Self-check: interactive buttons work (confirmed by @bob)."
    );
    assert_eq!(updated["channel_id"], env.incidents.id.as_str());
    assert_eq!(updated["user_id"], bot_id.as_str());
    assert_eq!(
        updated["props"]["from_bot"], "true",
        "protected props survive the update: {updated}"
    );
    assert!(updated["props"].get("attachments").is_none(), "{updated}");

    // An action pointing outside the server is refused.
    let (status, foreign) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": env.incidents.id, "message": "external", "props": {"attachments": [{"actions": [
            {"id": "go", "name": "Go", "type": "button", "integration": {"url": "https://hooks.example.com/act", "context": {}}}]}]}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{foreign}");
    let (status, body) = call(
        app,
        &env.bob,
        Method::POST,
        &format!(
            "/api/v4/posts/{}/actions/go",
            foreign["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        Some("api.post.do_action.action_integration.app_error"),
    );
    assert!(
        body["message"].as_str().unwrap().contains("not supported"),
        "{body}"
    );

    // Submitting the self-check dialog: too long a note is answered with a
    // field error (HTTP 200), a short one is accepted.
    // The state is the one the dialog was opened with (sealed by the host).
    let sealed_state = payload["dialog"]["state"].as_str().unwrap().to_string();
    let submit = |note: String| {
        json!({"url": "/plugins/playbooks/dialog", "callback_id": "selfcheck", "state": sealed_state, "user_id": "ignored",
            "channel_id": env.incidents.id, "team_id": env.team.id, "submission": {"note": note}, "cancelled": false})
    };
    let (status, errors) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(submit("x".repeat(300))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{errors}");
    assert_eq!(errors["errors"]["note"], "At most 200 characters.");
    let (status, accepted) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(submit("all good".into())),
    )
    .await;
    assert_eq!((status, accepted.clone()), (StatusCode::OK, json!({})));
    let stored = app
        .state
        .services
        .kv
        .get(
            "playbooks",
            &format!("selfcheck/session/{}", env.incidents.id),
        )
        .unwrap()
        .unwrap();
    let stored: Value = serde_json::from_slice(&stored).unwrap();
    assert_eq!(
        stored["hooks"]["dialog-submit"]["detail"]["note"],
        "all good"
    );
    assert_eq!(
        stored["hooks"]["post-action"]["detail"]["user_id"],
        env.bob.id()
    );

    // Bad submissions: not a plugin URL, an unknown dialog (plugin error),
    // a channel the caller cannot read, a malformed body.
    let mut external = submit("x".into());
    external["url"] = json!("https://hooks.example.com/dialog");
    let (status, body) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(external),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);
    let mut unknown = submit("x".into());
    unknown["callback_id"] = json!("nope");
    // States are sealed per callback: a dialog named `nope` opened for
    // alice through the API gives the state that reaches the plugin.
    drain(&mut events);
    let (status, _) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(
            json!({"trigger_id": report["trigger_id"], "url": "/plugins/playbooks/dialog",
            "dialog": {"callback_id": "nope", "title": "Nope", "elements": []}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let opened = wait_event(&mut events, |e| e.event == "open_dialog").await;
    let nope: Value = serde_json::from_str(opened.data["dialog"].as_str().unwrap()).unwrap();
    unknown["state"] = nope["dialog"]["state"].clone();
    let (status, body) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(unknown),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown dialog nope"),
        "{body}"
    );
    let (status, body) = call(
        app,
        &env.dave,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(submit("x".into())),
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, _, text) = raw_post(
        app,
        Some(&env.alice.token),
        "/api/v4/actions/dialogs/submit",
        "application/json",
        "{\"submission\": [1]}",
    )
    .await;
    error_json(
        status,
        &text,
        StatusCode::BAD_REQUEST,
        Some("api.context.invalid_body_param.app_error"),
    );

    // A stopped plugin's command is unknown, its buttons and dialogs 404.
    let plugins = app.state.plugins.clone();
    tokio::task::spawn_blocking(move || plugins.disable("playbooks"))
        .await
        .unwrap()
        .unwrap();
    let (status, body) = run(&env, &env.bob, &env.incidents, "/playbook help").await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        Some("api.command.execute_command.not_found.app_error"),
    );
    let (status, body) = call(
        app,
        &env.alice,
        Method::POST,
        "/api/v4/actions/dialogs/submit",
        Some(submit("x".into())),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (_, suggestions) = call(
        app,
        &env.bob,
        Method::GET,
        &format!(
            "/api/v4/teams/{}/commands/autocomplete_suggestions?user_input=%2Fplay",
            env.team.id
        ),
        None,
    )
    .await;
    assert_eq!(suggestions, json!([]));
}

#[tokio::test]
async fn incoming_webhooks_manage_and_post() {
    let env = env().await;
    let app = &env.app;

    // Management.
    let create = |channel: &Channel, locked: bool| json!({"channel_id": channel.id, "display_name": "CI", "description": "builds", "username": "", "icon_url": "", "channel_locked": locked});
    let (status, hook) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/hooks/incoming",
        Some(create(&env.incidents, false)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    assert_eq!(
        (
            hook["channel_id"].as_str(),
            hook["team_id"].as_str(),
            hook["user_id"].as_str()
        ),
        (
            Some(env.incidents.id.as_str()),
            Some(env.team.id.as_str()),
            Some(env.bob.id())
        )
    );
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let (status, locked) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/hooks/incoming",
        Some(create(&env.incidents, true)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let locked_id = locked["id"].as_str().unwrap().to_string();
    for who in [&env.carol, &env.dave] {
        let (status, body) = call(
            app,
            who,
            Method::POST,
            "/api/v4/hooks/incoming",
            Some(create(&env.incidents, false)),
        )
        .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, None);
    }
    let (status, _, text) = raw_post(
        app,
        Some(&env.bob.token),
        "/api/v4/hooks/incoming",
        "application/json",
        "{\"channel_id\": 7}",
    )
    .await;
    error_json(
        status,
        &text,
        StatusCode::BAD_REQUEST,
        Some("api.context.invalid_body_param.app_error"),
    );
    let mut too_long = create(&env.incidents, false);
    too_long["display_name"] = json!("d".repeat(65));
    let (status, body) = call(
        app,
        &env.bob,
        Method::POST,
        "/api/v4/hooks/incoming",
        Some(too_long),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, None);

    let team_list = format!("/api/v4/hooks/incoming?team_id={}", env.team.id);
    // Only those who may manage the team's hooks list them (issue 11, finding 4).
    let (status, listed) = call(app, &env.bob, Method::GET, &team_list, None).await;
    assert_eq!(
        (status, listed.as_array().map(Vec::len)),
        (StatusCode::OK, Some(2)),
        "{listed}"
    );
    let (status, body) = call(app, &env.carol, Method::GET, &team_list, None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = call(app, &env.dave, Method::GET, &team_list, None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (_, own) = call(app, &env.carol, Method::GET, "/api/v4/hooks/incoming", None).await;
    assert_eq!(own, json!([]));
    let (_, own) = call(
        app,
        &env.bob,
        Method::GET,
        "/api/v4/hooks/incoming?per_page=1",
        None,
    )
    .await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    let (_, all) = call(app, &env.alice, Method::GET, "/api/v4/hooks/incoming", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (status, one) = call(
        app,
        &env.bob,
        Method::GET,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, one["id"].as_str()),
        (StatusCode::OK, Some(hook_id.as_str()))
    );
    // Only the creator and admins see a hook (issue 11, finding 4).
    let (status, body) = call(
        app,
        &env.carol,
        Method::GET,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = call(
        app,
        &env.dave,
        Method::GET,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);

    // Posting: JSON with overrides.
    let url = format!("/hooks/{hook_id}");
    let (status, content_type, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "build #1 passed", "username": "ci-bot", "icon_url": "https://ci.example.com/icon.png", "props": {"build": 1, "from_bot": "true"}}).to_string(),
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let latest = &posts(&env, &env.incidents).await[0];
    assert_eq!(latest["message"], "build #1 passed");
    assert_eq!(latest["user_id"], env.bob.id());
    assert_eq!(latest["props"]["from_webhook"], "true");
    assert_eq!(latest["props"]["override_username"], "ci-bot");
    assert_eq!(
        latest["props"]["override_icon_url"],
        "https://ci.example.com/icon.png"
    );
    assert_eq!(latest["props"]["build"], 1);
    assert!(latest["props"].get("from_bot").is_none(), "{latest}");

    // Raw newlines inside JSON strings (Slack senders do that).
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        "{\"text\": \"line one\nline two\"}",
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(
        posts(&env, &env.incidents).await[0]["message"],
        "line one\nline two"
    );

    // Form payload= .
    let form = format!(
        "payload={}",
        urlencode(&json!({"text": "from a form"}).to_string())
    );
    let (status, _, text) =
        raw_post(app, None, &url, "application/x-www-form-urlencoded", form).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(
        posts(&env, &env.incidents).await[0]["message"],
        "from a form"
    );

    // Attachments only.
    let (status, _, _) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"attachments": [{"text": "details", "color": "#ff0000"}]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let latest = &posts(&env, &env.incidents).await[0];
    assert_eq!(latest["props"]["attachments"][0]["text"], "details");

    // Another channel of the team, and a direct message to carol.
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "to other", "channel": "#other"}).to_string(),
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(posts(&env, &env.other).await[0]["message"], "to other");
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "psst", "channel": "@carol"}).to_string(),
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    let dm = app
        .state
        .services
        .direct_channel(env.bob.id(), env.carol.id())
        .unwrap();
    assert_eq!(
        posts_as(&env, &env.carol, &dm)
            .await
            .first()
            .map(|p| p["message"].clone()),
        Some(json!("psst"))
    );

    // Bad input.
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": ""}).to_string(),
    )
    .await;
    let body = error_json(
        status,
        &text,
        StatusCode::BAD_REQUEST,
        Some("web.incoming_webhook.text.app_error"),
    );
    assert_eq!(body["message"], "No text specified");
    let (status, _, text) = raw_post(app, None, &url, "application/json", "{\"text\": ").await;
    error_json(
        status,
        &text,
        StatusCode::BAD_REQUEST,
        Some("model.incoming_hook.parse_data.app_error"),
    );
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/x-www-form-urlencoded",
        "text=hi",
    )
    .await;
    error_json(status, &text, StatusCode::BAD_REQUEST, None);
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "x".repeat(16_384)}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::BAD_REQUEST, None);
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "x", "channel": "#nowhere"}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::NOT_FOUND, None);
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "x", "channel": "@nobody"}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::BAD_REQUEST, None);
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "x", "type": "system_join_channel"}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::BAD_REQUEST, None);

    // A locked hook posts to its own channel only.
    let locked_url = format!("/hooks/{locked_id}");
    let before = posts(&env, &env.other).await.len();
    for target in ["#other", "other", "@carol"] {
        let (status, _, text) = raw_post(
            app,
            None,
            &locked_url,
            "application/json",
            json!({"text": "escape", "channel": target}).to_string(),
        )
        .await;
        error_json(
            status,
            &text,
            StatusCode::FORBIDDEN,
            Some("web.incoming_webhook.channel_locked.app_error"),
        );
    }
    assert_eq!(posts(&env, &env.other).await.len(), before);
    let (status, _, _) = raw_post(
        app,
        None,
        &locked_url,
        "application/json",
        json!({"text": "home", "channel": "incidents"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Unknown hook; deleting (creator or admin only); deleted hooks 404.
    let (status, _, text) = raw_post(
        app,
        None,
        &format!("/hooks/{}", new_id()),
        "application/json",
        json!({"text": "x"}).to_string(),
    )
    .await;
    error_json(
        status,
        &text,
        StatusCode::NOT_FOUND,
        Some("web.incoming_webhook.invalid.app_error"),
    );
    let (status, body) = call(
        app,
        &env.carol,
        Method::DELETE,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, _) = call(
        app,
        &env.bob,
        Method::DELETE,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        app,
        &env.alice,
        Method::DELETE,
        &format!("/api/v4/hooks/incoming/{locked_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, text) = raw_post(
        app,
        None,
        &url,
        "application/json",
        json!({"text": "x"}).to_string(),
    )
    .await;
    error_json(status, &text, StatusCode::NOT_FOUND, None);
    let (status, body) = call(
        app,
        &env.bob,
        Method::GET,
        &format!("/api/v4/hooks/incoming/{hook_id}"),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn plugin_command_errors_are_ephemeral_and_traps_are_500() {
    let env = env().await;
    crate::helpers::install(&env.app, "sandbox-guest").await;
    let mut events = env.app.state.services.events.subscribe();

    let (status, ok) = run(&env, &env.bob, &env.incidents, "/sandbox ok").await;
    assert_eq!(
        (status, ok["text"].as_str()),
        (StatusCode::OK, Some("ok")),
        "{ok}"
    );

    // The plugin's error becomes an ephemeral answer with its text.
    drain(&mut events);
    let (status, failed) = run(&env, &env.bob, &env.incidents, "/sandbox frobnicate").await;
    assert_eq!(status, StatusCode::OK, "{failed}");
    assert_eq!(
        (failed["response_type"].as_str(), failed["text"].as_str()),
        (Some("ephemeral"), Some("unknown"))
    );
    let shown = wait_event(&mut events, |e| e.event == "ephemeral_message").await;
    assert_eq!(event_post(&shown)["message"], "unknown");

    // A trap is Mattermost's "failed" 500; the server keeps serving.
    let (status, body) = run(&env, &env.bob, &env.incidents, "/sandbox panic").await;
    assert_error(
        status,
        &body,
        StatusCode::INTERNAL_SERVER_ERROR,
        Some("api.command.execute_command.failed.app_error"),
    );
    assert_eq!(
        body["message"],
        "Command with a trigger of '/sandbox' failed."
    );
    let (status, again) = run(&env, &env.bob, &env.incidents, "/sandbox ok").await;
    assert_eq!(
        (status, again["text"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}
