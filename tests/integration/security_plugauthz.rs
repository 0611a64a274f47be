//! Security regressions (issue 11, findings 1 and 5): every id the playbooks
//! plugin acts on with its bot's rights is checked against the caller's
//! rights first.
//!
//! - A run started from a post (`post_id`, directly or smuggled in the run
//!   dialog's `state`) must not quote a post the starter cannot read: a
//!   private channel's, a DM's, a deleted one.
//! - Broadcast channels: the saving user must be able to post in each; the
//!   check is repeated when a run starts (its creator) and when an update is
//!   broadcast (the poster), and channels that fail are skipped.
//! - Task assignees must be members of the run's team.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{API, Client, assert_error, channel_with, team_with};
use crate::helpers::{TestApp, spawn_app};

/// Alice (system admin), Bob and Carol in team `ops`; `private` holds Alice
/// and Carol; `open` holds everyone; `dm` is Alice's and Carol's DM.
struct World<'a> {
    alice: Client<'a>,
    bob: Client<'a>,
    carol: Client<'a>,
    team_id: String,
    private: String,
    open: String,
    dm: String,
}

async fn world(app: &TestApp) -> World<'_> {
    let alice = Client::new(app, "alice").await;
    let bob = Client::new(app, "bob").await;
    let carol = Client::new(app, "carol").await;
    let team_id = team_with(&alice, "ops", &[&bob, &carol]).await;
    let private = channel_with(&alice, &team_id, "secret-room", "P", &[&carol]).await;
    let open = channel_with(&alice, &team_id, "lobby", "O", &[&bob, &carol]).await;
    let dm = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([alice.id, carol.id])),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        alice,
        bob,
        carol,
        team_id,
        private,
        open,
        dm,
    }
}

