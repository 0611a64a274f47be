//! Statuses (decision 020): `online` while a websocket is open and the
//! user is active, `away` after [`AWAY_AFTER_MS`] without activity,
//! `offline` when their last websocket closes — unless the user chose a
//! status (`manual`), which stands until they change it. Typing
//! notices, throttled.
//!
//! Statuses are stored ([`PresenceStore`](chat_store::PresenceStore)); only
//! bookkeeping that saves writes is kept here, per node: how many
//! websockets each user has open, when each user's activity was last
//! written, when each typing notice was last sent.
//!
//! Every change is announced with `status_change` `{user_id, status}` to
//! the user and to everyone who may see them (the user directory's rule),
//! by [`Broadcast::peers_of`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chat_store::ports::presence::{AWAY, Automatic, DND, OFFLINE, ONLINE, UserStatus};
use serde_json::json;

use super::{Broadcast, Services, WsEvent};
use crate::error::{AppError, AppResult};
use crate::model::now_ms;

/// Mattermost's default `UserStatusAwayTimeout`: five minutes.
pub const AWAY_AFTER_MS: i64 = 5 * 60 * 1000;
/// Activity is written at most this often per user (while the status
/// stays `online`), so requests do not each cost a write.
pub const ACTIVITY_WRITE_EVERY_MS: i64 = 60 * 1000;
/// How often idle users are turned `away` and timed "do not disturb" ends.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15);
/// At most one `typing` event per user and channel this often (threads of
/// the channel included: `parent_id` is the client's word, so keying on it
/// would let a client pass the throttle with a new value each time).
pub const TYPING_EVERY_MS: i64 = 1000;
/// Most ids `POST /users/status/ids` takes (as `POST /users/ids`).
pub const MAX_STATUS_IDS: usize = 1000;
/// The statuses a user may choose.
pub const STATUSES: [&str; 4] = [ONLINE, AWAY, OFFLINE, DND];
/// Typing throttle entries kept before old ones are pruned.
const TYPING_ENTRIES: usize = 10_000;

#[derive(Default)]
struct Bookkeeping {
    /// Open websockets per user on this node.
    sockets: HashMap<String, usize>,
    /// When each user's activity was last written (ms).
    written: HashMap<String, i64>,
    /// When a typing notice was last sent, per user and channel.
    typing: HashMap<(String, String), i64>,
}

/// This node's presence bookkeeping.
#[derive(Default)]
pub struct PresenceTracker {
    state: Mutex<Bookkeeping>,
}

