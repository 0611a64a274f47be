//! `/api/v4/channels*`: create, read, patch, members, direct channels,
//! archive. Read state (unread counts, "view") is in [`unread`].

mod groups;
mod unread;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::access::{self, forbidden};
use super::auth::Caller;
use super::extract::{JsonBody, Paging, QueryParams};
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::{Channel, ChannelMembership};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/channels", post(create_channel))
        .route("/api/v4/channels/direct", post(create_direct))
        .route(
            "/api/v4/channels/{channel_id}",
            get(get_channel).delete(archive_channel),
        )
        .route("/api/v4/channels/{channel_id}/patch", put(patch_channel))
        .route(
            "/api/v4/channels/{channel_id}/members",
            get(members).post(add_member),
        )
        .route(
            "/api/v4/channels/{channel_id}/members/{user_id}",
            get(unread::get_member).delete(remove_member),
        )
        .route("/api/v4/teams/{team_id}/channels", get(public_channels))
        .route(
            "/api/v4/teams/{team_id}/channels/name/{name}",
            get(channel_by_name),
        )
        .route(
            "/api/v4/users/{user_id}/teams/{team_id}/channels",
            get(my_channels),
        )
        .merge(unread::routes())
        .merge(groups::routes())
}

/// Mattermost `ChannelMember`: the stored read state (decision 012) with
/// default notification settings and roles.
#[derive(Serialize)]
pub struct ChannelMember {
    channel_id: String,
    user_id: String,
    roles: String,
    last_viewed_at: i64,
    msg_count: i64,
    mention_count: i64,
    notify_props: Value,
    last_update_at: i64,
    scheme_guest: bool,
    scheme_user: bool,
    scheme_admin: bool,
    explicit_roles: String,
}

impl From<ChannelMembership> for ChannelMember {
    fn from(m: ChannelMembership) -> Self {
        Self {
            channel_id: m.channel_id,
            user_id: m.user_id,
            roles: "channel_user".into(),
            last_viewed_at: m.last_viewed_at,
            msg_count: m.msg_count,
            mention_count: m.mention_count,
            notify_props: json!({"desktop": "default", "email": "default", "mark_unread": "all", "push": "default"}),
            last_update_at: m.last_update_at,
            scheme_guest: false,
            scheme_user: true,
            scheme_admin: false,
            explicit_roles: String::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewChannel {
    team_id: String,
    name: String,
    display_name: String,
    purpose: String,
    header: String,
    #[serde(rename = "type")]
    channel_type: String,
}

async fn create_channel(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewChannel>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    access::require_team_member(&state.services, &caller, &body.team_id)?;
    if !state
        .services
        .chat
        .is_team_member(&body.team_id, caller.id())?
    {
        // Admins create channels in teams they are not in: add them first so
        // they can post there.
        state.services.add_team_member(&body.team_id, caller.id())?;
    }
    let channel = Channel {
        team_id: body.team_id,
        name: body.name.trim().to_lowercase(),
        display_name: body.display_name.trim().to_string(),
        purpose: body.purpose,
        header: body.header,
        channel_type: body.channel_type,
        creator_id: caller.id().to_string(),
        ..Default::default()
    };
    Ok((
        StatusCode::CREATED,
        Json(state.services.create_channel(channel)?),
    ))
}

async fn create_direct(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let [a, b] = ids.as_slice() else {
        return Err(AppError::Invalid("user_ids: exactly two user ids".into()).into());
    };
    if a != caller.id() && b != caller.id() && !caller.is_admin() {
        return Err(forbidden());
    }
    Ok((
        StatusCode::CREATED,
        Json(state.services.direct_channel(a, b)?),
    ))
}

async fn get_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(access::require_channel_read(
        &state.services,
        &caller,
        &channel_id,
    )?))
}

async fn channel_by_name(
    State(state): State<AppState>,
    caller: Caller,
    Path((team_id, name)): Path<(String, String)>,
) -> Result<Json<Channel>, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    let channel = state
        .services
        .chat
        .channel_by_name(&team_id, &name.to_lowercase())?
        .ok_or_else(|| AppError::NotFound("channel".into()))?;
    if !access::can_read_channel(&state.services, &caller, &channel)? {
        // Private channels are not revealed to non-members.
        return Err(AppError::NotFound("channel".into()).into());
    }
    Ok(Json(channel))
}

async fn public_channels(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    QueryParams(paging): QueryParams<Paging>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    let (offset, limit) = paging.bounds();
    Ok(Json(
        state
            .services
            .chat
            .public_channels(&team_id, offset, limit)?,
    ))
}

