//! Incoming webhooks: management under `/api/v4/hooks/incoming` and the
//! Slack-compatible endpoint `POST /hooks/{id}` that senders post to
//! without a session (the hook id is the secret).
//!
//! Mattermost's permission model (issue 11, finding 4): managing hooks needs
//! `manage_incoming_webhooks` on the hook's team (system and team admins,
//! [`access::can_manage_incoming_webhooks`]); a hook is visible only to its
//! creator and to those admins, because its id is the secret that lets
//! anyone post with it.
//!
//! A hook posts as its creator, marked `from_webhook`, and only where the
//! creator may post at that moment ([`access::user_can_post_in`]): its own
//! channel and any `channel` override alike, direct messages only to active
//! members of the hook's team. A deactivated creator disables the hook.
//! Messages longer than Mattermost's 16,383 characters are refused with 400
//! (Mattermost splits them into several posts).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chat_store::ports::auth::IncomingWebhook;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{self, forbidden};
use super::auth::Caller;
use super::extract::{JsonBody, QueryParams};
use super::{ApiError, AppState, MAX_BODY_BYTES};
use crate::error::AppError;
use crate::model::{Channel, Post, new_id, now_ms};
use crate::services::incoming_webhooks::{self as incoming, IncomingWebhookRequest};
use crate::services::{Author, MAX_POST_MESSAGE_CHARS, Services};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/hooks/incoming", post(create_hook).get(list_hooks))
        .route(
            "/api/v4/hooks/incoming/{hook_id}",
            get(get_hook).delete(delete_hook),
        )
        .route("/hooks/{hook_id}", post(execute_hook))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateHookRequest {
    channel_id: String,
    display_name: String,
    description: String,
    username: String,
    icon_url: String,
    channel_locked: bool,
}

fn check_len(value: &str, max: usize, field: &str) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(AppError::Invalid(format!("{field}: at most {max} characters")).into());
    }
    Ok(())
}

/// Holders of `manage_incoming_webhooks` on the channel's team who may post
/// in the channel add hooks to it.
async fn create_hook(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<CreateHookRequest>,
) -> Result<(StatusCode, Json<IncomingWebhook>), ApiError> {
    if body.channel_id.is_empty() {
        return Err(AppError::Invalid("channel_id: required".into()).into());
    }
    check_len(
        &body.display_name,
        incoming::MAX_DISPLAY_NAME_CHARS,
        "display_name",
    )?;
    check_len(
        &body.description,
        incoming::MAX_DESCRIPTION_CHARS,
        "description",
    )?;
    check_len(&body.username, incoming::MAX_USERNAME_CHARS, "username")?;
    check_len(&body.icon_url, incoming::MAX_ICON_URL_CHARS, "icon_url")?;
    let channel = access::channel(&state.services, &body.channel_id)?;
    if !access::can_manage_incoming_webhooks(&state.services, &caller, &channel.team_id)? {
        return Err(forbidden());
    }
    let channel = access::require_channel_member(&state.services, &caller, &channel.id)?;
    if channel.delete_at != 0 {
        return Err(AppError::Invalid("channel_id: the channel is archived".into()).into());
    }
    if channel.team_id.is_empty() {
        return Err(AppError::Invalid(
            "channel_id: webhooks can only post to team channels".into(),
        )
        .into());
    }
    let now = now_ms();
    let hook = IncomingWebhook {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        user_id: caller.id().to_string(),
        channel_id: channel.id,
        team_id: channel.team_id,
        display_name: body.display_name,
        description: body.description,
        username: body.username,
        icon_url: body.icon_url,
        channel_locked: body.channel_locked,
    };
    state.services.auth.create_incoming_webhook(&hook)?;
    Ok((StatusCode::CREATED, Json(hook)))
}

#[derive(Deserialize)]
#[serde(default)]
struct ListQuery {
    team_id: String,
    page: u32,
    per_page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            team_id: String::new(),
            page: 0,
            per_page: 60,
        }
    }
}

