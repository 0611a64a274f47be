//! Preferences, Mattermost's routes (decision 020):
//! `GET|PUT /api/v4/users/{user_id}/preferences`,
//! `POST /api/v4/users/{user_id}/preferences/delete`,
//! `GET /api/v4/users/{user_id}/preferences/{category}` and
//! `GET /api/v4/users/{user_id}/preferences/{category}/name/{name}`.
//!
//! Reading: the user themself or a system admin (403 otherwise). Writing:
//! only the user themself, and every item must name them (403 otherwise,
//! as in Mattermost). A `flagged_post` must name a post the caller may
//! read and a `favorite_channel` a channel they may read (403 otherwise),
//! so preferences never reveal whether an unreadable post or channel
//! exists or serve to learn about it.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chat_store::ports::preferences::Preference;
use serde_json::{Value, json};

use super::access;
use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState, blocking};
use crate::error::AppError;
use crate::services::preferences::{FAVORITE_CHANNEL, FLAGGED_POST, MAX_PER_REQUEST};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/{user_id}/preferences", get(list).put(save))
        .route("/api/v4/users/{user_id}/preferences/delete", post(delete))
        .route(
            "/api/v4/users/{user_id}/preferences/{category}",
            get(in_category),
        )
        .route(
            "/api/v4/users/{user_id}/preferences/{category}/name/{name}",
            get(one),
        )
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    Ok(Json(
        blocking(move || Ok(state.services.preferences.preferences(&user_id)?)).await?,
    ))
}

/// Mattermost answers 404 for a category without preferences.
async fn in_category(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, category)): Path<(String, String)>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    let found = blocking(move || {
        Ok(state
            .services
            .preferences
            .preferences_in(&user_id, &category)?)
    })
    .await?;
    if found.is_empty() {
        return Err(AppError::NotFound("preferences".into()).into());
    }
    Ok(Json(found))
}

async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, category, name)): Path<(String, String, String)>,
) -> Result<Json<Preference>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    let found = blocking(move || {
        Ok(state
            .services
            .preferences
            .preference(&user_id, &category, &name)?)
    })
    .await?;
    Ok(Json(found.ok_or_else(|| {
        ApiError::from(AppError::NotFound("preference".into()))
    })?))
}

/// Only the caller's own preferences can change (admins included, as in
/// Mattermost).
fn own(caller: &Caller, user_id: &str) -> Result<String, ApiError> {
    if user_id == "me" || user_id == caller.id() {
        Ok(caller.id().to_string())
    } else {
        Err(access::forbidden())
    }
}

/// The posts and channels items name must be readable by the caller.
fn check_targets(state: &AppState, caller: &Caller, items: &[Preference]) -> Result<(), AppError> {
    let can_read = |channel_id: &str| -> Result<bool, AppError> {
        let Some(channel) = state.services.chat.channel(channel_id)? else {
            return Ok(false);
        };
        access::can_read_channel(&state.services, caller, &channel)
            .map_err(|e| AppError::Internal(e.message))
    };
    for (i, p) in items.iter().enumerate() {
        let readable = match p.category.as_str() {
            FLAGGED_POST => match state.services.chat.post(&p.name)? {
                Some(post) if post.delete_at == 0 => can_read(&post.channel_id)?,
                _ => false,
            },
            FAVORITE_CHANNEL => can_read(&p.name)?,
            _ => true,
        };
        if !readable {
            let what = if p.category == FLAGGED_POST {
                "post"
            } else {
                "channel"
            };
            return Err(AppError::Forbidden(format!(
                "preferences[{i}].name: you cannot read that {what}"
            )));
        }
    }
    Ok(())
}

/// Parses the body as a list (its length checked first, so an oversized
/// list is refused before its items are looked at).
fn items(body: Value) -> Result<Vec<Preference>, ApiError> {
    let Value::Array(list) = body else {
        return Err(AppError::Invalid("preferences: a list of preferences".into()).into());
    };
    if list.len() > MAX_PER_REQUEST {
        return Err(AppError::Invalid(format!(
            "preferences: at most {MAX_PER_REQUEST} per request"
        ))
        .into());
    }
    list.into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::from_value::<Preference>(item)
                .map_err(|e| AppError::Invalid(format!("preferences[{i}]: {e}")).into())
        })
        .collect()
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let user_id = own(&caller, &user_id)?;
    let items = items(body)?;
    crate::services::preferences::validate(&user_id, &items)?;
    blocking(move || {
        check_targets(&state, &caller, &items)?;
        state.services.save_preferences(&user_id, &items)
    })
    .await?;
    Ok(Json(json!({"status": "OK"})))
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let user_id = own(&caller, &user_id)?;
    let items = items(body)?;
    blocking(move || state.services.delete_preferences(&user_id, &items)).await?;
    Ok(Json(json!({"status": "OK"})))
}
