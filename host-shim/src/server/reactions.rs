//! Emoji reactions: `POST /api/v4/reactions`,
//! `DELETE /api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}`,
//! `GET /api/v4/posts/{post_id}/reactions`, `POST /api/v4/posts/ids/reactions`
//! and the picker's list, `GET /api/v4/emoji/standard` (decision 018).
//!
//! Every route names a post; the caller must be able to read its channel
//! (the same check as reading the post), and changing reactions needs
//! membership as posting does (Mattermost's `add_reaction` and
//! `remove_reaction` belong to channel members), so none of them reveals or
//! touches a channel the caller cannot read.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chat_store::ports::reactions::Reaction;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{self, forbidden};
use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::{Channel, Post, is_valid_id};
use crate::services::reactions::{
    check_emoji_name_format, standard_emoji_json, validate_emoji_name,
};

/// Most posts one bulk request may name.
pub const MAX_BULK_REACTION_POSTS: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/reactions", post(add_reaction))
        .route(
            "/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}",
            delete(remove_reaction),
        )
        .route("/api/v4/posts/{post_id}/reactions", get(post_reactions))
        .route("/api/v4/posts/ids/reactions", post(bulk_reactions))
        .route("/api/v4/emoji/standard", get(standard_emoji))
}

/// Mattermost's `Reaction` as a request: only these three count (the rest,
/// like `channel_id` or `create_at`, is the server's to set).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ReactionRequest {
    user_id: String,
    post_id: String,
    emoji_name: String,
}

fn invalid(message: String) -> ApiError {
    AppError::Invalid(message).into()
}

/// A post that exists, is not deleted, in a channel the caller may read.
fn readable_post(
    state: &AppState,
    caller: &Caller,
    post_id: &str,
) -> Result<(Post, Channel), ApiError> {
    let post = state
        .services
        .chat
        .post(post_id)?
        .filter(|p| p.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("post".into()))?;
    let channel = access::require_channel_read(&state.services, caller, &post.channel_id)?;
    Ok((post, channel))
}

fn not_archived(channel: &Channel) -> Result<(), ApiError> {
    if channel.delete_at != 0 {
        return Err(AppError::Forbidden(
            "post_id: the post's channel is archived; reactions cannot change".into(),
        )
        .into());
    }
    Ok(())
}

async fn add_reaction(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ReactionRequest>,
) -> Result<Json<Reaction>, ApiError> {
    if !is_valid_id(&body.user_id) {
        return Err(invalid("user_id: not a valid id".into()));
    }
    if !is_valid_id(&body.post_id) {
        return Err(invalid("post_id: not a valid id".into()));
    }
    validate_emoji_name(&body.emoji_name)?;
    if body.user_id != caller.id() {
        return Err(AppError::Forbidden("user_id: you can only react as yourself".into()).into());
    }
    let (post, channel) = readable_post(&state, &caller, &body.post_id)?;
    access::require_channel_member(&state.services, &caller, &post.channel_id)?;
    not_archived(&channel)?;
    let reaction = state
        .services
        .add_reaction(&post.id, caller.id(), &body.emoji_name)?;
    Ok(Json(reaction))
}

/// Own reactions by channel members; anyone's by system admins who may read
/// the channel (Mattermost's `remove_others_reactions`). Removing a reaction
/// that is not there is not an error.
async fn remove_reaction(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, post_id, emoji_name)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    if !is_valid_id(&user_id) {
        return Err(invalid("user_id: not a valid id".into()));
    }
    if !is_valid_id(&post_id) {
        return Err(invalid("post_id: not a valid id".into()));
    }
    // The format only: a name stored under an older emoji list stays removable.
    check_emoji_name_format(&emoji_name)?;
    let own = user_id == caller.id();
    if !own && !caller.is_admin() {
        return Err(forbidden());
    }
    let (post, channel) = readable_post(&state, &caller, &post_id)?;
    if own {
        access::require_channel_member(&state.services, &caller, &post.channel_id)?;
    }
    not_archived(&channel)?;
    state
        .services
        .remove_reaction(&post.id, &user_id, &emoji_name)?;
    Ok(Json(json!({"status": "OK"})))
}

async fn post_reactions(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
) -> Result<Json<Vec<Reaction>>, ApiError> {
    let (post, _) = readable_post(&state, &caller, &post_id)?;
    Ok(Json(state.services.reactions.reactions_for_post(&post.id)?))
}

/// Mattermost's bulk form: a JSON array of post ids in, a map from post id
/// to its reactions out. Posts the caller cannot read, deleted and unknown
/// ones are left out of the map (as if they had no entry at all).
async fn bulk_reactions(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(post_ids): JsonBody<Vec<String>>,
) -> Result<Json<HashMap<String, Vec<Reaction>>>, ApiError> {
    if post_ids.len() > MAX_BULK_REACTION_POSTS {
        return Err(invalid(format!(
            "post_ids: at most {MAX_BULK_REACTION_POSTS} posts per request"
        )));
    }
    if let Some(bad) = post_ids.iter().find(|id| !is_valid_id(id)) {
        let shown: String = bad.chars().take(40).collect();
        return Err(invalid(format!("post_ids: '{shown}' is not a valid id")));
    }
    let mut readable_channels: HashMap<String, bool> = HashMap::new();
    let mut result: HashMap<String, Vec<Reaction>> = HashMap::new();
    for id in &post_ids {
        if result.contains_key(id) {
            continue;
        }
        let Some(post) = state.services.chat.post(id)?.filter(|p| p.delete_at == 0) else {
            continue;
        };
        let readable = match readable_channels.get(&post.channel_id) {
            Some(known) => *known,
            None => {
                let readable = match state.services.chat.channel(&post.channel_id)? {
                    Some(channel) => access::can_read_channel(&state.services, &caller, &channel)?,
                    None => false,
                };
                readable_channels.insert(post.channel_id.clone(), readable);
                readable
            }
        };
        if readable {
            result.insert(post.id, Vec::new());
        }
    }
    let ids: Vec<String> = result.keys().cloned().collect();
    for reaction in state.services.reactions.reactions_for_posts(&ids)? {
        if let Some(list) = result.get_mut(&reaction.post_id) {
            list.push(reaction);
        }
    }
    Ok(Json(result))
}

/// The standard emoji the server accepts, for the web client's picker.
/// Not a Mattermost route (its clients ship their own list).
async fn standard_emoji(_caller: Caller) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        standard_emoji_json(),
    )
}
