//! User statuses (Mattermost's `online`, `away`, `offline`, `dnd`) and the
//! visibility rule they are shown under.
//!
//! Statuses live in the store, not in one server's memory, so that several
//! nodes sharing a store agree on them. Every change is one conditional
//! write that reports whether the status really changed, so whoever made
//! the change (and only they) announces it (decision 020).

use serde::{Deserialize, Serialize};

use super::StoreResult;

pub const ONLINE: &str = "online";
pub const AWAY: &str = "away";
pub const OFFLINE: &str = "offline";
pub const DND: &str = "dnd";

/// Mattermost's `Status`. A user without a stored status is `offline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    pub user_id: String,
    pub status: String,
    /// Set by the user (kept until they change it), rather than derived
    /// from their activity.
    pub manual: bool,
    /// Last activity seen, epoch milliseconds.
    pub last_activity_at: i64,
    /// When a timed "do not disturb" ends, epoch seconds; 0 for none.
    pub dnd_end_time: i64,
    /// What a timed "do not disturb" returns to.
    #[serde(skip)]
    pub prev_status: String,
}

impl UserStatus {
    /// The status of a user the store has nothing about.
    pub fn offline(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_string(),
            status: OFFLINE.into(),
            manual: false,
            last_activity_at: 0,
            dnd_end_time: 0,
            prev_status: String::new(),
        }
    }
}

/// What [`PresenceStore::set_automatic`] and
/// [`PresenceStore::record_activity`] may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// A connection opened or the user did something: `online` unless the
    /// user chose a status; activity time moves to `at_ms`.
    Online,
    /// The user's last connection closed: `offline` unless the user chose
    /// a status.
    Offline,
}

pub trait PresenceStore: Send + Sync {
    /// The stored status of a user, if any.
    fn status(&self, user_id: &str) -> StoreResult<Option<UserStatus>>;
    /// Stored statuses of any of `ids` (users without one are left out).
    fn statuses(&self, ids: &[String]) -> StoreResult<Vec<UserStatus>>;
    /// Replaces a user's status (a status the user chose).
    fn save_status(&self, status: &UserStatus) -> StoreResult<()>;
    /// Applies an automatic change at `at_ms` (see [`Automatic`]). Returns
    /// the new status when the status itself changed (so that the caller
    /// announces it), `None` when it did not (only the activity time moved,
    /// or the user's own choice stands).
    fn set_automatic(
        &self,
        user_id: &str,
        change: Automatic,
        at_ms: i64,
    ) -> StoreResult<Option<UserStatus>>;
    /// Idle users become `away`: automatic `online` statuses whose last
    /// activity is before `idle_before_ms`. Timed "do not disturb" whose
    /// `dnd_end_time` is at or before `now_secs` returns to its previous
    /// status. Returns the statuses that changed.
    fn expire_statuses(&self, idle_before_ms: i64, now_secs: i64) -> StoreResult<Vec<UserStatus>>;
    /// Turns every automatic `online` or `away` status `offline` (a server
    /// starting has no connections yet). Returns how many changed.
    fn reset_automatic_statuses(&self) -> StoreResult<u64>;
    /// Which of `ids` `viewer` may see under the user directory's rule:
    /// themself, and whoever shares a team or a channel with them.
    /// Unknown ids are left out.
    fn visible_users(&self, viewer: &str, ids: &[String]) -> StoreResult<Vec<String>>;
}
