//! Full-text search over posts.
//!
//! The query arrives already parsed and resolved (names turned into ids,
//! dates into times) by the host; the backend only turns it into its own
//! full-text syntax (SQLite FTS5 here, PostgreSQL `tsquery` later) and
//! applies the caller's channel scope inside the same SQL statement, so a
//! search can never see a channel the caller does not belong to and a big
//! store stays fast.

use super::StoreResult;
use crate::model::Post;

/// One word or phrase to look for. The backend tokenizes `text` itself
/// (case and diacritics folded), so `text` is what the user typed: a word,
/// or the inside of a quoted phrase. No character in it has any query
/// meaning; backends must quote it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchTerm {
    pub text: String,
    /// The last word of `text` matches as a prefix (`deploy*`).
    pub prefix: bool,
}

impl SearchTerm {
    pub fn word(text: &str) -> Self {
        Self {
            text: text.to_string(),
            prefix: false,
        }
    }
}

/// A post search on behalf of one user.
///
/// Scope, always applied: channels `user_id` is a member of — the team's
/// channels (all their teams' with `team_id = None`) plus their direct and
/// group channels — not archived unless `include_deleted_channels`. Only
/// posts that are not deleted and not system messages are ever found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostSearchQuery {
    pub user_id: String,
    pub team_id: Option<String>,
    /// All must match (any one with `or_terms`). With no terms, every post
    /// passing the other filters matches (newest first) — the host only asks
    /// that when some filter (`from:`, `in:`, a date) is set.
    pub terms: Vec<SearchTerm>,
    pub or_terms: bool,
    /// Posts matching any of these are left out.
    pub excluded_terms: Vec<SearchTerm>,
    /// When not empty, only posts by these users.
    pub from_user_ids: Vec<String>,
    pub excluded_user_ids: Vec<String>,
    /// When not empty, only posts in these channels (still within scope).
    pub in_channel_ids: Vec<String>,
    pub excluded_channel_ids: Vec<String>,
    /// `create_at >= after_ms`.
    pub after_ms: Option<i64>,
    /// `create_at < before_ms`.
    pub before_ms: Option<i64>,
    pub include_deleted_channels: bool,
    pub offset: u32,
    pub limit: u32,
}

pub trait SearchStore: Send + Sync {
    /// The matching posts in scope, newest first, `limit` of them after
    /// skipping `offset`.
    fn search_posts(&self, query: &PostSearchQuery) -> StoreResult<Vec<Post>>;
}
