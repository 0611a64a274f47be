//! `POST /api/v4/teams/{team_id}/posts/search` and `POST /api/v4/posts/search`
//! (all the caller's teams): Mattermost's post search (decision 019).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState, access, blocking};
use crate::error::AppError;
use crate::services::search::{SearchPage, SearchRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/teams/{team_id}/posts/search", post(search_team))
        .route("/api/v4/posts/search", post(search_all_teams))
}

/// Mattermost's `SearchParameter`. Every field may be absent or `null`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchBody {
    terms: Option<String>,
    is_or_search: Option<bool>,
    time_zone_offset: Option<i64>,
    include_deleted_channels: Option<bool>,
    page: Option<i64>,
    per_page: Option<i64>,
}

impl SearchBody {
    fn into_request(self) -> Result<SearchRequest, ApiError> {
        let terms = self.terms.unwrap_or_default();
        if terms.trim().is_empty() {
            return Err(invalid("terms: must not be empty"));
        }
        let page = match self.page.unwrap_or(0) {
            page @ 0..=100_000 => page as u32,
            _ => return Err(invalid("page: must be between 0 and 100000")),
        };
        let per_page = match self.per_page {
            None => None,
            Some(n @ 0..=100_000) => Some(n as u32),
            Some(_) => return Err(invalid("per_page: must be between 0 and 100000")),
        };
        Ok(SearchRequest {
            terms,
            is_or_search: self.is_or_search.unwrap_or(false),
            time_zone_offset: self.time_zone_offset.unwrap_or(0),
            include_deleted_channels: self.include_deleted_channels.unwrap_or(false),
            page,
            per_page,
        })
    }
}

fn invalid(message: &str) -> ApiError {
    AppError::Invalid(message.to_string()).into()
}

/// Mattermost's `PostSearchResults`: a `PostList` plus `matches` (the words
/// each post matched, filled by search engines that know them; `null` here,
/// as Mattermost's database search leaves it).
#[derive(Serialize, Default)]
struct PostSearchResults {
    order: Vec<String>,
    posts: Map<String, Value>,
    next_post_id: String,
    prev_post_id: String,
    has_next: bool,
    matches: Option<Map<String, Value>>,
}

impl From<SearchPage> for PostSearchResults {
    fn from(page: SearchPage) -> Self {
        let mut results = PostSearchResults {
            has_next: page.has_next,
            ..Default::default()
        };
        for post in page.posts {
            results.order.push(post.id.clone());
            let value = serde_json::to_value(&post).unwrap_or(Value::Null);
            results.posts.insert(post.id, value);
        }
        results
    }
}

async fn search(
    state: AppState,
    caller: Caller,
    team_id: Option<String>,
    body: SearchBody,
) -> Result<impl IntoResponse, ApiError> {
    let request = body.into_request()?;
    let services = state.services.clone();
    let user_id = caller.id().to_string();
    let page =
        blocking(move || services.search_posts(&user_id, team_id.as_deref(), &request)).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-cache, no-store, must-revalidate")],
        Json(PostSearchResults::from(page)),
    ))
}

/// Team members only (admins too, but they search only the channels they
/// belong to, as in Mattermost).
async fn search_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<impl IntoResponse, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    search(state, caller, Some(team_id), body).await
}

async fn search_all_teams(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<impl IntoResponse, ApiError> {
    search(state, caller, None, body).await
}
