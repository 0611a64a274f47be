//! Sidebar categories, Mattermost's routes and shapes:
//! `GET /api/v4/users/{user_id}/teams/{team_id}/channels/categories` →
//! `{categories: [SidebarCategoryWithChannels], order: [ids]}`, and `POST`
//! there with `{display_name, channel_ids}` → 201, the custom category.
//! Only the user themself (or a system admin), a member of the team.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::access;
use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState};
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v4/users/{user_id}/teams/{team_id}/channels/categories",
        get(list).post(create),
    )
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    access::require_team_member(&state.services, &caller, &team_id)?;
    let categories = state.services.categories(&user_id, &team_id)?;
    let order: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    Ok(Json(json!({"categories": categories, "order": order})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewCategory {
    display_name: String,
    channel_ids: Vec<String>,
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, team_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewCategory>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    access::require_team_member(&state.services, &caller, &team_id)?;
    if body.channel_ids.is_empty() {
        return Err(AppError::Invalid("channel_ids: at least one channel".into()).into());
    }
    let mut category = None;
    for channel_id in body.channel_ids.iter().rev() {
        if !state
            .services
            .chat
            .is_channel_member(channel_id, &user_id)?
        {
            return Err(
                AppError::Invalid(format!("channel_ids: not a member of {channel_id}")).into(),
            );
        }
        category = Some(state.services.add_to_category(
            &user_id,
            &team_id,
            &body.display_name,
            channel_id,
        )?);
    }
    Ok((StatusCode::CREATED, Json(json!(category))))
}
