//! The runs REST API over real HTTP, through the real wasm component: a
//! playbook is created, a run started from it (its channel created by the
//! plugin through the host), then read, listed, patched, finished and
//! restored; a non-member is denied.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::client::{API, Client, request};
use crate::helpers::spawn_app;

#[tokio::test]
async fn run_lifecycle_over_http() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await; // first user: system admin
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await; // in the team, not in the playbook

    let (status, team) = alice
        .call(
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Ops", "type": "O"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    for user in [&bob.id, &carol.id] {
        let (status, body) = alice
            .call(
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": user})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let (status, created) = bob
        .api(
            Method::POST,
            "/playbooks",
            Some(json!({
                "title": "Incident response",
                "team_id": team_id,
                "public": false,
                "run_number_prefix": "INC",
                "channel_name_template": "{SEQ} incident",
                "checklists": [{"title": "Triage", "items": [{"title": "Assess", "due_date": 900000}, {"title": "Page"}]}],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let playbook_id = created["id"].as_str().unwrap().to_string();

    // Start.
    let (status, run, headers) = request(
        &app,
        Some(&bob.token),
        Method::POST,
        &format!("{API}/runs"),
        Some(json!({"playbook_id": playbook_id, "team_id": team_id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_str().unwrap().to_string();
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{API}/runs/{run_id}").as_str())
    );
    assert_eq!(run["name"], "INC-00001 incident");
    assert_eq!(run["sequential_id"], "INC-00001");
    assert_eq!(run["current_status"], "InProgress");
    assert_eq!(run["owner_user_id"], bob.id.as_str());
    assert_eq!(run["task_total"], 2);
    assert!(
        run["checklists"][0]["items"][0]["due_date"]
            .as_i64()
            .unwrap()
            > 900000
    );

    // The channel exists on the server: private, with the playbook header.
    let channel_id = run["channel_id"].as_str().unwrap();
    let (status, channel) = bob.get(&format!("/api/v4/channels/{channel_id}")).await;
    assert_eq!(status, StatusCode::OK, "{channel}");
    assert_eq!(channel["type"], "P");
    assert_eq!(channel["team_id"], team_id.as_str());
    assert_eq!(channel["display_name"], "INC-00001 incident");
    assert!(
        channel["name"]
            .as_str()
            .unwrap()
            .starts_with("inc-00001-incident-"),
        "{channel}"
    );
    assert!(
        channel["header"]
            .as_str()
            .unwrap()
            .contains(&format!("(/playbooks/playbooks/{playbook_id})")),
        "{channel}"
    );

    // Read, deny, list.
    let (status, got) = bob.api(Method::GET, &format!("/runs/{run_id}"), None).await;
    assert_eq!((status, got["id"].clone()), (StatusCode::OK, json!(run_id)));
    let (status, _) = carol
        .api(Method::GET, &format!("/runs/{run_id}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = bob
        .api(
            Method::GET,
            &format!("/runs?team_id={team_id}&participant_id=me&statuses=InProgress"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total_count"], 1);
    let (_, list) = carol.api(Method::GET, "/runs", None).await;
    assert_eq!(list["total_count"], 0);

    // Patch, finish, refuse, restore.
    let (status, patched) = bob
        .api(
            Method::PATCH,
            &format!("/runs/{run_id}"),
            Some(json!({"summary": "DB down"})),
        )
        .await;
    assert_eq!(
        (status, patched["summary"].clone()),
        (StatusCode::OK, json!("DB down"))
    );
    let (status, finished) = bob
        .api(Method::PUT, &format!("/runs/{run_id}/finish"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{finished}");
    assert_eq!(finished["current_status"], "Finished");
    let (status, refused) = bob
        .api(
            Method::PATCH,
            &format!("/runs/{run_id}"),
            Some(json!({"name": "late"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, restored) = bob
        .api(Method::PUT, &format!("/runs/{run_id}/restore"), None)
        .await;
    assert_eq!(
        (status, restored["current_status"].clone()),
        (StatusCode::OK, json!("InProgress"))
    );
}
