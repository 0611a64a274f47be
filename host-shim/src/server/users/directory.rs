//! Finding people: `GET /users` (member lists, pickers), `GET
//! /users/autocomplete` (the @-mention and direct-message pickers) and
//! `POST /users/search`.
//!
//! All three share one store query ([`UserQuery`]) and one set of rules, so
//! a picker cannot reveal more than a list: the caller must be allowed into
//! every scope they name (a team they belong to, channels they may read),
//! and non-admins only ever see users who share a team or a channel with
//! them. Emails are hidden as everywhere else ([`sanitize`]).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::sanitize;
use crate::error::AppError;
use crate::model::{Channel, User, UserQuery};
use crate::server::access;
use crate::server::auth::Caller;
use crate::server::extract::{JsonBody, QueryParams};
use crate::server::{ApiError, AppState};

/// Mattermost's page size for `GET /users` (default and most).
const DEFAULT_PER_PAGE: u32 = 60;
const MAX_PER_PAGE: u32 = 200;
/// Mattermost's autocomplete and search limits (default and most).
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/autocomplete", get(autocomplete))
        .route("/api/v4/users/search", post(search))
}

fn non_empty(value: String) -> Option<String> {
    let value = value.trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// A limit from the client: 0 (absent) is the default, larger than the
/// most is the most.
fn limit(asked: u32, default: u32, most: u32) -> u32 {
    if asked == 0 { default } else { asked.min(most) }
}

/// The words to match: a leading `@` (as typed in a mention) is ignored.
fn term(raw: &str) -> String {
    raw.trim().trim_start_matches('@').to_string()
}

/// The scopes a request names, checked: 404 for a team or channel that
/// does not exist, 403 for one the caller may not see.
struct Scope {
    in_team: Option<String>,
    in_channel: Option<Channel>,
    not_in_channel: Option<String>,
}

impl Scope {
    fn check(
        state: &AppState,
        caller: &Caller,
        in_team: String,
        in_channel: String,
        not_in_channel: String,
    ) -> Result<Scope, ApiError> {
        let in_team = non_empty(in_team);
        if let Some(team_id) = &in_team {
            access::require_team_member(&state.services, caller, team_id)?;
        }
        let in_channel = match non_empty(in_channel) {
            Some(id) => Some(access::require_channel_read(&state.services, caller, &id)?),
            None => None,
        };
        let not_in_channel = non_empty(not_in_channel);
        if let Some(id) = &not_in_channel {
            access::require_channel_read(&state.services, caller, id)?;
        }
        Ok(Scope {
            in_team,
            in_channel,
            not_in_channel,
        })
    }

    /// The store query for this scope, limited to what the caller may see.
    fn query(&self, caller: &Caller) -> UserQuery {
        UserQuery {
            in_team: self.in_team.clone(),
            in_channel: self.in_channel.as_ref().map(|c| c.id.clone()),
            not_in_channel: self.not_in_channel.clone(),
            visible_to: (!caller.is_admin()).then(|| caller.id().to_string()),
            ..Default::default()
        }
    }
}

fn run(state: &AppState, caller: &Caller, query: &UserQuery) -> Result<Vec<User>, ApiError> {
    Ok(state
        .services
        .chat
        .search_users(query)?
        .into_iter()
        .map(|u| sanitize(u, Some(caller)))
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    page: u32,
    per_page: u32,
    in_team: String,
    in_channel: String,
    not_in_channel: String,
    active: Option<bool>,
    inactive: Option<bool>,
}

/// `GET /users?page&per_page&in_team&in_channel&not_in_channel&active&inactive`,
/// by username.
pub(super) async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<Vec<User>>, ApiError> {
    let scope = Scope::check(&state, &caller, q.in_team, q.in_channel, q.not_in_channel)?;
    let per_page = limit(q.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE);
    let active = match (q.active, q.inactive) {
        (_, Some(true)) => Some(false),
        (Some(true), _) => Some(true),
        _ => None,
    };
    let query = UserQuery {
        active,
        offset: q.page.saturating_mul(per_page),
        limit: per_page,
        ..scope.query(&caller)
    };
    Ok(Json(run(&state, &caller, &query)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AutocompleteQuery {
    in_team: String,
    in_channel: String,
    name: String,
    limit: u32,
}

/// Mattermost `UserAutocomplete`. `out_of_channel` is always present here
/// (empty without `in_channel`); Mattermost omits it when empty.
#[derive(Serialize)]
struct UserAutocomplete {
    users: Vec<User>,
    out_of_channel: Vec<User>,
}

/// `GET /users/autocomplete?in_team&in_channel&name&limit`: active users
/// whose username, first name, last name or nickname starts with each word
/// of `name`. With `in_channel`: `users` are its members, `out_of_channel`
/// the members of `in_team` (else of the channel's team) who are not in it.
/// Without: `users` are the team's members with `in_team`, else everyone
/// the caller may see.
async fn autocomplete(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<AutocompleteQuery>,
) -> Result<Json<UserAutocomplete>, ApiError> {
    let scope = Scope::check(&state, &caller, q.in_team, q.in_channel, String::new())?;
    let base = UserQuery {
        term: term(&q.name),
        active: Some(true),
        limit: limit(q.limit, DEFAULT_LIMIT, MAX_LIMIT),
        ..scope.query(&caller)
    };
    let users = run(&state, &caller, &base)?;
    let out_of_channel = match &scope.in_channel {
        None => Vec::new(),
        Some(channel) => {
            let team = scope
                .in_team
                .clone()
                .or_else(|| non_empty(channel.team_id.clone()));
            let outside = UserQuery {
                in_team: team,
                in_channel: None,
                not_in_channel: Some(channel.id.clone()),
                ..base
            };
            run(&state, &caller, &outside)?
        }
    };
    Ok(Json(UserAutocomplete {
        users,
        out_of_channel,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchBody {
    term: String,
    team_id: String,
    in_channel_id: String,
    not_in_channel_id: String,
    allow_inactive: bool,
    limit: u32,
}

/// `POST /users/search {term, team_id, in_channel_id, not_in_channel_id,
/// allow_inactive, limit}`: the autocomplete's matching as one list.
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Vec<User>>, ApiError> {
    let words = term(&body.term);
    if words.is_empty() {
        return Err(AppError::Invalid("term: required".into()).into());
    }
    let scope = Scope::check(
        &state,
        &caller,
        body.team_id,
        body.in_channel_id,
        body.not_in_channel_id,
    )?;
    let query = UserQuery {
        term: words,
        active: (!body.allow_inactive).then_some(true),
        limit: limit(body.limit, DEFAULT_LIMIT, MAX_LIMIT),
        ..scope.query(&caller)
    };
    Ok(Json(run(&state, &caller, &query)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_and_cap() {
        assert_eq!(limit(0, 60, 200), 60);
        assert_eq!(limit(5, 60, 200), 5);
        assert_eq!(limit(5000, 60, 200), 200);
    }

    #[test]
    fn terms_drop_a_leading_at() {
        assert_eq!(term("  @bo "), "bo");
        assert_eq!(term("carol smi"), "carol smi");
    }
}
