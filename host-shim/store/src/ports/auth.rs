//! Sessions, personal access tokens and incoming webhooks: credentials the
//! server hands out. Tokens are never stored, only their SHA-256 hashes.

use super::StoreResult;
use serde::{Deserialize, Serialize};

/// A login session. `token_hash` is the hex SHA-256 of the bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub create_at: i64,
    /// 0 = never.
    pub expires_at: i64,
    pub last_activity_at: i64,
    /// Set when the session was created from a personal access token.
    pub access_token_id: String,
}

/// A personal access token (Mattermost `UserAccessToken`, without the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AccessToken {
    pub id: String,
    #[serde(skip)]
    pub token_hash: String,
    pub user_id: String,
    pub description: String,
    pub is_active: bool,
    pub create_at: i64,
}

/// A Slack-compatible incoming webhook (Mattermost `IncomingWebhook`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct IncomingWebhook {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub display_name: String,
    pub description: String,
    pub username: String,
    pub icon_url: String,
    pub channel_locked: bool,
}

pub trait AuthStore: Send + Sync {
    fn create_session(&self, session: &Session) -> StoreResult<()>;
    fn session_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Records activity; callers throttle how often they call it.
    fn touch_session(&self, session_id: &str, at_ms: i64) -> StoreResult<()>;
    /// Returns whether a session was removed.
    fn delete_session(&self, session_id: &str) -> StoreResult<bool>;
    /// Logs a user out everywhere; returns how many sessions were removed.
    fn delete_user_sessions(&self, user_id: &str) -> StoreResult<u64>;

    fn create_access_token(&self, token: &AccessToken) -> StoreResult<()>;
    fn access_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<AccessToken>>;
    fn access_tokens_for_user(&self, user_id: &str) -> StoreResult<Vec<AccessToken>>;
    /// Deletes the token and every session created from it.
    fn revoke_access_token(&self, token_id: &str) -> StoreResult<bool>;

    fn create_incoming_webhook(&self, hook: &IncomingWebhook) -> StoreResult<()>;
    /// Including deleted ones (callers check `delete_at`).
    fn incoming_webhook(&self, id: &str) -> StoreResult<Option<IncomingWebhook>>;
    /// Non-deleted hooks, newest first; `team_id` "" = all teams.
    fn incoming_webhooks(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<IncomingWebhook>>;
    /// Soft delete; returns whether a live hook was deleted.
    fn delete_incoming_webhook(&self, id: &str, at_ms: i64) -> StoreResult<bool>;
}
