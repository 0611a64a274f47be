//! The websocket event bus. Everything that happens in chat is published here
//! once; each websocket connection filters what its user may see.
//!
//! A second, internal channel carries [`SessionsChanged`]: whenever sessions
//! or tokens end (logout, token revocation), every open websocket of the
//! affected user checks that its own credentials still hold and closes if
//! not, so a socket never outlives its session.

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

/// Who an event is for (Mattermost `broadcast`). Empty fields mean "anyone".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Broadcast {
    pub omit_users: Option<Map<String, Value>>,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    /// For news about one user (statuses): that user and whoever may see
    /// them (shares a team or a channel with them; system admins). Not
    /// part of Mattermost's JSON.
    #[serde(skip)]
    pub peers_of: String,
}

/// One websocket event, before its per-connection `seq` is assigned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WsEvent {
    pub event: String,
    pub data: Map<String, Value>,
    pub broadcast: Broadcast,
}

/// Fan-out of events to every connected client. Slow receivers lag and drop
/// old events rather than slowing down publishers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<std::sync::Arc<WsEvent>>,
    sessions: broadcast::Sender<SessionsChanged>,
}

/// Some sessions or tokens ended: of `user_id`, or of anyone when `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionsChanged {
    pub user_id: Option<String>,
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        let (sessions, _) = broadcast::channel(256);
        Self { sender, sessions }
    }

    /// Tells open websockets that sessions ended (see [`SessionsChanged`]).
    pub fn sessions_changed(&self, user_id: Option<&str>) {
        let _ = self.sessions.send(SessionsChanged {
            user_id: user_id.map(str::to_string),
        });
    }

    pub fn subscribe_sessions(&self) -> broadcast::Receiver<SessionsChanged> {
        self.sessions.subscribe()
    }

    /// Publishes an event; having no listener is fine.
    pub fn publish(&self, event: WsEvent) {
        let _ = self.sender.send(std::sync::Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<std::sync::Arc<WsEvent>> {
        self.sender.subscribe()
    }
}