impl PresenceTracker {
    fn with<T>(&self, f: impl FnOnce(&mut Bookkeeping) -> T) -> T {
        // The state is plain counters: a poisoned lock is still usable.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl Services {
    /// Announces a status to the user and to those who may see them.
    fn publish_status(&self, status: &UserStatus) {
        self.events.publish(WsEvent {
            event: "status_change".into(),
            data: json!({"user_id": status.user_id, "status": status.status})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            broadcast: Broadcast {
                peers_of: status.user_id.clone(),
                ..Default::default()
            },
        });
    }

    fn automatic(&self, user_id: &str, change: Automatic) -> AppResult<()> {
        if let Some(status) = self.presence.set_automatic(user_id, change, now_ms())? {
            self.publish_status(&status);
        }
        Ok(())
    }

    /// A websocket of `user_id` opened: `online` unless they chose a status.
    pub fn socket_opened(&self, user_id: &str) -> AppResult<()> {
        self.presence_tracker.with(|b| {
            *b.sockets.entry(user_id.to_string()).or_default() += 1;
            b.written.insert(user_id.to_string(), now_ms());
        });
        self.automatic(user_id, Automatic::Online)
    }

    /// How many websockets of `user_id` are open on this node.
    pub fn open_sockets(&self, user_id: &str) -> usize {
        self.presence_tracker
            .with(|b| b.sockets.get(user_id).copied().unwrap_or(0))
    }

    /// A websocket of `user_id` closed: their last one makes them
    /// `offline` unless they chose a status.
    pub fn socket_closed(&self, user_id: &str) -> AppResult<()> {
        let last = self.presence_tracker.with(|b| {
            let Some(count) = b.sockets.get_mut(user_id) else {
                return true;
            };
            *count = count.saturating_sub(1);
            if *count == 0 {
                b.sockets.remove(user_id);
                b.written.remove(user_id);
                true
            } else {
                false
            }
        });
        if last {
            self.automatic(user_id, Automatic::Offline)?;
        }
        Ok(())
    }

    /// The user did something (a websocket action, a request from a web
    /// client): activity time moves and an automatic `away` or `offline`
    /// becomes `online`. Written at most every
    /// [`ACTIVITY_WRITE_EVERY_MS`] while nothing changes.
    pub fn user_active(&self, user_id: &str) -> AppResult<()> {
        if self.activity_due(user_id) {
            self.automatic(user_id, Automatic::Online)?;
        }
        Ok(())
    }

    /// Whether activity of `user_id` now needs a write (the cheap half of
    /// [`user_active`](Self::user_active), for async callers that write
    /// on a blocking thread only when needed). Counts as written.
    pub fn activity_due(&self, user_id: &str) -> bool {
        let now = now_ms();
        self.presence_tracker
            .with(|b| match b.written.get(user_id) {
                Some(at) if now - at < ACTIVITY_WRITE_EVERY_MS => false,
                _ => {
                    // Bounded by the number of users active in the last minute
                    // or with a websocket open.
                    b.written.insert(user_id.to_string(), now);
                    true
                }
            })
    }

    /// Writes activity of `user_id` (see [`activity_due`](Self::activity_due)).
    pub fn write_activity(&self, user_id: &str) -> AppResult<()> {
        self.automatic(user_id, Automatic::Online)
    }

    /// A status the user chose (`PUT /users/{id}/status`). `online` is
    /// automatic again (as in Mattermost); `away`, `offline` and `dnd`
    /// stand until changed. `dnd_end_time` (epoch seconds, 0 for none)
    /// ends a "do not disturb" at that time, back to the status before it.
    pub fn set_status(
        &self,
        user_id: &str,
        status: &str,
        dnd_end_time: i64,
    ) -> AppResult<UserStatus> {
        if !STATUSES.contains(&status) {
            return Err(AppError::Invalid(format!(
                "status: must be one of {}",
                STATUSES.join(", ")
            )));
        }
        let now = now_ms();
        if status == DND && dnd_end_time != 0 {
            // In the future, and before the year 10000.
            if dnd_end_time <= now / 1000 || dnd_end_time > 253_402_300_799 {
                return Err(AppError::Invalid(
                    "dnd_end_time: a time in the future, in seconds since 1970".into(),
                ));
            }
        }
        let before = self
            .presence
            .status(user_id)?
            .unwrap_or_else(|| UserStatus::offline(user_id));
        let mut after = UserStatus {
            user_id: user_id.to_string(),
            status: status.to_string(),
            manual: status != ONLINE,
            last_activity_at: before.last_activity_at,
            dnd_end_time: 0,
            prev_status: String::new(),
        };
        if status == ONLINE {
            after.last_activity_at = now;
        }
        if status == DND {
            after.dnd_end_time = dnd_end_time;
            after.prev_status = if before.status == DND {
                before.prev_status.clone()
            } else if before.manual || before.status == ONLINE {
                before.status.clone()
            } else {
                // An automatic away or offline would come back wrong.
                ONLINE.to_string()
            };
        }
        self.presence.save_status(&after)?;
        self.presence_tracker.with(|b| b.written.remove(user_id));
        if after.status != before.status {
            self.publish_status(&after);
        }
        Ok(after)
    }

    /// The status of each of `ids` (`offline` for users with none stored).
    pub fn statuses(&self, ids: &[String]) -> AppResult<Vec<UserStatus>> {
        let stored = self.presence.statuses(ids)?;
        Ok(ids
            .iter()
            .map(|id| {
                stored
                    .iter()
                    .find(|s| &s.user_id == id)
                    .cloned()
                    .unwrap_or_else(|| UserStatus::offline(id))
            })
            .collect())
    }

    /// Idle users become `away`, timed "do not disturb" ends; each change
    /// is announced. Run every [`SWEEP_EVERY`].
    pub fn sweep_statuses(&self) -> AppResult<usize> {
        let now = now_ms();
        let changed = self
            .presence
            .expire_statuses(now - AWAY_AFTER_MS, now / 1000)?;
        self.presence_tracker.with(|b| {
            for status in &changed {
                b.written.remove(&status.user_id);
            }
            // Forget users who neither have a websocket here nor were
            // active lately, so the map stays as small as the active set.
            let sockets = &b.sockets;
            b.written.retain(|user, at| {
                sockets.contains_key(user) || now - *at < ACTIVITY_WRITE_EVERY_MS
            });
        });
        for status in &changed {
            self.publish_status(status);
        }
        Ok(changed.len())
    }

    /// A starting server has no websockets: automatic statuses left
    /// `online` or `away` by the last run become `offline`.
    pub fn reset_statuses(&self) -> AppResult<u64> {
        Ok(self.presence.reset_automatic_statuses()?)
    }

    /// Whether a `typing` notice of `user_id` in `channel_id` (or one of
    /// its threads) may go out now: at most one per [`TYPING_EVERY_MS`].
    pub fn typing_due(&self, user_id: &str, channel_id: &str) -> bool {
        let key = (user_id.to_string(), channel_id.to_string());
        self.presence_tracker.with(|b| b.typing_due(key, now_ms()))
    }
}

impl Bookkeeping {
    fn typing_due(&mut self, key: (String, String), now: i64) -> bool {
        if self.typing.len() >= TYPING_ENTRIES {
            self.typing.retain(|_, at| now - *at < TYPING_EVERY_MS);
        }
        match self.typing.get(&key) {
            Some(at) if now - at < TYPING_EVERY_MS => false,
            _ => {
                self.typing.insert(key, now);
                true
            }
        }
    }
}

/// Turns idle users `away` every [`SWEEP_EVERY`], for as long as the
/// server runs.
pub fn spawn_status_sweeper(services: std::sync::Arc<Services>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let services = services.clone();
            match tokio::task::spawn_blocking(move || services.sweep_statuses()).await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(%err, "status sweep failed"),
                Err(err) => tracing::warn!(%err, "status sweep panicked"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: &str, channel: &str) -> (String, String) {
        (user.to_string(), channel.to_string())
    }

    #[test]
    fn typing_is_throttled_per_user_and_channel() {
        let mut b = Bookkeeping::default();
        let now = 10_000;
        assert!(b.typing_due(key("a", "c"), now));
        assert!(!b.typing_due(key("a", "c"), now + 10));
        assert!(b.typing_due(key("a", "d"), now + 10));
        assert!(b.typing_due(key("b", "c"), now + 10));
        assert!(b.typing_due(key("a", "c"), now + TYPING_EVERY_MS));
    }

    #[test]
    fn typing_entries_are_pruned_when_many() {
        let mut b = Bookkeeping::default();
        for i in 0..TYPING_ENTRIES {
            b.typing_due(key(&i.to_string(), "c"), 0);
        }
        assert!(b.typing_due(key("late", "c"), TYPING_EVERY_MS));
        assert_eq!(b.typing.len(), 1);
    }
}
