//! The plugin's view of the chat server: a plain-Rust port over the WIT
//! imports. The domain code only sees [`Host`], so it unit-tests natively
//! with an in-memory fake, and the wasm glue is the one real implementation.

use serde_json::{Map, Value};

use crate::sql::{Rows, SqlValue, Statement};

/// Errors the host reports, mirroring the WIT `error` variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    NotFound,
    PermissionDenied,
    Conflict,
    InvalidInput(String),
    Other(String),
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::NotFound => f.write_str("not found"),
            HostError::PermissionDenied => f.write_str("permission denied"),
            HostError::Conflict => f.write_str("conflict"),
            HostError::InvalidInput(m) => write!(f, "invalid input: {m}"),
            HostError::Other(m) => write!(f, "{m}"),
        }
    }
}

pub type HostResult<T> = Result<T, HostError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub message: String,
    pub post_type: String,
    pub props: Map<String, Value>,
    /// Non-zero once deleted: a deleted post reads as "not found" to users
    /// ([`crate::authz::read_post`]).
    pub delete_at: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct User {
    pub id: String,
    pub username: String,
    pub roles: String,
    pub is_bot: bool,
}

impl User {
    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Channel {
    pub id: String,
    pub team_id: String,
    pub channel_type: String,
    pub name: String,
    pub display_name: String,
    pub header: String,
    pub purpose: String,
    /// Non-zero once archived: nobody posts into an archived channel.
    pub delete_at: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlashCommand {
    pub trigger: String,
    pub display_name: String,
    pub description: String,
    pub auto_complete: bool,
    pub auto_complete_desc: String,
    pub auto_complete_hint: String,
    /// Mattermost `AutocompleteData` JSON.
    pub autocomplete_data: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvOp {
    Set(String, Vec<u8>),
    Delete(String),
}

/// Who receives a websocket event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Broadcast {
    pub user_id: Option<String>,
    pub channel_id: Option<String>,
    pub team_id: Option<String>,
}

/// Everything the plugin may ask of the server.
pub trait Host {
    fn now_ms(&self) -> i64;
    fn random_bytes(&self, len: u32) -> Vec<u8>;
    fn log(&self, level: Level, message: &str);
    /// The plugin settings as a JSON object text.
    fn config(&self) -> String;

    fn kv_get(&self, key: &str) -> HostResult<Option<Vec<u8>>>;
    fn kv_get_many(&self, keys: &[String]) -> HostResult<Vec<Option<Vec<u8>>>>;
    fn kv_set(&self, key: &str, value: &[u8]) -> HostResult<()>;
    fn kv_delete(&self, key: &str) -> HostResult<()>;
    fn kv_compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> HostResult<bool>;
    fn kv_set_if_absent(&self, key: &str, value: &[u8]) -> HostResult<bool>;
    /// One page of keys under `prefix`, and the cursor for the next page.
    fn kv_list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> HostResult<(Vec<String>, Option<String>)>;
    fn kv_atomic_write(
        &self,
        expect: &[(String, Option<Vec<u8>>)],
        ops: &[KvOp],
    ) -> HostResult<bool>;

    fn user(&self, id: &str) -> HostResult<Option<User>>;
    fn user_by_username(&self, username: &str) -> HostResult<Option<User>>;
    fn ensure_bot(
        &self,
        username: &str,
        display_name: &str,
        description: &str,
    ) -> HostResult<String>;

    fn team(&self, id: &str) -> HostResult<Option<Team>>;
    fn is_team_member(&self, team_id: &str, user_id: &str) -> HostResult<bool>;
    fn add_team_member(&self, team_id: &str, user_id: &str) -> HostResult<()>;

    fn channel(&self, id: &str) -> HostResult<Option<Channel>>;
    fn channel_by_name(&self, team_id: &str, name: &str) -> HostResult<Option<Channel>>;
    fn create_channel(&self, channel: Channel) -> HostResult<Channel>;
    fn update_channel(&self, channel: Channel) -> HostResult<Channel>;
    fn direct_channel(&self, user_a: &str, user_b: &str) -> HostResult<Channel>;
    fn add_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()>;
    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()>;
    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<bool>;
    fn channel_members(&self, channel_id: &str, offset: u32, limit: u32)
    -> HostResult<Vec<String>>;
    /// Files `channel_id` under `user_id`'s sidebar category `category`.
    fn add_channel_to_category(
        &self,
        user_id: &str,
        team_id: &str,
        category: &str,
        channel_id: &str,
    ) -> HostResult<()>;

    /// Creates a post; an empty `user_id` posts as the plugin's bot.
    fn create_post(&self, post: Post) -> HostResult<Post>;
    fn update_post(&self, post: Post) -> HostResult<Post>;
    fn delete_post(&self, post_id: &str) -> HostResult<()>;
    fn post(&self, post_id: &str) -> HostResult<Option<Post>>;
    fn send_ephemeral(&self, user_id: &str, post: Post) -> HostResult<Post>;

    fn register_command(&self, command: &SlashCommand) -> HostResult<()>;
    /// Runs `command` as `user_id` in `channel_id` (thread `root_id`):
    /// built-ins at once (their text comes back), plugin commands queued
    /// ("" comes back). The user must be a member of the channel.
    fn execute_command(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
        command: &str,
    ) -> HostResult<String>;
    fn open_dialog(&self, trigger_id: &str, dialog: &Value) -> HostResult<()>;

    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()>;
    fn cancel_job(&self, key: &str) -> HostResult<bool>;

    fn publish_event(&self, event: &str, data: &Value, broadcast: &Broadcast) -> HostResult<()>;
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()>;

    /// One statement (`$N` placeholders); its result rows. Bad SQL is
    /// `InvalidInput`, a constraint violation `Conflict`.
    fn sql_query(&self, sql: &str, params: &[SqlValue]) -> HostResult<Rows>;
    /// One statement; the number of rows it changed.
    fn sql_execute(&self, sql: &str, params: &[SqlValue]) -> HostResult<u64>;
    /// Several statements in one transaction, all or none; the rows each
    /// changed. A statement changing other than its `expect_changes` rows
    /// rolls everything back with `Conflict`.
    fn sql_transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>>;
}

/// Updates the JSON document at `key` with `change`, retrying on concurrent
/// writes (compare-and-set), so no update is ever lost. Returns the stored
/// value. `change` sees `None` when the key is absent.
pub fn update_json<H: Host + ?Sized>(
    host: &H,
    key: &str,
    mut change: impl FnMut(Option<Value>) -> Value,
) -> HostResult<Value> {
    for _ in 0..64 {
        let old = host.kv_get(key)?;
        let current = old.as_deref().and_then(|b| serde_json::from_slice(b).ok());
        let next = change(current);
        let bytes = serde_json::to_vec(&next).map_err(|e| HostError::Other(e.to_string()))?;
        if host.kv_compare_and_set(key, old.as_deref(), Some(&bytes))? {
            return Ok(next);
        }
    }
    Err(HostError::Conflict)
}