async fn my_channels(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    access::team(&state.services, &team_id)?;
    Ok(Json(
        state.services.chat.channels_for_user(&team_id, &user_id)?,
    ))
}

async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
    QueryParams(paging): QueryParams<Paging>,
) -> Result<Json<Vec<ChannelMember>>, ApiError> {
    access::require_channel_read(&state.services, &caller, &channel_id)?;
    let (offset, limit) = paging.bounds();
    let members = state
        .services
        .chat
        .channel_memberships(&channel_id, offset, limit)?;
    Ok(Json(members.into_iter().map(ChannelMember::from).collect()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddMember {
    user_id: String,
}

/// Joining a public channel needs team membership; adding someone else
/// needs channel membership. Direct and group channels are fixed.
async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
    JsonBody(body): JsonBody<AddMember>,
) -> Result<(StatusCode, Json<ChannelMember>), ApiError> {
    let channel = access::channel(&state.services, &channel_id)?;
    if channel.delete_at != 0 {
        return Err(AppError::Invalid("channel_id: the channel is archived".into()).into());
    }
    if channel.channel_type == "D" || channel.channel_type == "G" {
        return Err(AppError::Invalid(
            "channel_id: members of direct and group channels cannot change".into(),
        )
        .into());
    }
    let caller_is_member = state
        .services
        .chat
        .is_channel_member(&channel_id, caller.id())?;
    let allowed = caller.is_admin()
        || caller_is_member
        || (body.user_id == caller.id()
            && channel.channel_type == "O"
            && access::is_team_member(&state.services, &caller, &channel.team_id)?);
    if !allowed {
        return Err(forbidden());
    }
    let actor = (body.user_id != caller.id()).then(|| caller.id().to_string());
    state
        .services
        .add_channel_member(&channel_id, &body.user_id, actor.as_deref())?;
    let member = state
        .services
        .chat
        .channel_member(&channel_id, &body.user_id)?
        .ok_or_else(|| AppError::Internal("channel member vanished after adding".into()))?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((channel_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let channel = access::channel(&state.services, &channel_id)?;
    if channel.channel_type == "D" || channel.channel_type == "G" {
        return Err(AppError::Invalid(
            "channel_id: members of direct and group channels cannot change".into(),
        )
        .into());
    }
    let caller_is_member = state
        .services
        .chat
        .is_channel_member(&channel_id, caller.id())?;
    if !(caller.is_admin() || user_id == caller.id() || caller_is_member) {
        return Err(forbidden());
    }
    state
        .services
        .remove_channel_member(&channel_id, &user_id)?;
    Ok(Json(json!({"status": "OK"})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChannelPatch {
    display_name: Option<String>,
    header: Option<String>,
    purpose: Option<String>,
}

/// `PUT /channels/{id}/patch`: the fields given change (Mattermost lets
/// channel members edit these; admins may edit any open or private
/// channel). Limits and the `channel_updated` event are the service's.
async fn patch_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
    JsonBody(patch): JsonBody<ChannelPatch>,
) -> Result<Json<Channel>, ApiError> {
    let mut channel = access::channel(&state.services, &channel_id)?;
    let named = channel.channel_type == "O" || channel.channel_type == "P";
    let member = state
        .services
        .chat
        .is_channel_member(&channel_id, caller.id())?;
    if !(member || (caller.is_admin() && named)) {
        return Err(forbidden());
    }
    if channel.delete_at != 0 {
        return Err(AppError::Invalid("channel_id: the channel is archived".into()).into());
    }
    if let Some(display_name) = patch.display_name {
        channel.display_name = display_name.trim().to_string();
    }
    if let Some(header) = patch.header {
        channel.header = header;
    }
    if let Some(purpose) = patch.purpose {
        channel.purpose = purpose;
    }
    Ok(Json(state.services.update_channel(&channel)?))
}

/// Archives (soft-deletes) a channel: its creator, or an admin.
async fn archive_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let channel = access::require_channel_read(&state.services, &caller, &channel_id)?;
    if channel.channel_type == "D" || channel.channel_type == "G" {
        return Err(AppError::Invalid(
            "channel_id: direct and group channels cannot be archived".into(),
        )
        .into());
    }
    if !(caller.is_admin() || channel.creator_id == caller.id()) {
        return Err(forbidden());
    }
    state.services.archive_channel(channel)?;
    Ok(Json(json!({"status": "OK"})))
}