async fn post(client: &Client<'_>, channel_id: &str, message: &str) -> String {
    client
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": message})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every message of a channel, read by `client` (who must be able to).
async fn messages(client: &Client<'_>, channel_id: &str) -> Vec<String> {
    let body = client
        .get_ok(&format!("/api/v4/channels/{channel_id}/posts?per_page=200"))
        .await;
    body["posts"]
        .as_object()
        .map(|posts| {
            posts
                .values()
                .filter_map(|p| p["message"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn playbook(client: &Client<'_>, body: Value) -> String {
    let (status, created) = client.api(Method::POST, "/playbooks", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn runs_of(client: &Client<'_>, team_id: &str) -> Vec<Value> {
    let (status, page) = client
        .api(Method::GET, &format!("/runs?team_id={team_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_run_cannot_quote_a_post_its_starter_cannot_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let private_post = post(&w.alice, &w.private, "SECRET-PRIVATE launch codes").await;
    let dm_post = post(&w.alice, &w.dm, "SECRET-DM salary").await;
    let deleted_post = post(&w.alice, &w.open, "SECRET-DELETED oops").await;
    w.alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/posts/{deleted_post}"),
            None,
        )
        .await;
    let pb = playbook(
        &w.bob,
        json!({"title": "Quote", "team_id": w.team_id, "public": true,
               "checklists": [{"title": "A", "items": [{"title": "x"}]}]}),
    )
    .await;

    for (post_id, expected) in [
        (&private_post, StatusCode::FORBIDDEN),
        (&dm_post, StatusCode::FORBIDDEN),
        (&deleted_post, StatusCode::NOT_FOUND),
        (&"p".repeat(26), StatusCode::NOT_FOUND),
    ] {
        let (status, body) = w
            .bob
            .api(
                Method::POST,
                "/runs",
                Some(json!({"playbook_id": pb, "team_id": w.team_id, "post_id": post_id})),
            )
            .await;
        assert_error(status, &body, expected, "post_id");
    }
    assert!(
        runs_of(&w.bob, &w.team_id).await.is_empty(),
        "no run was started"
    );

    // A post Bob can read is quoted as before.
    let readable = post(&w.carol, &w.open, "PUBLIC-NOTE the site is down").await;
    let (status, run) = w
        .bob
        .api(
            Method::POST,
            "/runs",
            Some(json!({"playbook_id": pb, "team_id": w.team_id, "post_id": readable})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let quoted = messages(&w.bob, run["channel_id"].as_str().unwrap()).await;
    assert!(
        quoted.iter().any(|m| m.contains("> PUBLIC-NOTE")),
        "{quoted:?}"
    );
    assert!(!quoted.iter().any(|m| m.contains("SECRET")), "{quoted:?}");
}

#[tokio::test]
async fn the_run_dialog_state_cannot_smuggle_a_post_id() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let private_post = post(&w.alice, &w.private, "SECRET-PRIVATE via dialog").await;
    let pb = playbook(
        &w.bob,
        json!({"title": "Dialog", "team_id": w.team_id, "public": true}),
    )
    .await;
    let state = json!({"channel_id": w.open, "post_id": private_post, "playbook_ids": []});
    let (status, body) = w
        .bob
        .call(
            Method::POST,
            "/api/v4/actions/dialogs/submit",
            Some(json!({
                "url": "/plugins/playbooks/dialog", "callback_id": "playbooks_run",
                "state": state.to_string(), "channel_id": w.open,
                "submission": {"playbook_id": pb}, "cancelled": false,
            })),
        )
        .await;
    // Refused by the host (signed state) or by the plugin (re-checked post).
    assert!(
        !status.is_success() || body.get("error").is_some(),
        "{status} {body}"
    );
    let runs = runs_of(&w.bob, &w.team_id).await;
    for run in &runs {
        let posts = messages(&w.bob, run["channel_id"].as_str().unwrap()).await;
        assert!(!posts.iter().any(|m| m.contains("SECRET")), "{posts:?}");
    }
    assert!(runs.is_empty(), "{runs:?}");
}

#[tokio::test]
async fn saving_a_playbook_needs_post_rights_in_its_broadcast_channels() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for channel in [&w.private, &w.dm] {
        let (status, body) = w
            .bob
            .api(
                Method::POST,
                "/playbooks",
                Some(json!({"title": "Leak", "team_id": w.team_id,
                            "broadcast_enabled": true, "broadcast_channel_ids": [channel]})),
            )
            .await;
        assert_error(
            status,
            &body,
            StatusCode::FORBIDDEN,
            "broadcast_channel_ids",
        );
    }
    // Bob may broadcast where he may post; adding a channel he may not is
    // refused by PATCH and by PUT.
    let pb = playbook(
        &w.bob,
        json!({"title": "Fine", "team_id": w.team_id,
               "broadcast_enabled": true, "broadcast_channel_ids": [w.open]}),
    )
    .await;
    let (status, body) = w
        .bob
        .api(
            Method::PATCH,
            &format!("/playbooks/{pb}"),
            Some(json!({"broadcast_channel_ids": [w.open, w.private]})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "broadcast_channel_ids",
    );
    let mut full = w.bob.get_ok(&format!("{API}/playbooks/{pb}")).await;
    full["broadcast_channel_ids"] = json!([w.dm]);
    let (status, body) = w
        .bob
        .api(Method::PUT, &format!("/playbooks/{pb}"), Some(full))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "broadcast_channel_ids",
    );
    let stored = w.bob.get_ok(&format!("{API}/playbooks/{pb}")).await;
    assert_eq!(stored["broadcast_channel_ids"], json!([w.open]));
    // Carol (a member of the private channel) may add it.
    let pb2 = playbook(
        &w.carol,
        json!({"title": "Carol's", "team_id": w.team_id,
               "broadcast_enabled": true, "broadcast_channel_ids": [w.private, w.open]}),
    )
    .await;
    assert!(!pb2.is_empty());
}

#[tokio::test]
async fn broadcasts_skip_channels_the_acting_user_cannot_post_in() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Alice may post in both channels and saves them; Bob runs the playbook.
    let pb = playbook(
        &w.alice,
        json!({"title": "Announce", "team_id": w.team_id, "public": true,
               "broadcast_enabled": true, "broadcast_channel_ids": [w.private, w.open],
               "status_update_enabled": true}),
    )
    .await;
    let (status, run) = w
        .bob
        .api(
            Method::POST,
            "/runs",
            Some(json!({"playbook_id": pb, "team_id": w.team_id, "name": "BROADCAST-RUN"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_str().unwrap();
    let (status, body) = w
        .bob
        .api(
            Method::POST,
            &format!("/runs/{run_id}/status"),
            Some(json!({"message": "UPDATE-TEXT all good", "reminder": 600})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let private = messages(&w.alice, &w.private).await;
    assert!(
        !private
            .iter()
            .any(|m| m.contains("BROADCAST-RUN") || m.contains("UPDATE-TEXT")),
        "the bot posted into a channel Bob cannot post in: {private:?}"
    );
    let open = messages(&w.alice, &w.open).await;
    assert!(open.iter().any(|m| m.contains("BROADCAST-RUN")), "{open:?}");
    assert!(open.iter().any(|m| m.contains("UPDATE-TEXT")), "{open:?}");
}

#[tokio::test]
async fn task_assignees_must_be_members_of_the_run_team() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let dave = Client::new(&app, "dave").await; // in no team
    let pb = playbook(
        &w.bob,
        json!({"title": "Assign", "team_id": w.team_id,
               "checklists": [{"title": "A", "items": [{"title": "x"}]}]}),
    )
    .await;
    let (status, run) = w
        .bob
        .api(
            Method::POST,
            "/runs",
            Some(json!({"playbook_id": pb, "team_id": w.team_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_str().unwrap();
    let path = format!("/runs/{run_id}/checklists/0/item/0/assignee");
    let (status, body) = w
        .bob
        .api(Method::PUT, &path, Some(json!({"assignee_id": dave.id})))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "assignee_id");
    let (status, body) = w
        .bob
        .api(
            Method::POST,
            &format!("/runs/{run_id}/checklists/0/add"),
            Some(json!({"title": "y", "assignee_id": dave.id})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "assignee_id");
    let (status, body) = w
        .bob
        .api(Method::PUT, &path, Some(json!({"assignee_id": w.carol.id})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
