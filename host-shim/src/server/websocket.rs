//! `GET /api/v4/websocket`: Mattermost's event stream.
//!
//! A connection authenticates with the session cookie or bearer header of the
//! upgrade request, or afterwards with an `authentication_challenge` action.
//! It then receives `hello` (seq 0) and every event of the bus that its user
//! may see, each with the next `seq`. Channel events go to the channel's
//! members only; the membership answers are cached per connection and
//! dropped whenever a membership or channel event passes by.
//!
//! A socket lives only as long as the credentials it authenticated with: it
//! re-checks them (the same check as every request's) when the bus says
//! sessions of its user ended (logout, token revocation), when the session's
//! expiry passes, and every [`RECHECK_EVERY`] as a safety net; it closes
//! when they no longer hold, and sends nothing after that.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::sleep_until;

use super::AppState;
use super::auth::{MaybeCaller, presented_token};
use crate::error::AppError;
use crate::model::{new_id, now_ms};
use crate::services::accounts::token_hash;
use crate::services::presence::MAX_STATUS_IDS;
use crate::services::{Broadcast, WsEvent};

/// How long an unauthenticated connection may wait before the challenge.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(30);
/// How often an open socket re-checks its session regardless of notices
/// (catches changes made behind the services' back, such as in the store).
const RECHECK_EVERY: Duration = Duration::from_secs(1);
/// How long "may this user see user X" answers are kept.
const PEERS_TTL: Duration = Duration::from_secs(60);
/// Longest `parent_id` of a `user_typing` action (an id, or empty).
const MAX_PARENT_ID_CHARS: usize = 26;

/// Largest message a client may send on the websocket (actions such as
/// `user_typing` or `get_statuses_by_ids` with 1,000 ids fit easily).
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v4/websocket", get(upgrade))
}

/// The caller of the upgrade request (user id, token hash), if its
/// credentials are valid. Bad credentials do not refuse the upgrade: the
/// client may still answer the challenge.
struct UpgradeCaller(Option<(String, String)>);

impl FromRequestParts<AppState> for UpgradeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = MaybeCaller::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|c| c.0);
        let hash = presented_token(parts).map(|(token, _)| token_hash(&token));
        Ok(UpgradeCaller(caller.zip(hash).map(|(c, h)| (c.user.id, h))))
    }
}

async fn upgrade(
    State(state): State<AppState>,
    caller: UpgradeCaller,
    ws: WebSocketUpgrade,
) -> Response {
    // Every action a client sends is a few hundred bytes; the library's
    // default (64 MiB) would let anyone, before logging in, make the server
    // parse a message into gigabytes of JSON values.
    ws.max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            let (user_id, token_hash) = caller.0.unzip();
            let mut connection = Connection {
                state,
                socket,
                user_id,
                token_hash,
                expires_at: 0,
                seq: 0,
                visible: HashMap::new(),
                peers: HashMap::new(),
                peers_since: tokio::time::Instant::now(),
                admin: false,
                counted: false,
            };
            if let Err(err) = connection.run().await {
                tracing::debug!(%err, "websocket closed");
            }
            connection.uncount().await;
        })
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    user_id: Option<String>,
    /// Hash of the token the socket authenticated with, to re-check it.
    token_hash: Option<String>,
    /// When its session expires (ms; 0 = never or not known yet).
    expires_at: i64,
    /// Seq of the next event sent.
    seq: i64,
    /// Cached "may this user see events of channel X".
    visible: HashMap<String, bool>,
    /// Cached "may this user see user X" (for `status_change`), and when
    /// the cache was started: team memberships change without an event,
    /// so it is dropped every [`PEERS_TTL`].
    peers: HashMap<String, bool>,
    peers_since: tokio::time::Instant,
    /// Whether the socket's user is a system admin (sees every user).
    admin: bool,
    /// Whether this socket counts towards its user's `online` status.
    counted: bool,
}

