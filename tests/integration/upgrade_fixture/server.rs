//! The real `host-shim` binary on a given data dir, stopped the way an
//! operator stops it (SIGINT, then waiting for the exit), and an API client
//! that logs in with a password: what the upgrade fixture is made and
//! checked with.
//!
//! A process rather than an in-process server: an upgrade is "the new
//! binary on the old data dir", and only a process that has exited has
//! certainly let go of the database.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

pub use crate::client::Socket;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::API;

/// Every fixture account's password.
pub const PASSWORD: &str = "upgrade fixture password";

pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the server binary (with its embedded playbooks bundle, built
/// from this tree) on `data` and waits until the plugin answers.
pub async fn start(data: &Path) -> Server {
    let (child, base) = crate::helpers::spawn_server_binary(data).await;
    Server {
        child: Some(child),
        base,
        http: reqwest::Client::new(),
    }
}

impl Server {
    /// Stops the server as ctrl-c does and waits for the process to exit.
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGINT delivered");
        for _ in 0..600 {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "the server exits cleanly: {status}");
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        panic!("the server did not stop within 30 s of SIGINT");
    }

    /// Creates an account (the first one of a server is its admin) and
    /// logs it in.
    pub async fn sign_up(&self, username: &str) -> Api<'_> {
        let r = self
            .http
            .post(format!("{}/api/v4/users", self.base))
            .json(
                &json!({"username": username, "email": format!("{username}@example.com"),
                          "password": PASSWORD}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "sign up {username}");
        self.log_in(username).await
    }

    pub async fn log_in(&self, username: &str) -> Api<'_> {
        let r = self
            .http
            .post(format!("{}/api/v4/users/login", self.base))
            .json(&json!({"login_id": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "log in {username}");
        let token = r.headers()["token"].to_str().unwrap().to_owned();
        let me: Value = r.json().await.unwrap();
        Api {
            server: self,
            token,
            id: me["id"].as_str().unwrap().to_owned(),
            username: username.to_owned(),
        }
    }
}

/// A logged-in user.
pub struct Api<'s> {
    pub server: &'s Server,
    pub token: String,
    pub id: String,
    pub username: String,
}

impl Api<'_> {
    /// Any request; the body parsed as JSON, kept as a string when it is
    /// not JSON, `Null` when empty.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .http
            .request(method, format!("{}{path}", self.server.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    /// A request that must answer `expected`; the body.
    pub async fn expect(
        &self,
        expected: StatusCode,
        method: Method,
        path: &str,
        body: Value,
    ) -> Value {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = self.call(method.clone(), path, body.as_ref()).await;
        assert_eq!(
            status, expected,
            "{} {method} {path}: {answer}",
            self.username
        );
        answer
    }

    /// A request below the playbooks API that must answer 200.
    pub async fn ok(&self, method: Method, path: &str, body: Value) -> Value {
        self.expect(StatusCode::OK, method, &format!("{API}{path}"), body)
            .await
    }

    /// A slash command in `channel_id`: the response's text.
    pub async fn command(&self, channel_id: &str, command: &str) -> String {
        let body = self
            .expect(
                StatusCode::OK,
                Method::POST,
                "/api/v4/commands/execute",
                json!({"channel_id": channel_id, "command": command}),
            )
            .await;
        body["text"].as_str().unwrap_or_default().to_owned()
    }

    /// Posts `message` in `channel_id` (in `root_id`'s thread if not
    /// empty); the post.
    pub async fn post(&self, channel_id: &str, root_id: &str, message: &str) -> Value {
        self.expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            json!({"channel_id": channel_id, "root_id": root_id, "message": message}),
        )
        .await
    }

    /// The channel's posts of type `kind`, not deleted, oldest first.
    pub async fn posts_of(&self, channel_id: &str, kind: &str) -> Vec<Value> {
        let (_, body) = self
            .call(
                Method::GET,
                &format!("/api/v4/channels/{channel_id}/posts?per_page=200"),
                None,
            )
            .await;
        let mut posts: Vec<Value> = body["posts"]
            .as_object()
            .map(|m| {
                m.values()
                    .filter(|p| p["type"] == kind && p["delete_at"] == 0)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        posts.sort_by_key(|p| p["create_at"].as_i64());
        posts
    }

    /// Polls until a post of `kind` in `channel_id` satisfies `pick`.
    pub async fn wait_post(
        &self,
        channel_id: &str,
        kind: &str,
        pick: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..400 {
            if let Some(p) = self
                .posts_of(channel_id, kind)
                .await
                .into_iter()
                .find(&pick)
            {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no {kind} post appeared in {channel_id} within 10 s");
    }

    /// A websocket authenticated as this user.
    pub async fn socket(&self) -> Socket {
        Socket::connect(&self.server.base, &self.token).await
    }

    /// Waits for the dialog the server opens for this user and submits
    /// `values` to it, as the web client does.
    pub async fn answer_dialog(&self, socket: &mut Socket, channel_id: &str, values: Value) {
        let event = socket.next_event("open_dialog").await;
        let wrapper: Value =
            serde_json::from_str(event["data"]["dialog"].as_str().unwrap()).unwrap();
        let dialog = &wrapper["dialog"];
        self.expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/actions/dialogs/submit",
            json!({"url": wrapper["url"], "callback_id": dialog["callback_id"],
                   "state": dialog["state"], "channel_id": channel_id,
                   "submission": values, "cancelled": false}),
        )
        .await;
    }
}
