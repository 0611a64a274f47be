//! The plugin's view of the chat server: a plain-Rust port over the WIT
//! imports, split into one small trait per capability. Domain code asks for
//! [`Host`] (all of them) or only the capabilities it uses, so it
//! unit-tests natively with [`crate::testing`] fakes, and the wasm glue
//! ([`crate::wit`]) is the one real implementation.

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

/// Time, randomness, logging and settings: what a plugin would otherwise
/// take from its environment, which the sandbox does not give it.
pub trait Runtime {
    fn now_ms(&self) -> i64;
    fn random_bytes(&self, len: u32) -> Vec<u8>;
    fn log(&self, level: Level, message: &str);
    /// The plugin settings as a JSON object text.
    fn config(&self) -> String;
}

/// The plugin's key-value store (small state: flags, counters, caches).
pub trait Kv {
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
}

/// The plugin's own SQL database (contract 0.2's `sql`; see the WIT for
/// the portable subset of SQL and the errors).
pub trait Sql {
    /// Runs one statement; its rows.
    fn sql_query(&self, sql: &str, params: &[SqlValue]) -> HostResult<Rows>;
    /// Runs one statement; how many rows it changed.
    fn sql_execute(&self, sql: &str, params: &[SqlValue]) -> HostResult<u64>;
    /// Runs the statements in one transaction: all apply or none.
    fn sql_transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>>;
}

/// Users, and the plugin's bot account.
pub trait Users {
    fn user(&self, id: &str) -> HostResult<Option<User>>;
    fn user_by_username(&self, username: &str) -> HostResult<Option<User>>;
    fn ensure_bot(
        &self,
        username: &str,
        display_name: &str,
        description: &str,
    ) -> HostResult<String>;
}

/// Teams and team membership.
pub trait Teams {
    fn team(&self, id: &str) -> HostResult<Option<Team>>;
    fn is_team_member(&self, team_id: &str, user_id: &str) -> HostResult<bool>;
    fn add_team_member(&self, team_id: &str, user_id: &str) -> HostResult<()>;
}

/// Channels and their members.
pub trait Channels {
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
}

/// Posts: create, read, edit, delete; ephemeral messages.
pub trait Posts {
    /// Creates a post; an empty `user_id` posts as the plugin's bot.
    fn create_post(&self, post: Post) -> HostResult<Post>;
    fn update_post(&self, post: Post) -> HostResult<Post>;
    fn delete_post(&self, post_id: &str) -> HostResult<()>;
    fn post(&self, post_id: &str) -> HostResult<Option<Post>>;
    fn send_ephemeral(&self, user_id: &str, post: Post) -> HostResult<Post>;
}

/// Slash commands and interactive dialogs.
pub trait Commands {
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
}

/// Durable one-shot jobs, delivered to the `scheduled_job` hook.
pub trait Jobs {
    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()>;
    fn cancel_job(&self, key: &str) -> HostResult<bool>;
}

/// Websocket events to clients.
pub trait Events {
    fn publish_event(&self, event: &str, data: &Value, broadcast: &Broadcast) -> HostResult<()>;
}

/// Outgoing webhooks, queued and retried by the host.
pub trait Http {
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()>;
}

/// Everything a plugin may ask of the server: every capability. Implemented
/// for any type that has them all.
pub trait Host:
    Runtime + Kv + Sql + Users + Teams + Channels + Posts + Commands + Jobs + Events + Http
{
}

impl<T> Host for T where
    T: Runtime
        + Kv
        + Sql
        + Users
        + Teams
        + Channels
        + Posts
        + Commands
        + Jobs
        + Events
        + Http
        + ?Sized
{
}

/// Updates the JSON document at `key` with `change`, retrying on concurrent
/// writes (compare-and-set), so no update is ever lost. Returns the stored
/// value. `change` sees `None` when the key is absent.
pub fn update_json<H: Kv + ?Sized>(
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

/// Every capability trait, for code that calls host methods on a concrete
/// host type (tests with the fakes): `use chatops_plugin_sdk::host::prelude::*;`.
pub mod prelude {
    pub use super::{
        Channels, Commands, Events, Host, Http, Jobs, Kv, Posts, Runtime, Sql, Teams, Users,
    };
}
