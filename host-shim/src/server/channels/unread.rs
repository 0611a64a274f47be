//! Read state of channel memberships (decision 012): marking a channel
//! viewed, and the member records a client needs for its unread badges.
//!
//! `POST /channels/members/{user_id}/view` is what the client calls on
//! switching channels; `channel_viewed` then tells the user's other
//! connections (tabs) to clear the channel's unread marker.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ChannelMember;
use crate::error::AppError;
use crate::model::now_ms;
use crate::server::access::{self, forbidden};
use crate::server::auth::Caller;
use crate::server::extract::JsonBody;
use crate::server::{ApiError, AppState};
use crate::services::{Broadcast, WsEvent};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v4/channels/members/{user_id}/view",
            post(view_channel),
        )
        .route(
            "/api/v4/users/{user_id}/teams/{team_id}/channels/members",
            get(my_members),
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChannelView {
    channel_id: String,
    prev_channel_id: String,
}

/// Marks `channel_id` (and `prev_channel_id`, when the user is a member of
/// it) viewed for the user. The user must be a member of `channel_id`; an
/// empty `channel_id` with a `prev_channel_id` only marks the latter, as in
/// Mattermost (a client leaving a channel for a non-channel view).
async fn view_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(view): JsonBody<ChannelView>,
) -> Result<Json<Value>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    if view.channel_id.is_empty() && view.prev_channel_id.is_empty() {
        return Err(AppError::Invalid("channel_id: required".into()).into());
    }
    let chat = &state.services.chat;
    if !view.channel_id.is_empty() && !chat.is_channel_member(&view.channel_id, &user_id)? {
        return Err(forbidden());
    }
    let now = now_ms();
    let mut times = Map::new();
    for channel_id in [&view.channel_id, &view.prev_channel_id] {
        if channel_id.is_empty() || times.contains_key(channel_id.as_str()) {
            continue;
        }
        // Not being a member of the previous channel is not an error (it may
        // have been left or archived meanwhile): it is skipped.
        let Some(member) = chat.view_channel(channel_id, &user_id, now)? else {
            continue;
        };
        times.insert(channel_id.clone(), json!(member.last_viewed_at));
        state.services.events.publish(WsEvent {
            event: "channel_viewed".into(),
            data: json!({"channel_id": channel_id})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            broadcast: Broadcast {
                user_id: user_id.clone(),
                ..Default::default()
            },
        });
    }
    Ok(Json(
        json!({"status": "OK", "last_viewed_at_times": Value::Object(times)}),
    ))
}

/// Every membership of the user in the team's channels plus their direct
/// and group channels (what the client's sidebar needs for unread badges).
async fn my_members(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<Vec<ChannelMember>>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    access::require_team_member(&state.services, &caller, &team_id)?;
    let members = state
        .services
        .chat
        .memberships_for_user(&team_id, &user_id)?;
    Ok(Json(members.into_iter().map(ChannelMember::from).collect()))
}

/// `GET /channels/{channel_id}/members/{user_id}` ("me" = the caller): for
/// whoever may read the channel.
pub(super) async fn get_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((channel_id, user_id)): Path<(String, String)>,
) -> Result<Json<ChannelMember>, ApiError> {
    access::require_channel_read(&state.services, &caller, &channel_id)?;
    let user_id = if user_id == "me" {
        caller.id().to_string()
    } else {
        user_id
    };
    let member = state
        .services
        .chat
        .channel_member(&channel_id, &user_id)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "app.channel.get_member.missing.app_error",
                "user_id: no channel member found for that user and channel",
            )
        })?;
    Ok(Json(member.into()))
}