/// With `team_id`: the team's hooks, for those who may manage them. Without:
/// every hook for system admins, the caller's own hooks for anyone else.
async fn list_hooks(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<Vec<IncomingWebhook>>, ApiError> {
    let per_page = q.per_page.clamp(1, 200);
    let offset = q.page.saturating_mul(per_page);
    if !q.team_id.is_empty() {
        access::require_team_member(&state.services, &caller, &q.team_id)?;
        if !access::can_manage_incoming_webhooks(&state.services, &caller, &q.team_id)? {
            return Err(forbidden());
        }
        return Ok(Json(
            state
                .services
                .auth
                .incoming_webhooks(&q.team_id, offset, per_page)?,
        ));
    }
    if caller.is_admin() {
        return Ok(Json(
            state
                .services
                .auth
                .incoming_webhooks("", offset, per_page)?,
        ));
    }
    // The store cannot filter by creator: read every page and filter.
    const CHUNK: u32 = 200;
    let mut own = Vec::new();
    let mut at = 0u32;
    loop {
        let chunk = state.services.auth.incoming_webhooks("", at, CHUNK)?;
        let len = chunk.len() as u32;
        own.extend(chunk.into_iter().filter(|h| h.user_id == caller.id()));
        if len < CHUNK {
            break;
        }
        at = at.saturating_add(CHUNK);
    }
    Ok(Json(
        own.into_iter()
            .skip(offset as usize)
            .take(per_page as usize)
            .collect(),
    ))
}

fn live_hook(services: &Services, hook_id: &str) -> Result<IncomingWebhook, ApiError> {
    services
        .auth
        .incoming_webhook(hook_id)?
        .filter(|h| h.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("incoming webhook".into()).into())
}

/// A live hook the caller may see: its creator, or an admin of its team.
fn visible_hook(
    services: &Services,
    caller: &Caller,
    hook_id: &str,
) -> Result<IncomingWebhook, ApiError> {
    let hook = live_hook(services, hook_id)?;
    if hook.user_id == caller.id()
        || access::can_manage_incoming_webhooks(services, caller, &hook.team_id)?
    {
        Ok(hook)
    } else {
        Err(forbidden())
    }
}

async fn get_hook(
    State(state): State<AppState>,
    caller: Caller,
    Path(hook_id): Path<String>,
) -> Result<Json<IncomingWebhook>, ApiError> {
    Ok(Json(visible_hook(&state.services, &caller, &hook_id)?))
}

/// Its creator or an admin of its team.
async fn delete_hook(
    State(state): State<AppState>,
    caller: Caller,
    Path(hook_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let hook = visible_hook(&state.services, &caller, &hook_id)?;
    state
        .services
        .auth
        .delete_incoming_webhook(&hook.id, now_ms())?;
    Ok(Json(json!({"status": "OK"})))
}

fn hook_error(status: StatusCode, id: &str, message: &str) -> ApiError {
    ApiError::new(status, id, message)
}

/// `POST /hooks/{id}`: JSON, or a form with `payload=<json>`. Answers
/// `200 ok` in plain text, like Mattermost.
async fn execute_hook(
    State(state): State<AppState>,
    Path(hook_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.context.too_large.app_error",
                format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
            )
        })?;
    let hook = state
        .services
        .auth
        .incoming_webhook(&hook_id)?
        .filter(|h| h.delete_at == 0)
        .ok_or_else(|| {
            hook_error(
                StatusCode::NOT_FOUND,
                "web.incoming_webhook.invalid.app_error",
                "Invalid webhook.",
            )
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let request = incoming::parse_payload(content_type, &body).map_err(|err| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "model.incoming_hook.parse_data.app_error",
            err.to_string(),
        )
    })?;
    let post = webhook_post(&state.services, &hook, request)?;
    state.services.create_post(post, Author::User)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok").into_response())
}

