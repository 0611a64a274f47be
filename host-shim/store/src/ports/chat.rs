//! Storage of chat entities: users, teams, channels, memberships, posts,
//! plugin bots and plugin slash commands.

use super::StoreResult;
use crate::model::{
    Channel, ChannelMembership, CommandRegistration, Post, PostEffects, PostQuery, Team,
    TeamMembership, User, UserQuery,
};

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
    /// Inserts a person who signed up. Whether they are the first person on
    /// the server (bots aside) is decided in the same write transaction as
    /// the insert, so of any number of concurrent sign-ups exactly one is
    /// first: that one is stored with `first_roles` instead of `user.roles`.
    /// With `first_only`, anyone but the first is refused (`Ok(None)`, nothing
    /// stored). Returns the user as stored.
    fn create_signed_up_user(
        &self,
        user: &User,
        password_hash: &str,
        first_roles: &str,
        first_only: bool,
    ) -> StoreResult<Option<User>>;
    fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>>;
    /// Users matching every filter of the query, by username (pickers,
    /// `GET /users`, autocomplete and search).
    fn search_users(&self, query: &UserQuery) -> StoreResult<Vec<User>>;

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
    /// One user's team roles (space-separated), `None` if not a member.
    fn team_member_roles(&self, team_id: &str, user_id: &str) -> StoreResult<Option<String>>;
    fn teams_for_user(&self, user_id: &str) -> StoreResult<Vec<Team>>;
    /// Non-deleted teams by display name: with `member_id`, the open teams
    /// and the teams that user belongs to; with `None`, all of them.
    fn listed_teams(
        &self,
        member_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<Team>>;
    /// A team's memberships, ordered by username.
    fn team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<TeamMembership>>;

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

    // --- memberships and unread counters ------------------------------------
    /// One membership with its counters; `None` when not a member.
    fn channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<ChannelMembership>>;
    /// A channel's memberships, in [`channel_members`](Self::channel_members) order.
    fn channel_memberships(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<ChannelMembership>>;
    /// A user's memberships of a team's channels plus their direct and group
    /// channels, in [`channels_for_user`](Self::channels_for_user) order.
    fn memberships_for_user(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<ChannelMembership>>;
    /// Marks a channel read for a member: `msg_count` := the channel's
    /// total, `mention_count` := 0, `last_viewed_at` := `at_ms` (never
    /// moving back). `None` when the user is not a member.
    fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        at_ms: i64,
    ) -> StoreResult<Option<ChannelMembership>>;
    /// Adds one mention for each of `user_ids` who is a member; returns
    /// those, sorted and without duplicates.
    fn add_mentions(
        &self,
        channel_id: &str,
        user_ids: &[String],
        at_ms: i64,
    ) -> StoreResult<Vec<String>>;

    // --- posts ---------------------------------------------------------------
    /// Stores a post and bumps the channel's `last_post_at` and
    /// `total_msg_count`, in one transaction.
    fn create_post(&self, post: &Post) -> StoreResult<()> {
        self.create_post_with(post, &PostEffects::default())
            .map(|_| ())
    }
    /// [`create_post`](Self::create_post) plus the mention and read-state
    /// changes of `effects`, in the same transaction. Returns the members
    /// whose mention count went up, sorted, without duplicates.
    fn create_post_with(&self, post: &Post, effects: &PostEffects) -> StoreResult<Vec<String>>;
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
