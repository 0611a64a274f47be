//! Issue 11, finding 1 (host side): what comes back from a client — a
//! dialog's `state`, a post action's integration — is not trusted. The host
//! seals dialog states and signs plugin actions; forged or replayed ones
//! never reach the plugin.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{API, Client, assert_error, channel_with, team_with};
use crate::helpers::spawn_app;

const DIALOG_URL: &str = "/plugins/playbooks/dialog";

/// A team with alice (admin) and bob, a private channel of alice's with a
/// secret post, and a playbook bob may run; (team, town square, secret post,
/// playbook).
async fn setup(alice: &Client<'_>, bob: &Client<'_>) -> (String, String, String, String) {
    let team_id = team_with(alice, "ops", &[bob]).await;
    let secret = channel_with(alice, &team_id, "secret", "P", &[]).await;
    let post = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": secret, "message": "the launch codes are 0000"})),
        )
        .await;
    let town = bob
        .get_ok(&format!(
            "/api/v4/teams/{team_id}/channels/name/town-square"
        ))
        .await;
    let (status, playbook) = bob
        .api(
            Method::POST,
            "/playbooks",
            Some(
                json!({"title": "Incident", "team_id": team_id, "public": true,
                "checklists": [{"title": "Triage", "items": [{"title": "Assess"}]}]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{playbook}");
    (
        team_id,
        town["id"].as_str().unwrap().to_string(),
        post["id"].as_str().unwrap().to_string(),
        playbook["id"].as_str().unwrap().to_string(),
    )
}

fn run_submission(state: &str, channel_id: &str, team_id: &str, playbook_id: &str) -> Value {
    json!({"url": DIALOG_URL, "callback_id": "playbooks_run", "state": state,
        "channel_id": channel_id, "team_id": team_id, "cancelled": false,
        "submission": {"playbook_id": playbook_id, "name": "forged"}})
}

async fn submit(client: &Client<'_>, body: Value) -> (StatusCode, Value) {
    client
        .call(Method::POST, "/api/v4/actions/dialogs/submit", Some(body))
        .await
}

async fn run_count(client: &Client<'_>, team_id: &str) -> u64 {
    let runs = client
        .get_ok(&format!("{API}/runs?team_id={team_id}&per_page=100"))
        .await;
    runs["total_count"].as_u64().unwrap()
}

#[tokio::test]
async fn a_forged_dialog_state_never_reaches_the_plugin() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let (team_id, town, secret_post, playbook_id) = setup(&alice, &bob).await;

    // The attack: bob submits the run dialog with a state naming alice's
    // private post, which the bot would quote into the run channel.
    let forged = json!({"post_id": secret_post}).to_string();
    let (status, body) = submit(&bob, run_submission(&forged, &town, &team_id, &playbook_id)).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "Invalid dialog state",
    );
    assert_eq!(body["id"], "api.dialog.submit.state.app_error");
    assert_eq!(run_count(&bob, &team_id).await, 0, "no run was started");

    // The real flow: the plugin opens the dialog for bob; its sealed state
    // comes back unchanged and works.
    let mut socket = bob.socket().await;
    let (status, body) = bob.command(&town, "/playbook run").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opened = socket.next_event("open_dialog").await;
    let payload: Value = serde_json::from_str(opened["data"]["dialog"].as_str().unwrap()).unwrap();
    let sealed = payload["dialog"]["state"].as_str().unwrap().to_string();
    assert!(sealed.starts_with("v1."), "{sealed}");

    // Replayed by someone else, or with another callback, it is refused.
    let (status, body) = submit(
        &alice,
        run_submission(&sealed, &town, &team_id, &playbook_id),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "Invalid dialog state",
    );
    let mut other_callback = run_submission(&sealed, &town, &team_id, &playbook_id);
    other_callback["callback_id"] = json!("playbooks_finish");
    let (status, body) = submit(&bob, other_callback).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "Invalid dialog state",
    );
    assert_eq!(run_count(&bob, &team_id).await, 0);

    let (status, body) = submit(&bob, run_submission(&sealed, &town, &team_id, &playbook_id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(run_count(&bob, &team_id).await, 1, "the sealed state works");
    socket.close().await;
}

#[tokio::test]
async fn a_dialog_opened_through_the_api_carries_no_caller_state() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let (_team_id, town, secret_post, _playbook_id) = setup(&alice, &bob).await;

    // Any command answer gives bob a trigger id for the plugin.
    let (status, answer) = bob.command(&town, "/playbook info").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let trigger_id = answer["trigger_id"].as_str().unwrap().to_string();
    let mut socket = bob.socket().await;
    let forged = json!({"post_id": secret_post}).to_string();
    bob.expect(
        StatusCode::OK,
        Method::POST,
        "/api/v4/actions/dialogs/open",
        Some(json!({"trigger_id": trigger_id, "url": DIALOG_URL,
            "dialog": {"callback_id": "playbooks_run", "title": "Run", "state": forged, "elements": []}})),
    )
    .await;
    let opened = socket.next_event("open_dialog").await;
    let payload: Value = serde_json::from_str(opened["data"]["dialog"].as_str().unwrap()).unwrap();
    let state = payload["dialog"]["state"].as_str().unwrap();
    assert!(
        !state.contains(&secret_post),
        "the caller's state was dropped: {state}"
    );
    socket.close().await;
}

#[tokio::test]
async fn an_action_a_user_wrote_does_not_reach_the_plugin() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let (_team_id, town, secret_post, _playbook_id) = setup(&alice, &bob).await;

    // bob writes a button that names the plugin's action URL with a context
    // of his choosing, then clicks it.
    let post = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "click me", "props": {"attachments": [{"actions": [
                {"id": "go", "name": "Go", "type": "button", "integration": {
                    "url": "/plugins/playbooks/action",
                    "context": {"action": "selfcheck-confirm", "post_id": secret_post}}}]}]}})),
        )
        .await;
    let post_id = post["id"].as_str().unwrap();
    let (status, body) = bob
        .call(
            Method::POST,
            &format!("/api/v4/posts/{post_id}/actions/go"),
            Some(json!({})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "Action integration error",
    );
    assert_eq!(
        body["id"],
        "api.post.do_action.action_integration.app_error"
    );

    // Copying a signature from a real plugin post into another post does not
    // help either: signatures are bound to their post.
    let (status, report) = alice.command(&town, "/playbook selfcheck").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let posts = bob
        .get_ok(&format!("/api/v4/channels/{town}/posts?per_page=50"))
        .await;
    let signed = posts["posts"]
        .as_object()
        .unwrap()
        .values()
        .find(|p| p["props"]["attachments"][0]["actions"][0]["id"] == "confirm")
        .expect("the self-check post with its Confirm button")
        .clone();
    let action = signed["props"]["attachments"][0]["actions"][0].clone();
    assert!(action["integration"]["signature"].is_string(), "{action}");
    let copy = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "copy",
                "props": {"attachments": [{"actions": [action]}]}})),
        )
        .await;
    let (status, body) = bob
        .call(
            Method::POST,
            &format!(
                "/api/v4/posts/{}/actions/confirm",
                copy["id"].as_str().unwrap()
            ),
            Some(json!({})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "Action integration error",
    );
    // The plugin's own button still works.
    let (status, body) = bob
        .call(
            Method::POST,
            &format!(
                "/api/v4/posts/{}/actions/confirm",
                signed["id"].as_str().unwrap()
            ),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A server upgraded from a release without signatures: the buttons its
/// plugin already posted (marked `from_plugin`, older than the key) still
/// reach the plugin; the same post without that mark does not.
#[tokio::test]
async fn buttons_a_plugin_posted_before_signing_keep_working() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let (_team_id, town, _secret, _playbook) = setup(&alice, &bob).await;
    let stored = |id: &str, from_plugin: bool| {
        let mut post = host_shim::model::Post {
            id: id.to_string(),
            create_at: 1,
            update_at: 1,
            user_id: alice.id.clone(),
            channel_id: town.clone(),
            message: "old reminder".into(),
            ..Default::default()
        };
        post.props =
            json!({"attachments": [{"actions": [{"id": "go", "name": "Go", "type": "button",
            "integration": {"url": "/plugins/playbooks/action", "context": {"action": "nope"}}}]}]})
            .as_object()
            .unwrap()
            .clone();
        if from_plugin {
            post.props.insert("from_plugin".into(), json!("true"));
        }
        app.state
            .services
            .chat
            .create_post_with(&post, &Default::default())
            .unwrap();
    };
    let old = host_shim::model::new_id();
    let forged = host_shim::model::new_id();
    stored(&old, true);
    stored(&forged, false);
    let click = |id: &str| format!("/api/v4/posts/{id}/actions/go");
    let (status, body) = bob
        .call(Method::POST, &click(&forged), Some(json!({})))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "Action integration error",
    );
    // The plugin itself answers (it knows no action "nope"): not the host's 403.
    let (status, body) = bob.call(Method::POST, &click(&old), Some(json!({}))).await;
    assert_ne!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        !body.to_string().contains("was not created by the plugin"),
        "{body}"
    );
}