/// The post a hook request makes, after every check.
fn webhook_post(
    services: &Services,
    hook: &IncomingWebhook,
    request: IncomingWebhookRequest,
) -> Result<Post, ApiError> {
    let text = request.text.unwrap_or_default();
    let mut props = request.props.unwrap_or_default();
    let attachments = match request.attachments.or_else(|| props.remove("attachments")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "model.incoming_hook.parse_data.app_error",
                "Unable to parse incoming data: attachments must be an array",
            ));
        }
    };
    if text.trim().is_empty() && attachments.is_empty() {
        return Err(hook_error(
            StatusCode::BAD_REQUEST,
            "web.incoming_webhook.text.app_error",
            "No text specified",
        ));
    }
    if text.chars().count() > MAX_POST_MESSAGE_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "web.incoming_webhook.text.length.app_error",
            format!(
                "The text is longer than {MAX_POST_MESSAGE_CHARS} characters; send it in several requests."
            ),
        ));
    }
    let post_type = request.post_type.unwrap_or_default();
    if post_type.starts_with("system_") {
        return Err(hook_error(
            StatusCode::BAD_REQUEST,
            "api.post.create_webhook_post.creating.app_error",
            "Error creating post: system post types are not allowed",
        ));
    }
    let permissions = || {
        hook_error(
            StatusCode::FORBIDDEN,
            "web.incoming_webhook.permissions.app_error",
            "Inappropriate channel permissions",
        )
    };
    let creator = services.chat.user(&hook.user_id)?.ok_or_else(permissions)?;
    if creator.delete_at != 0 {
        return Err(hook_error(
            StatusCode::FORBIDDEN,
            "web.incoming_webhook.disabled.app_error",
            "This webhook is disabled: the account that created it is deactivated.",
        ));
    }
    // Everything below is judged by the creator's rights now, not when the
    // hook was made: a creator who left the team no longer posts into it.
    if !services.chat.is_team_member(&hook.team_id, &creator.id)? {
        return Err(permissions());
    }

    let requested = request.channel.as_deref().unwrap_or("").trim();
    let locked = || {
        hook_error(
            StatusCode::FORBIDDEN,
            "web.incoming_webhook.channel_locked.app_error",
            "This webhook is not permitted to post to the requested channel",
        )
    };
    // A direct channel is never a hook's own: refuse before creating one.
    if hook.channel_locked && requested.starts_with('@') {
        return Err(locked());
    }
    let channel = target_channel(services, hook, requested)?;
    if hook.channel_locked && channel.id != hook.channel_id {
        return Err(locked());
    }
    if !access::user_can_post_in(services, &creator, &channel)? {
        return Err(permissions());
    }

    for key in [
        "from_webhook",
        "from_bot",
        "from_plugin",
        "override_username",
        "override_icon_url",
        "override_icon_emoji",
    ] {
        props.remove(key);
    }
    props.insert("from_webhook".into(), Value::String("true".into()));
    let username = request
        .username
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| hook.username.clone());
    if !username.is_empty() {
        props.insert("override_username".into(), Value::String(username));
    }
    let icon_url = request
        .icon_url
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| hook.icon_url.clone());
    if !icon_url.is_empty() {
        props.insert("override_icon_url".into(), Value::String(icon_url));
    } else if let Some(emoji) = request.icon_emoji.filter(|e| !e.is_empty()) {
        props.insert("override_icon_emoji".into(), Value::String(emoji));
    }
    if !attachments.is_empty() {
        props.insert("attachments".into(), Value::Array(attachments));
    }
    Ok(Post {
        user_id: creator.id,
        channel_id: channel.id,
        message: text,
        post_type,
        props,
        ..Default::default()
    })
}

/// The hook's channel, or the one the request names: `@user` (a direct
/// channel between the hook's creator and that user, who must be an active
/// member of the hook's team), `~name`, `#name` or `name` (a channel of the
/// hook's team).
fn target_channel(
    services: &Services,
    hook: &IncomingWebhook,
    requested: &str,
) -> Result<Channel, ApiError> {
    let channel_not_found = || {
        hook_error(
            StatusCode::NOT_FOUND,
            "web.incoming_webhook.channel.app_error",
            "Couldn't find the channel",
        )
    };
    if requested.is_empty() {
        return services
            .chat
            .channel(&hook.channel_id)?
            .ok_or_else(channel_not_found);
    }
    if let Some(username) = requested.strip_prefix('@') {
        let user = services
            .chat
            .user_by_username(&username.to_lowercase())?
            .filter(|u| u.delete_at == 0)
            .ok_or_else(|| {
                hook_error(
                    StatusCode::BAD_REQUEST,
                    "web.incoming_webhook.user.app_error",
                    "Couldn't find the user",
                )
            })?;
        // Checked before the direct channel is created.
        if !services.chat.is_team_member(&hook.team_id, &user.id)? {
            return Err(hook_error(
                StatusCode::FORBIDDEN,
                "web.incoming_webhook.permissions.app_error",
                "Inappropriate channel permissions",
            ));
        }
        return Ok(services.direct_channel(&hook.user_id, &user.id)?);
    }
    let name = requested
        .strip_prefix('#')
        .or_else(|| requested.strip_prefix('~'))
        .unwrap_or(requested)
        .to_lowercase();
    services
        .chat
        .channel_by_name(&hook.team_id, &name)?
        .ok_or_else(channel_not_found)
}
