//! Scheduling and persistence across restarts of the real `host-shim`
//! process (its embedded playbooks plugin, a data dir kept between runs):
//!
//! - a status reminder that falls due while the server is down fires once
//!   on start, and never again on a later restart;
//! - "No, ignore thread" on a keyword prompt still holds after a restart;
//! - a rebuilt server replaces the same version of its embedded plugin.

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

const API: &str = "/plugins/playbooks/api/v0";

struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server binary on `data` and waits until the plugin answers.
async fn start(data: &Path) -> Server {
    let (child, base) = crate::helpers::spawn_server_binary(data).await;
    Server {
        child,
        base,
        http: reqwest::Client::new(),
    }
}

impl Server {
    async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn sign_up(&self, username: &str) -> (String, String) {
        let r = self
            .http
            .post(format!("{}/api/v4/users", self.base))
            .json(&json!({"username": username, "email": format!("{username}@example.com"), "password": "correct horse"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        self.log_in(username).await
    }

    async fn log_in(&self, username: &str) -> (String, String) {
        let r = self
            .http
            .post(format!("{}/api/v4/users/login", self.base))
            .json(&json!({"login_id": username, "password": "correct horse"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let token = r.headers()["token"].to_str().unwrap().to_owned();
        let me: Value = r.json().await.unwrap();
        (token, me["id"].as_str().unwrap().to_owned())
    }

    /// Posts of `kind` in `channel`.
    async fn posts_of(&self, token: &str, channel: &str, kind: &str) -> Vec<Value> {
        let (_, body) = self
            .call(
                token,
                reqwest::Method::GET,
                &format!("/api/v4/channels/{channel}/posts?per_page=200"),
                None,
            )
            .await;
        body["posts"]
            .as_object()
            .map(|m| {
                m.values()
                    .filter(|p| p["type"] == kind && p["delete_at"] == 0)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// alice (admin), a team, an open channel and a public playbook.
async fn seed(server: &Server) -> (String, String, String, String) {
    let (token, _) = server.sign_up("alice").await;
    let (s, team) = server
        .call(
            &token,
            reqwest::Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Ops", "type": "O"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{team}");
    let team_id = team["id"].as_str().unwrap().to_owned();
    let (s, channel) = server
        .call(
            &token,
            reqwest::Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": "town", "display_name": "Town", "type": "O"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{channel}");
    let (s, pb) = server
        .call(
            &token,
            reqwest::Method::POST,
            &format!("{API}/playbooks"),
            Some(json!({"title": "Incident", "team_id": team_id, "public": true})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pb}");
    (
        token,
        team_id,
        channel["id"].as_str().unwrap().to_owned(),
        pb["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_reminder_due_while_down_fires_once_on_start() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path()).await;
    let (token, team_id, _, playbook_id) = seed(&server).await;
    let (s, run) = server
        .call(
            &token,
            reqwest::Method::POST,
            &format!("{API}/runs"),
            Some(json!({"playbook_id": playbook_id, "team_id": team_id, "name": "Restart drill"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_str().unwrap().to_owned();
    let room = run["channel_id"].as_str().unwrap().to_owned();
    let (s, body) = server
        .call(
            &token,
            reqwest::Method::POST,
            &format!("{API}/runs/{run_id}/status"),
            Some(json!({"message": "Investigating", "reminder": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        server
            .posts_of(&token, &room, "custom_run_update")
            .await
            .len(),
        1
    );
    drop(server); // SIGKILL before the reminder is due

    tokio::time::sleep(Duration::from_secs(3)).await;
    let server = start(data.path()).await;
    let (token, _) = server.log_in("alice").await;
    let mut reminders = Vec::new();
    for _ in 0..200 {
        reminders = server.posts_of(&token, &room, "custom_update_status").await;
        if !reminders.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reminders.len(), 1, "the overdue reminder fired on start");
    assert!(
        reminders[0]["message"]
            .as_str()
            .unwrap()
            .contains("please provide a status update")
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server
            .posts_of(&token, &room, "custom_update_status")
            .await
            .len(),
        1
    );
    let (_, run) = server
        .call(
            &token,
            reqwest::Method::GET,
            &format!("{API}/runs/{run_id}"),
            None,
        )
        .await;
    assert_eq!(run["reminder_post_id"], reminders[0]["id"]);
    drop(server);

    // Another restart: claimed jobs never fire twice.
    let server = start(data.path()).await;
    let (token, _) = server.log_in("alice").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        server
            .posts_of(&token, &room, "custom_update_status")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn ignoring_a_keyword_thread_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path()).await;
    let (token, _, town, playbook_id) = seed(&server).await;
    let (_, alice_id) = server.log_in("alice").await;
    let (s, body) = server
        .call(
            &token,
            reqwest::Method::POST,
            &format!("{API}/actions/channels/{town}"),
            Some(json!({
            "action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": true,
            "payload": {"keywords": ["outage"], "playbook_id": playbook_id}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, root) = server
        .call(
            &token,
            reqwest::Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "outage in eu-west"})),
        )
        .await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let mut prompt = Value::Null;
    for _ in 0..200 {
        if let Some(p) = server
            .posts_of(&token, &town, "custom_keyword_prompt")
            .await
            .pop()
        {
            prompt = p;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let prompt_id = prompt["id"].as_str().expect("a prompt").to_owned();
    let (s, _) = server
        .call(
            &token,
            reqwest::Method::POST,
            &format!("/api/v4/posts/{prompt_id}/actions/ignorethread"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    drop(server);

    // Let the hourly prompt limit lapse (as an hour would), then restart.
    {
        let store = chat_store::sqlite::SqliteStore::open(&data.path().join("chat.db")).unwrap();
        use chat_store::KvStore as _;
        store
            .delete("playbooks", &format!("kwprompt/{root_id}"))
            .unwrap();
    }
    {
        use chat_store::ports::plugin_sql::{
            PluginDatabases as _, SqlBudget, SqlStatement, SqlValue,
        };
        let dbs = chat_store::sqlite::SqlitePluginDatabases::open(
            &data.path().join("plugin-data"),
            chat_store::sqlite::DEFAULT_MAX_DB_BYTES,
        )
        .unwrap();
        let ignored = dbs
            .query(
                "playbooks",
                &SqlStatement::new(
                    "SELECT user_id FROM keyword_ignores WHERE thread_id = $1",
                    vec![SqlValue::Text(root_id.clone())],
                ),
                &SqlBudget {
                    deadline: std::time::Instant::now() + Duration::from_secs(10),
                    max_result_bytes: 1 << 20,
                },
            )
            .unwrap();
        assert_eq!(
            ignored.rows,
            vec![vec![SqlValue::Text(alice_id.clone())]],
            "the ignore is stored durably"
        );
    }
    let server = start(data.path()).await;
    let (token, _) = server.log_in("alice").await;
    let (s, _) = server
        .call(
            &token,
            reqwest::Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "root_id": root_id, "message": "outage still"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // A fresh thread still prompts (so the hook is running)...
    server
        .call(
            &token,
            reqwest::Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "new outage"})),
        )
        .await;
    let mut prompts = Vec::new();
    for _ in 0..200 {
        prompts = server
            .posts_of(&token, &town, "custom_keyword_prompt")
            .await;
        if !prompts.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    // ...but not the ignored one.
    assert_ne!(prompts[0]["root_id"], json!(root_id));
}

#[tokio::test]
async fn a_rebuilt_server_replaces_the_same_version_of_its_embedded_plugin() {
    let data = tempfile::tempdir().unwrap();
    let bundle_js = data.path().join("plugins/playbooks/webapp/dist/main.js");
    {
        let _server = start(data.path()).await;
    }
    let shipped = std::fs::read(&bundle_js).expect("the embedded web bundle is installed");
    // What a previous build of the same version left behind.
    std::fs::write(&bundle_js, b"/* an older build */").unwrap();
    let server = start(data.path()).await;
    assert_eq!(
        std::fs::read(&bundle_js).unwrap(),
        shipped,
        "the embedded build is installed again"
    );
    // And it is what browsers get.
    let manifests: Value = server
        .http
        .get(format!("{}/api/v4/plugins/webapp", server.base))
        .bearer_auth(server.sign_up("alice").await.0)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = manifests[0]["webapp"]["bundle_path"].as_str().unwrap();
    let served = server
        .http
        .get(format!("{}{url}", server.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.as_ref(), shipped.as_slice());
}
