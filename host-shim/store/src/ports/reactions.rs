//! Storage of emoji reactions on posts.
//!
//! A reaction is one (post, user, emoji) triple. Adding or removing one also
//! changes its post (`has_reactions`, `update_at`) in the same transaction,
//! so a client that fetches posts `since` a time sees the change and the flag
//! never disagrees with the reactions table.

use serde::{Deserialize, Serialize};

use super::StoreResult;

/// Mattermost's `Reaction`. `channel_id` is the post's channel (read from
/// the post, never from the request); `update_at` is `create_at` and
/// `delete_at` is 0, since removed reactions are deleted, not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Reaction {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub remote_id: String,
    pub channel_id: String,
}

/// What [`ReactionStore::add_reaction`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Stored now.
    New(Reaction),
    /// The same user had already reacted to the post with the same emoji:
    /// nothing changed, this is the stored reaction.
    Existing(Reaction),
}

/// Why a reaction could not be added (besides backend failures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such post, or it is deleted.
    PostGone,
    /// The post's channel is archived.
    ChannelArchived,
    /// The post already has `max_unique` different emoji and this is a new one.
    TooManyEmoji,
}

pub trait ReactionStore: Send + Sync {
    /// Stores `user_id`'s `emoji_name` reaction on `post_id` at `at_ms` unless
    /// it exists already, and then sets the post's `has_reactions` and moves
    /// its `update_at` to at least `at_ms`. The post's existence, its channel
    /// not being archived and the limit of `max_unique` distinct emoji are
    /// checked inside the same write transaction, so a concurrent delete or
    /// another reaction cannot slip past them.
    fn add_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
        at_ms: i64,
        max_unique: usize,
    ) -> StoreResult<Result<Added, Refused>>;

    /// Deletes one reaction; when one was deleted, recomputes the post's
    /// `has_reactions` and moves its `update_at` to at least `at_ms`, in the
    /// same transaction. Returns the deleted reaction (`None`: there was none).
    fn remove_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
        at_ms: i64,
    ) -> StoreResult<Option<Reaction>>;

    /// A post's reactions, oldest first.
    fn reactions_for_post(&self, post_id: &str) -> StoreResult<Vec<Reaction>>;

    /// The reactions of several posts in one query, oldest first (grouped by
    /// the caller). Unknown ids and duplicates are fine.
    fn reactions_for_posts(&self, post_ids: &[String]) -> StoreResult<Vec<Reaction>>;
}
