//! Statuses, Mattermost's routes and shapes (decision 020):
//! `GET /api/v4/users/{user_id}/status`, `POST /api/v4/users/status/ids`
//! (a list of ids → a list of statuses) and `PUT
//! /api/v4/users/{user_id}/status` `{user_id, status, dnd_end_time}`.
//!
//! A status is shown only to those who may see its user (the user
//! directory's rule); for anyone else the user does not exist. Only the
//! user themself, or a system admin, sets it.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chat_store::ports::presence::UserStatus;
use serde::Deserialize;

use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState, blocking};
use crate::error::AppError;
use crate::services::presence::MAX_STATUS_IDS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v4/users/{user_id}/status",
            get(get_status).put(update_status),
        )
        .route("/api/v4/users/status/ids", post(statuses_by_ids))
}

/// The ids among `ids` the caller may see (all existing ones for admins).
fn visible(state: &AppState, caller: &Caller, ids: &[String]) -> Result<Vec<String>, AppError> {
    if caller.is_admin() {
        return Ok(state
            .services
            .chat
            .users_by_ids(ids)?
            .into_iter()
            .map(|u| u.id)
            .collect());
    }
    Ok(state.services.presence.visible_users(caller.id(), ids)?)
}

async fn get_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<UserStatus>, ApiError> {
    let user_id = if user_id == "me" {
        caller.id().to_string()
    } else {
        user_id
    };
    let status = blocking(move || {
        let ids = [user_id];
        if visible(&state, &caller, &ids)?.is_empty() {
            return Err(AppError::NotFound("user".into()));
        }
        Ok(state.services.statuses(&ids)?.remove(0))
    })
    .await?;
    Ok(Json(status))
}

async fn statuses_by_ids(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<UserStatus>>, ApiError> {
    if ids.is_empty() {
        return Err(AppError::Invalid("user_ids: at least one user id".into()).into());
    }
    if ids.len() > MAX_STATUS_IDS {
        return Err(
            AppError::Invalid(format!("user_ids: at most {MAX_STATUS_IDS} per request")).into(),
        );
    }
    let statuses = blocking(move || {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        let seen = visible(&state, &caller, &ids)?;
        state.services.statuses(&seen)
    })
    .await?;
    Ok(Json(statuses))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusUpdate {
    user_id: String,
    status: String,
    dnd_end_time: i64,
}

/// Mattermost: the body names the same user as the path (400 naming
/// `user_id`), which must be the caller or, for a system admin, anyone.
async fn update_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<StatusUpdate>,
) -> Result<Json<UserStatus>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    if body.user_id != user_id {
        return Err(AppError::Invalid("user_id: must be the user of the URL".into()).into());
    }
    let status = blocking(move || {
        if state.services.chat.user(&user_id)?.is_none() {
            return Err(AppError::NotFound("user".into()));
        }
        state
            .services
            .set_status(&user_id, &body.status, body.dnd_end_time)
    })
    .await?;
    Ok(Json(status))
}
