//! The playbooks REST API (`/plugins/playbooks/api/v0/playbooks…`) over real
//! HTTP, through the real wasm component: create → get → list → patch →
//! export → import → duplicate → archive → restore, with a permission
//! denial and a field-naming validation error.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, log_in_new_user, spawn_app};

const API: &str = "/plugins/playbooks/api/v0";

struct Client<'a> {
    app: &'a TestApp,
    token: String,
    id: String,
}

struct Resp {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
    fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

async fn request(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Resp {
    let (status, body, headers) = crate::client::request(app, token, method, path, body).await;
    Resp {
        status,
        headers,
        body,
    }
}

impl<'a> Client<'a> {
    async fn new(app: &'a TestApp, username: &str) -> Client<'a> {
        let token = log_in_new_user(app, username).await;
        let me = request(app, Some(&token), Method::GET, "/api/v4/users/me", None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        let id = me.body["id"].as_str().unwrap().to_string();
        Client { app, token, id }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        request(self.app, Some(&self.token), method, path, body).await
    }

    /// A call to the playbooks API (`path` below `/api/v0`).
    async fn api(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.call(method, &format!("{API}{path}"), body).await
    }
}

fn playbook(team_id: &str, title: &str) -> Value {
    json!({
        "title": title,
        "description": "How we respond to **production** incidents.",
        "team_id": team_id,
        "run_number_prefix": "INC",
        "channel_name_template": "{SEQ} - incident",
        "checklists": [
            {"title": "Triage", "items": [{"title": "Assess severity", "due_date": 900000}, {"title": "Page on-call", "command": "/page oncall"}]},
            {"title": "Resolve", "items": [{"title": "Write the timeline"}]}
        ],
        "metrics": [{"title": "Time to resolve", "type": "metric_duration", "target": 3600000}]
    })
}

fn titles(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn playbook_lifecycle_over_http() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await; // first user: system admin
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await; // not in the team

    let team = alice
        .call(
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Ops", "type": "O"})),
        )
        .await;
    assert_eq!(team.status, StatusCode::CREATED, "{}", team.body);
    let team_id = team.body["id"].as_str().unwrap().to_string();
    let added = alice
        .call(
            Method::POST,
            &format!("/api/v4/teams/{team_id}/members"),
            Some(json!({"team_id": team_id, "user_id": bob.id})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    // Create.
    let created = bob
        .api(
            Method::POST,
            "/playbooks",
            Some(playbook(&team_id, "Incident response")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.header("location"), format!("{API}/playbooks/{id}"));

    // Get: the Location answers.
    let got = bob
        .call(Method::GET, created.header("location"), None)
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["title"], "Incident response");
    assert_eq!(got.body["team_id"], team_id.as_str());
    assert_eq!(
        got.body["members"],
        json!([{"user_id": bob.id, "roles": ["playbook_member", "playbook_admin"]}])
    );
    assert_eq!(
        (
            got.body["num_stages"].as_i64(),
            got.body["num_steps"].as_i64()
        ),
        (Some(2), Some(3))
    );

    // List.
    let list = bob
        .api(Method::GET, &format!("/playbooks?team_id={team_id}"), None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        (
            list.body["total_count"].as_u64(),
            list.body["has_more"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert_eq!(titles(&list.body), ["Incident response"]);

    // Patch.
    let patched = bob
        .api(
            Method::PATCH,
            &format!("/playbooks/{id}"),
            Some(json!({"title": "Major incident", "retrospective_enabled": false})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        (
            patched.body["title"].as_str(),
            patched.body["retrospective_enabled"].as_bool()
        ),
        (Some("Major incident"), Some(false))
    );
    assert_eq!(
        patched.body["checklists"], got.body["checklists"],
        "untouched fields stay"
    );

    // Export.
    let export = bob
        .api(Method::GET, &format!("/playbooks/{id}/export"), None)
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(
        export.header("content-disposition"),
        "attachment; filename=\"major-incident.json\""
    );
    assert_eq!(export.body["version"], 1);
    assert_eq!(
        export.body["retrospective_enabled"],
        Value::Null,
        "zero values are left out"
    );

    // Import round trip (a new prefix: prefixes are unique per team).
    let mut file = export.body.clone();
    file["run_number_prefix"] = json!("MAJ");
    let imported = bob
        .api(
            Method::POST,
            &format!("/playbooks/import?team_id={team_id}"),
            Some(file),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let imported_id = imported.body["id"].as_str().unwrap().to_string();
    assert_ne!(imported_id, id);
    let copy = bob
        .api(Method::GET, &format!("/playbooks/{imported_id}"), None)
        .await;
    assert_eq!(copy.status, StatusCode::OK);
    let reexport = bob
        .api(
            Method::GET,
            &format!("/playbooks/{imported_id}/export"),
            None,
        )
        .await;
    let mut expected = export.body.clone();
    expected["run_number_prefix"] = json!("MAJ");
    assert_eq!(
        reexport.body, expected,
        "export → import → export is lossless"
    );
    let same_prefix = bob
        .api(
            Method::POST,
            &format!("/playbooks/import?team_id={team_id}"),
            Some(export.body.clone()),
        )
        .await;
    assert_eq!(same_prefix.status, StatusCode::BAD_REQUEST);
    assert!(
        same_prefix.message().starts_with("run_number_prefix: "),
        "{}",
        same_prefix.body
    );

    // Duplicate.
    let dup = bob
        .api(Method::POST, &format!("/playbooks/{id}/duplicate"), None)
        .await;
    assert_eq!(dup.status, StatusCode::CREATED, "{}", dup.body);
    let dup_id = dup.body["id"].as_str().unwrap().to_string();
    let dup_pb = bob
        .api(Method::GET, &format!("/playbooks/{dup_id}"), None)
        .await;
    assert_eq!(dup_pb.body["title"], "Copy of Major incident");
    assert_ne!(
        dup_pb.body["checklists"][0]["id"],
        patched.body["checklists"][0]["id"]
    );

    let list = bob
        .api(
            Method::GET,
            &format!("/playbooks?team_id={team_id}&sort=title&direction=desc"),
            None,
        )
        .await;
    assert_eq!(
        titles(&list.body),
        ["Major incident", "Major incident", "Copy of Major incident"]
    );

    // Archive: still readable, gone from lists, frozen.
    let archived = bob
        .api(Method::DELETE, &format!("/playbooks/{id}"), None)
        .await;
    assert_eq!(archived.status, StatusCode::NO_CONTENT, "{}", archived.body);
    let got = bob
        .api(Method::GET, &format!("/playbooks/{id}"), None)
        .await;
    assert!(got.body["delete_at"].as_i64().unwrap() > 0);
    let list = bob
        .api(Method::GET, &format!("/playbooks?team_id={team_id}"), None)
        .await;
    assert_eq!(list.body["total_count"], 2);
    let list = bob
        .api(
            Method::GET,
            &format!("/playbooks?team_id={team_id}&with_archived=true"),
            None,
        )
        .await;
    assert_eq!(list.body["total_count"], 3);
    let frozen = bob
        .api(
            Method::PATCH,
            &format!("/playbooks/{id}"),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(frozen.status, StatusCode::BAD_REQUEST);
    assert!(frozen.message().contains("archived"), "{}", frozen.body);

    // Restore.
    let restored = bob
        .api(Method::PUT, &format!("/playbooks/{id}/restore"), None)
        .await;
    assert_eq!(restored.status, StatusCode::NO_CONTENT, "{}", restored.body);
    let got = bob
        .api(Method::GET, &format!("/playbooks/{id}"), None)
        .await;
    assert_eq!(got.body["delete_at"], 0);

    // Autocomplete.
    let auto = bob
        .api(
            Method::GET,
            &format!("/playbooks/autocomplete?team_id={team_id}"),
            None,
        )
        .await;
    assert_eq!(auto.status, StatusCode::OK);
    assert_eq!(auto.body.as_array().unwrap().len(), 3);

    // Outside the team: 403, for reading, listing and creating.
    let denied = carol
        .api(Method::GET, &format!("/playbooks/{id}"), None)
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    assert_eq!(denied.body["status_code"], 403);
    let denied = carol
        .api(Method::GET, &format!("/playbooks?team_id={team_id}"), None)
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let denied = carol
        .api(Method::POST, "/playbooks", Some(playbook(&team_id, "Mine")))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // The system admin sees everything.
    let list = alice.api(Method::GET, "/playbooks", None).await;
    assert_eq!(list.body["total_count"], 3);

    // Bad input names the field.
    let mut bad = playbook(&team_id, "Broken");
    bad["run_number_prefix"] = json!("");
    bad["checklists"][1]["items"][0]["title"] = json!("");
    let invalid = bob.api(Method::POST, "/playbooks", Some(bad)).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        invalid.message(),
        "checklists[1].items[0].title: must not be empty"
    );
    let invalid = bob
        .api(
            Method::PATCH,
            &format!("/playbooks/{id}"),
            Some(json!({"public": "yes"})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(
        invalid.message().starts_with("public: "),
        "{}",
        invalid.body
    );

    // Unknown ids, no session.
    let missing = bob
        .api(Method::GET, "/playbooks/yyyyyyyyyyyyyyyyyyyyyyyyyy", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let anonymous = request(&app, None, Method::GET, &format!("{API}/playbooks"), None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