fn error_body(id: &str, message: &str, status: u16) -> Value {
    json!({"id": id, "message": message, "detailed_error": "", "request_id": "", "status_code": status})
}

impl Connection {
    async fn send(&mut self, value: Value) -> Result<(), axum::Error> {
        self.socket
            .send(Message::Text(Utf8Bytes::from(value.to_string())))
            .await
    }

    async fn run(&mut self) -> Result<(), axum::Error> {
        if self.user_id.is_none() && !self.wait_for_challenge().await? {
            return self.socket.send(Message::Close(None)).await;
        }
        let Some(user_id) = self.user_id.clone() else {
            return Ok(());
        };
        let mut events = self.state.services.events.subscribe();
        let mut sessions = self.state.services.events.subscribe_sessions();
        let mut recheck = tokio::time::interval(RECHECK_EVERY);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate: it learns the session's expiry.
        if !self.session_holds().await {
            return self.close_ended().await;
        }
        recheck.tick().await;
        self.count(&user_id).await;
        self.send_event(
            "hello",
            json!({"server_version": crate::MATTERMOST_COMPAT_VERSION, "connection_id": new_id()}),
            json!({"omit_users": null, "user_id": user_id, "channel_id": "", "team_id": ""}),
        )
        .await?;
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let expiry = self.expiry_deadline();
            let ended = tokio::select! {
                // Session notices and the expiry come before events, so no
                // event is sent after the session ended.
                biased;
                notice = sessions.recv() => match notice {
                    Ok(notice) if notice.user_id.as_ref().is_some_and(|u| *u != user_id) => false,
                    Ok(_) | Err(RecvError::Lagged(_)) => !self.session_holds().await,
                    Err(RecvError::Closed) => true,
                },
                () = sleep_until(expiry) => !self.session_holds().await,
                _ = recheck.tick() => !self.session_holds().await,
                incoming = self.socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        self.handle_action(text.as_str()).await?;
                        false
                    }
                    Some(Ok(Message::Close(_))) | None => return Ok(()),
                    Some(Ok(_)) => false,
                    Some(Err(err)) => return Err(err),
                },
                event = events.recv() => match event {
                    Ok(event) => {
                        self.forward(&user_id, &event).await?;
                        false
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(user = %user_id, missed, "websocket client fell behind; events dropped");
                        // The dropped events may have changed memberships.
                        self.visible.clear();
                        false
                    }
                    Err(RecvError::Closed) => return Ok(()),
                },
                _ = ping.tick() => {
                    self.socket.send(Message::Ping(Default::default())).await?;
                    false
                }
            };
            if ended {
                return self.close_ended().await;
            }
        }
    }

    /// Counts this socket towards its user's `online` status (decision
    /// 020) and learns whether the user is an admin.
    async fn count(&mut self, user_id: &str) {
        let services = self.state.services.clone();
        let user = user_id.to_string();
        let opened = tokio::task::spawn_blocking(move || {
            services.socket_opened(&user)?;
            Ok::<_, AppError>(
                services
                    .chat
                    .user(&user)?
                    .is_some_and(|u| u.is_system_admin()),
            )
        })
        .await;
        match opened {
            Ok(Ok(admin)) => self.admin = admin,
            Ok(Err(err)) => tracing::warn!(%err, "recording a websocket as online failed"),
            Err(err) => tracing::warn!(%err, "recording a websocket as online failed"),
        }
        self.counted = true;
    }

    /// The socket is gone: its user's last one makes them `offline`.
    async fn uncount(&mut self) {
        if !std::mem::take(&mut self.counted) {
            return;
        }
        let Some(user) = self.user_id.clone() else {
            return;
        };
        let services = self.state.services.clone();
        match tokio::task::spawn_blocking(move || services.socket_closed(&user)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(%err, "recording a websocket as closed failed"),
            Err(err) => tracing::warn!(%err, "recording a websocket as closed failed"),
        }
    }

    /// The user did something on this socket (see `Services::user_active`).
    fn active(&self) {
        let Some(user) = self.user_id.clone() else {
            return;
        };
        if !self.state.services.activity_due(&user) {
            return;
        }
        let services = self.state.services.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(err) = services.write_activity(&user) {
                tracing::warn!(%err, "recording activity failed");
            }
        });
    }

    /// When the session's known expiry passes (far away when it has none).
    fn expiry_deadline(&self) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        if self.expires_at == 0 {
            return now + Duration::from_secs(24 * 60 * 60);
        }
        // One millisecond late, so the check sees it expired.
        let left = (self.expires_at - now_ms()).max(0) as u64 + 1;
        now + Duration::from_millis(left)
    }

    /// Whether the credentials the socket authenticated with still hold
    /// (same check as a request's). A store failure keeps the socket: the
    /// next check decides.
    async fn session_holds(&mut self) -> bool {
        let Some(hash) = self.token_hash.clone() else {
            return false;
        };
        let services = self.state.services.clone();
        match tokio::task::spawn_blocking(move || services.authenticate_hash(hash)).await {
            Ok(Ok((session, user))) => {
                self.expires_at = session.expires_at;
                self.user_id.as_deref() == Some(user.id.as_str())
            }
            Ok(Err(AppError::Unauthorized)) => false,
            Ok(Err(err)) => {
                tracing::warn!(%err, "websocket session check failed; keeping the socket for now");
                true
            }
            Err(err) => {
                tracing::warn!(%err, "websocket session check failed; keeping the socket for now");
                true
            }
        }
    }

    /// Closes a socket whose session ended.
    async fn close_ended(&mut self) -> Result<(), axum::Error> {
        tracing::debug!(user = ?self.user_id, "websocket session ended; closing");
        let frame = CloseFrame {
            code: close_code::POLICY,
            reason: Utf8Bytes::from_static("session ended"),
        };
        self.socket.send(Message::Close(Some(frame))).await
    }

    /// Waits for a valid `authentication_challenge`. Returns whether the
    /// connection is now authenticated.
    async fn wait_for_challenge(&mut self) -> Result<bool, axum::Error> {
        let deadline = tokio::time::sleep(AUTH_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            let message = tokio::select! {
                m = self.socket.recv() => m,
                _ = &mut deadline => return Ok(false),
            };
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | None => return Ok(false),
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(err),
            };
            let action: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
            let seq = action.get("seq").and_then(Value::as_i64).unwrap_or(0);
            if action.get("action").and_then(Value::as_str) != Some("authentication_challenge") {
                let body = error_body(
                    "api.web_socket_router.not_authenticated.app_error",
                    "You must authenticate first.",
                    401,
                );
                self.send(json!({"status": "FAIL", "seq_reply": seq, "error": body}))
                    .await?;
                continue;
            }
            let token = action
                .pointer("/data/token")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let services = self.state.services.clone();
            let authenticated =
                tokio::task::spawn_blocking(move || services.authenticate(&token)).await;
            match authenticated {
                Ok(Ok((session, user))) => {
                    self.user_id = Some(user.id);
                    self.token_hash = Some(session.token_hash);
                    self.expires_at = session.expires_at;
                    self.send(json!({"status": "OK", "seq_reply": seq})).await?;
                    return Ok(true);
                }
                _ => {
                    let body = error_body(
                        "api.web_socket_router.not_authenticated.app_error",
                        "Invalid or expired session, please login again.",
                        401,
                    );
                    self.send(json!({"status": "FAIL", "seq_reply": seq, "error": body}))
                        .await?;
                    return Ok(false);
                }
            }
        }
    }

    async fn handle_action(&mut self, text: &str) -> Result<(), axum::Error> {
        let Ok(action) = serde_json::from_str::<Value>(text) else {
            let body = error_body(
                "api.web_socket_router.bad_message.app_error",
                "The message is not JSON.",
                400,
            );
            return self
                .send(json!({"status": "FAIL", "seq_reply": 0, "error": body}))
                .await;
        };
        let seq = action.get("seq").and_then(Value::as_i64).unwrap_or(0);
        let name = action.get("action").and_then(Value::as_str).unwrap_or("");
        let inactive = name == "user_update_active_status"
            && action.pointer("/data/user_is_active") == Some(&Value::Bool(false));
        if !inactive {
            self.active();
        }
        match name {
            // Already authenticated: a repeated challenge is harmless.
            "authentication_challenge" | "user_update_active_status" => {
                self.send(json!({"status": "OK", "seq_reply": seq})).await
            }
            "user_typing" => {
                let reply = match self.publish_typing(&action) {
                    Ok(()) => json!({"status": "OK", "seq_reply": seq}),
                    Err(body) => json!({"status": "FAIL", "seq_reply": seq, "error": body}),
                };
                self.send(reply).await
            }
            "ping" => {
                let data = json!({"text": "pong", "version": crate::MATTERMOST_COMPAT_VERSION, "server_time": now_ms()});
                self.send(json!({"status": "OK", "seq_reply": seq, "data": data}))
                    .await
            }
            "get_statuses" | "get_statuses_by_ids" => {
                let reply = match self.statuses(&action).await {
                    Ok(data) => json!({"status": "OK", "seq_reply": seq, "data": data}),
                    Err(body) => json!({"status": "FAIL", "seq_reply": seq, "error": body}),
                };
                self.send(reply).await
            }
            other => {
                let body = error_body(
                    "api.web_socket_router.bad_action.app_error",
                    &format!("Unknown action {other:?}."),
                    400,
                );
                self.send(json!({"status": "FAIL", "seq_reply": seq, "error": body}))
                    .await
            }
        }
    }

    /// `get_statuses_by_ids` (`data.user_ids`) → `{user_id: status}` of
    /// the users the socket's user may see; `get_statuses` (no ids) → the
    /// user's own.
    async fn statuses(&mut self, action: &Value) -> Result<Value, Value> {
        let Some(user_id) = self.user_id.clone() else {
            return Ok(json!({}));
        };
        let mut ids: Vec<String> = match action.pointer("/data/user_ids") {
            None | Some(Value::Null) => vec![user_id.clone()],
            Some(Value::Array(ids)) if ids.len() <= MAX_STATUS_IDS => ids
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                return Err(error_body(
                    "api.websocket_handler.invalid_param.app_error",
                    &format!("user_ids: a list of at most {MAX_STATUS_IDS} user ids"),
                    400,
                ));
            }
        };
        ids.sort();
        ids.dedup();
        let services = self.state.services.clone();
        let admin = self.admin;
        let found = tokio::task::spawn_blocking(move || {
            let seen = if admin {
                services
                    .chat
                    .users_by_ids(&ids)?
                    .into_iter()
                    .map(|u| u.id)
                    .collect()
            } else {
                services.presence.visible_users(&user_id, &ids)?
            };
            services.statuses(&seen)
        })
        .await;
        match found {
            Ok(Ok(statuses)) => Ok(Value::Object(
                statuses
                    .into_iter()
                    .map(|s| (s.user_id, Value::String(s.status)))
                    .collect(),
            )),
            _ => Err(error_body(
                "app.internal.app_error",
                "The statuses could not be read.",
                500,
            )),
        }
    }

    /// `user_typing`: tells the channel's other members (Mattermost's
    /// `typing` event). Only members may announce typing in a channel;
    /// at most one notice per user, channel and thread a second goes out
    /// (later ones are acknowledged and dropped).
    fn publish_typing(&self, action: &Value) -> Result<(), Value> {
        let invalid = |field: &str| {
            error_body(
                "api.websocket_handler.invalid_param.app_error",
                &format!("Invalid {field} parameter."),
                400,
            )
        };
        let Some(user_id) = self.user_id.as_deref() else {
            return Err(invalid("channel_id"));
        };
        let channel_id = action
            .pointer("/data/channel_id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| invalid("channel_id"))?;
        let parent_id = match action.pointer("/data/parent_id") {
            None | Some(Value::Null) => "",
            Some(Value::String(id)) if id.chars().count() <= MAX_PARENT_ID_CHARS => id.as_str(),
            Some(_) => return Err(invalid("parent_id")),
        };
        let member = self
            .state
            .services
            .chat
            .is_channel_member(channel_id, user_id)
            .unwrap_or(false);
        if !member {
            return Err(invalid("channel_id"));
        }
        if !self.state.services.typing_due(user_id, channel_id) {
            return Ok(());
        }
        let mut data = serde_json::Map::new();
        data.insert("parent_id".into(), json!(parent_id));
        data.insert("user_id".into(), json!(user_id));
        let mut omit = serde_json::Map::new();
        omit.insert(user_id.to_string(), Value::Bool(true));
        self.state.services.events.publish(WsEvent {
            event: "typing".into(),
            data,
            broadcast: Broadcast {
                omit_users: Some(omit),
                channel_id: channel_id.to_string(),
                ..Default::default()
            },
        });
        Ok(())
    }

    async fn send_event(
        &mut self,
        event: &str,
        data: Value,
        broadcast: Value,
    ) -> Result<(), axum::Error> {
        let seq = self.seq;
        self.seq += 1;
        self.send(json!({"event": event, "data": data, "broadcast": broadcast, "seq": seq}))
            .await
    }

    async fn forward(&mut self, user_id: &str, event: &Arc<WsEvent>) -> Result<(), axum::Error> {
        // Past the known expiry nothing more is sent (the expiry branch
        // closes the socket next).
        if self.expires_at != 0 && now_ms() >= self.expires_at {
            return Ok(());
        }
        if matches!(
            event.event.as_str(),
            "user_added"
                | "user_removed"
                | "channel_created"
                | "channel_deleted"
                | "channel_updated"
                | "group_added"
        ) {
            self.visible.clear();
            self.peers.clear();
        }
        if !self.may_see(user_id, event) {
            return Ok(());
        }
        let broadcast = serde_json::to_value(&event.broadcast).unwrap_or(Value::Null);
        self.send_event(&event.event, Value::Object(event.data.clone()), broadcast)
            .await
    }

    /// Whether the socket's user may see `other` (the directory's rule).
    fn may_see_user(&mut self, user_id: &str, other: &str) -> bool {
        if other == user_id || self.admin {
            return true;
        }
        if self.peers_since.elapsed() > PEERS_TTL {
            self.peers.clear();
            self.peers_since = tokio::time::Instant::now();
        }
        if let Some(seen) = self.peers.get(other) {
            return *seen;
        }
        let seen = self
            .state
            .services
            .presence
            .visible_users(user_id, &[other.to_string()])
            .is_ok_and(|ids| !ids.is_empty());
        self.peers.insert(other.to_string(), seen);
        seen
    }

    fn may_see(&mut self, user_id: &str, event: &WsEvent) -> bool {
        let b = &event.broadcast;
        if b.omit_users
            .as_ref()
            .is_some_and(|omit| omit.contains_key(user_id))
        {
            return false;
        }
        if !b.user_id.is_empty() {
            return b.user_id == user_id;
        }
        if !b.peers_of.is_empty() {
            return self.may_see_user(user_id, &b.peers_of);
        }
        if !b.channel_id.is_empty() {
            if let Some(visible) = self.visible.get(&b.channel_id) {
                return *visible;
            }
            let visible = self
                .state
                .services
                .chat
                .is_channel_member(&b.channel_id, user_id)
                .unwrap_or(false);
            self.visible.insert(b.channel_id.clone(), visible);
            return visible;
        }
        if !b.team_id.is_empty() {
            return self
                .state
                .services
                .chat
                .is_team_member(&b.team_id, user_id)
                .unwrap_or(false);
        }
        true
    }
}
