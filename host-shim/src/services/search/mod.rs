//! Post search (decision 019): Mattermost's search syntax
//! ([`parse`]) turned into a [`PostSearchQuery`] for the store.
//!
//! Names are resolved here, as Mattermost does: `from:` and `in:` naming no
//! one (or nothing the caller can see) match nothing rather than failing, so
//! a search never tells whether a private channel exists. The scope — the
//! channels the caller is a member of — is applied by the store in the same
//! query, whatever `in:` says.

pub mod parse;

use chat_store::ports::search::PostSearchQuery;

use super::Services;
use crate::error::{AppError, AppResult};
use crate::model::Post;
use parse::{ChannelRef, ParsedSearch};

/// `per_page` when the request gives none (Mattermost's default).
pub const DEFAULT_PER_PAGE: u32 = 60;
/// Largest page.
pub const MAX_PER_PAGE: u32 = 200;
/// Deepest result reachable by paging (`page * per_page`), as search
/// engines bound their result windows.
pub const MAX_RESULT_WINDOW: u32 = 10_000;

/// A search as the API receives it (Mattermost's `SearchParameter`).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub terms: String,
    pub is_or_search: bool,
    /// Seconds east of UTC.
    pub time_zone_offset: i64,
    pub include_deleted_channels: bool,
    pub page: u32,
    /// `None`: [`DEFAULT_PER_PAGE`]; clamped to `1..=MAX_PER_PAGE`.
    pub per_page: Option<u32>,
}

/// One page of results, newest first.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    pub posts: Vec<Post>,
    /// Whether a next page has results.
    pub has_next: bool,
}

impl Services {
    /// Searches the posts `user_id` may search: in `team_id` (plus their
    /// direct and group messages), or in all their teams when `None`. The
    /// caller has checked team membership.
    pub fn search_posts(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        request: &SearchRequest,
    ) -> AppResult<SearchPage> {
        let parsed = parse::parse(&request.terms, request.time_zone_offset)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let per_page = request
            .per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE);
        let offset = request
            .page
            .checked_mul(per_page)
            .filter(|offset| *offset < MAX_RESULT_WINDOW)
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "page: page * per_page must stay below {MAX_RESULT_WINDOW}"
                ))
            })?;
        if !parsed.is_selective() || parsed.is_empty_range() {
            return Ok(SearchPage::default());
        }
        let Some(mut query) = self.resolve(user_id, team_id, &parsed)? else {
            return Ok(SearchPage::default());
        };
        query.or_terms = request.is_or_search;
        query.include_deleted_channels = request.include_deleted_channels;
        query.offset = offset;
        query.limit = per_page + 1;
        let mut posts = self.search.search_posts(&query)?;
        let has_next = posts.len() > per_page as usize;
        posts.truncate(per_page as usize);
        Ok(SearchPage { posts, has_next })
    }

    /// The store query for `parsed`, or `None` when a `from:` or `in:` list
    /// names only what does not exist (so nothing can match).
    fn resolve(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        parsed: &ParsedSearch,
    ) -> AppResult<Option<PostSearchQuery>> {
        let from_user_ids = self.user_ids(&parsed.from_users)?;
        let in_channel_ids = self.channel_ids(user_id, team_id, &parsed.in_channels)?;
        if from_user_ids.is_empty() && !parsed.from_users.is_empty()
            || in_channel_ids.is_empty() && !parsed.in_channels.is_empty()
        {
            return Ok(None);
        }
        Ok(Some(PostSearchQuery {
            user_id: user_id.to_string(),
            team_id: team_id.map(str::to_string),
            terms: parsed.terms.clone(),
            excluded_terms: parsed.excluded_terms.clone(),
            from_user_ids,
            excluded_user_ids: self.user_ids(&parsed.excluded_users)?,
            in_channel_ids,
            excluded_channel_ids: self.channel_ids(user_id, team_id, &parsed.excluded_channels)?,
            after_ms: parsed.after_ms,
            before_ms: parsed.before_ms,
            ..Default::default()
        }))
    }

    /// Ids of the users named; unknown names are skipped.
    fn user_ids(&self, usernames: &[String]) -> AppResult<Vec<String>> {
        let mut ids = Vec::new();
        for name in usernames {
            if let Some(user) = self.chat.user_by_username(name)? {
                ids.push(user.id);
            }
        }
        Ok(ids)
    }

    /// Ids of the channels named: by name in the team (in each of the
    /// caller's teams for an all-teams search), `@user` as the direct
    /// channel with that user. Unknown names are skipped. Whether the caller
    /// may read them is the store's scope's business.
    fn channel_ids(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        channels: &[ChannelRef],
    ) -> AppResult<Vec<String>> {
        let mut ids = Vec::new();
        if channels.is_empty() {
            return Ok(ids);
        }
        let team_ids: Vec<String> = match team_id {
            Some(team) => vec![team.to_string()],
            None => self
                .chat
                .teams_for_user(user_id)?
                .into_iter()
                .map(|t| t.id)
                .collect(),
        };
        for channel in channels {
            match channel {
                ChannelRef::Name(name) => {
                    for team in &team_ids {
                        if let Some(found) = self.chat.channel_by_name(team, name)? {
                            ids.push(found.id);
                        }
                    }
                }
                ChannelRef::Direct(username) => {
                    if let Some(other) = self.chat.user_by_username(username)? {
                        let mut pair = [user_id, other.id.as_str()];
                        pair.sort();
                        let name = format!("{}__{}", pair[0], pair[1]);
                        if let Some(found) = self.chat.channel_by_name("", &name)? {
                            ids.push(found.id);
                        }
                    }
                }
            }
        }
        Ok(ids)
    }
}
