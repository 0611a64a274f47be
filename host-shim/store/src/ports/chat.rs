//! Storage of chat entities: users, teams, channels, memberships, posts,
//! plugin bots and plugin slash commands.

use super::StoreResult;
use crate::model::{Channel, CommandRegistration, Post, PostQuery, Team, User};

/// The chat server's durable state. Ids and timestamps are assigned by the
/// caller; the store enforces uniqueness (usernames, emails, team names,
/// channel names within a team) with [`super::StoreError::Conflict`].
pub trait ChatStore: Send + Sync {
    // --- users -------------------------------------------------------------
    /// Inserts a user; `password_hash` is an encoded hash or `None` (bots).
    fn create_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()>;
    fn update_user(&self, user: &User) -> StoreResult<()>;
    fn user(&self, id: &str) -> StoreResult<Option<User>>;
    fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    /// Users among `ids` that exist (any order).
    fn users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<User>>;
    fn user_count(&self) -> StoreResult<u64>;
    fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>>;

    // --- plugin bots --------------------------------------------------------
    /// The bot user id owned by a plugin, if it created one.
    fn plugin_bot(&self, plugin_id: &str) -> StoreResult<Option<String>>;
    /// Creates `bot` (a user with `is_bot`) and records it as the plugin's bot,
    /// in one transaction.
    fn create_plugin_bot(&self, plugin_id: &str, bot: &User) -> StoreResult<()>;

    // --- teams ---------------------------------------------------------------
    fn create_team(&self, team: &Team) -> StoreResult<()>;
    fn team(&self, id: &str) -> StoreResult<Option<Team>>;
    fn team_by_name(&self, name: &str) -> StoreResult<Option<Team>>;
    /// Adding an existing member is not an error.
    fn add_team_member(&self, team_id: &str, user_id: &str, roles: &str) -> StoreResult<()>;
    fn is_team_member(&self, team_id: &str, user_id: &str) -> StoreResult<bool>;
    fn teams_for_user(&self, user_id: &str) -> StoreResult<Vec<Team>>;

    // --- channels ------------------------------------------------------------
    fn create_channel(&self, channel: &Channel) -> StoreResult<()>;
    /// Updates display name, header, purpose, delete_at and update_at.
    fn update_channel(&self, channel: &Channel) -> StoreResult<()>;
    fn channel(&self, id: &str) -> StoreResult<Option<Channel>>;
    fn channel_by_name(&self, team_id: &str, name: &str) -> StoreResult<Option<Channel>>;
    /// Returns false if the user already was a member.
    fn add_channel_member(&self, channel_id: &str, user_id: &str, at_ms: i64) -> StoreResult<bool>;
    /// Returns false if the user was not a member.
    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> StoreResult<bool>;
    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> StoreResult<bool>;
    /// Member user ids ordered by join time, then id.
    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// Channels of a team the user is a member of (plus their direct/group
    /// channels, which have an empty team id).
    fn channels_for_user(&self, team_id: &str, user_id: &str) -> StoreResult<Vec<Channel>>;
    /// Non-archived open channels of a team, by display name.
    fn public_channels(&self, team_id: &str, offset: u32, limit: u32) -> StoreResult<Vec<Channel>>;

    // --- posts ---------------------------------------------------------------
    /// Stores a post and bumps the channel's `last_post_at` and
    /// `total_msg_count`, in one transaction.
    fn create_post(&self, post: &Post) -> StoreResult<()>;
    /// Replaces message, props, type, is_pinned, edit_at and update_at.
    fn update_post(&self, post: &Post) -> StoreResult<()>;
    /// Soft-deletes the post (and, for a root post, its replies).
    fn delete_post(&self, post_id: &str, at_ms: i64) -> StoreResult<()>;
    /// The post, including soft-deleted ones (callers check `delete_at`).
    fn post(&self, id: &str) -> StoreResult<Option<Post>>;
    /// A channel's posts, newest first, per [`PostQuery`].
    fn channel_posts(&self, channel_id: &str, query: &PostQuery) -> StoreResult<Vec<Post>>;
    /// The root post and all its non-deleted replies, oldest first.
    fn thread(&self, root_id: &str) -> StoreResult<Vec<Post>>;

    // --- plugin slash commands ------------------------------------------------
    /// Inserts or replaces the registration of `trigger` (unique across plugins;
    /// a trigger owned by another plugin is a conflict).
    fn register_command(&self, command: &CommandRegistration) -> StoreResult<()>;
    fn unregister_command(&self, plugin_id: &str, trigger: &str) -> StoreResult<bool>;
    fn command(&self, trigger: &str) -> StoreResult<Option<CommandRegistration>>;
    fn commands(&self) -> StoreResult<Vec<CommandRegistration>>;
}
