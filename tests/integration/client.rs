//! A logged-in API client and a websocket for the integration tests that
//! act as several people (playbooks, runs, slash commands, prompts).

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, log_in_new_user};

/// The playbooks plugin's REST prefix.
pub const API: &str = "/plugins/playbooks/api/v0";

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub id: String,
}

/// Sends a request, with a bearer token unless `token` is `None`; the body
/// is parsed as JSON (or kept as a string), `Null` when empty.
pub async fn request(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body, headers)
}

impl<'a> Client<'a> {
    /// Signs up `username` (the first user of a server is its admin).
    pub async fn new(app: &'a TestApp, username: &str) -> Client<'a> {
        let token = log_in_new_user(app, username).await;
        let (status, me, _) =
            request(app, Some(&token), Method::GET, "/api/v4/users/me", None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        let id = me["id"].as_str().unwrap().to_string();
        Client { app, token, id }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (s, b, _) = request(self.app, Some(&self.token), method, path, body).await;
        (s, b)
    }

    /// A call below the playbooks API prefix.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call(method, &format!("{API}{path}"), body).await
    }

    /// Like [`call`](Self::call), asserting `expected`.
    pub async fn expect(
        &self,
        expected: StatusCode,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, body) = self.call(method.clone(), path, body).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
        body
    }

    /// `GET path`: status and body.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// `GET path`, asserting 200; the body.
    pub async fn get_ok(&self, path: &str) -> Value {
        self.expect(StatusCode::OK, Method::GET, path, None).await
    }

    /// `POST /api/v4/commands/execute` in `channel_id`; the response.
    pub async fn command(&self, channel_id: &str, command: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/api/v4/commands/execute",
            Some(json!({"channel_id": channel_id, "command": command})),
        )
        .await
    }

    /// A websocket authenticated as this client.
    pub async fn socket(&self) -> Socket {
        Socket::connect(&format!("http://{}", self.app.addr), &self.token).await
    }
}

pub struct Socket(
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
);

impl Socket {
    /// The server's websocket at `base` (`http://host:port`), as `token`.
    pub async fn connect(base: &str, token: &str) -> Socket {
        let url = base.replacen("http://", "ws://", 1);
        let mut request = format!("{url}/api/v4/websocket")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        Socket(
            tokio_tungstenite::connect_async(request)
                .await
                .expect("websocket connects")
                .0,
        )
    }

    /// The next event named `name` within 10 s, skipping others.
    pub async fn next_event(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .unwrap_or_else(|_| panic!("no {name} event within 10 s"))
                .unwrap()
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["event"] == name {
                    return value;
                }
            }
        }
    }

    /// Every event up to and including the next one named `name` (within
    /// 10 s), to check what did or did not arrive before it.
    pub async fn events_until(&mut self, name: &str) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut events = Vec::new();
        loop {
            let message = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .unwrap_or_else(|_| panic!("no {name} event within 10 s"))
                .unwrap()
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).unwrap();
                let done = value["event"] == name;
                events.push(value);
                if done {
                    return events;
                }
            }
        }
    }

    /// Sends a websocket action `{seq, action, data}`.
    pub async fn action(&mut self, seq: i64, action: &str, data: Value) {
        use futures_util::SinkExt;
        let text = json!({"seq": seq, "action": action, "data": data}).to_string();
        self.0.send(Message::Text(text.into())).await.unwrap();
    }

    /// The reply to action `seq` (within 10 s), skipping events.
    pub async fn reply(&mut self, seq: i64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .unwrap_or_else(|_| panic!("no reply to {seq} within 10 s"))
                .unwrap()
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["seq_reply"] == seq {
                    return value;
                }
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.0.close(None).await;
    }
}

/// Asserts a Mattermost error body with status `expected` whose message
/// starts with `field` (the field it names; "" for any).
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, field: &str) {
    assert_eq!(status, expected, "{body}");
    for key in [
        "id",
        "message",
        "detailed_error",
        "request_id",
        "status_code",
    ] {
        assert!(body.get(key).is_some(), "error body lacks {key}: {body}");
    }
    assert_eq!(body["status_code"], expected.as_u16(), "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(field),
        "message should name {field:?}: {body}"
    );
}

/// A channel of `team_id` created by `creator` with `members` added; its id.
pub async fn channel_with(
    creator: &Client<'_>,
    team_id: &str,
    name: &str,
    channel_type: &str,
    members: &[&Client<'_>],
) -> String {
    let channel = creator
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": name, "display_name": name, "type": channel_type})),
        )
        .await;
    let channel_id = channel["id"].as_str().unwrap().to_string();
    for member in members {
        creator
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("/api/v4/channels/{channel_id}/members"),
                Some(json!({"user_id": member.id})),
            )
            .await;
    }
    channel_id
}

/// A team `name` created by `admin` with `members` added; its id.
pub async fn team_with(admin: &Client<'_>, name: &str, members: &[&Client<'_>]) -> String {
    let team = admin
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": name, "display_name": name, "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap().to_string();
    for member in members {
        admin
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": member.id})),
            )
            .await;
    }
    team_id
}
