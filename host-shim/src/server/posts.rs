//! `/api/v4/posts*` and `/api/v4/channels/{id}/posts`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::access::{self, forbidden};
use super::auth::Caller;
use super::extract::{JsonBody, QueryParams};
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::{Post, PostQuery};
use crate::services::Author;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/posts", post(create_post))
        .route("/api/v4/posts/ephemeral", post(create_ephemeral))
        .route(
            "/api/v4/posts/{post_id}",
            get(get_post).put(update_post).delete(delete_post),
        )
        .route("/api/v4/posts/{post_id}/patch", put(patch_post))
        .route("/api/v4/posts/{post_id}/thread", get(thread))
        .route("/api/v4/channels/{channel_id}/posts", get(channel_posts))
}

/// Mattermost `PostList`.
#[derive(Serialize, Default)]
pub struct PostList {
    order: Vec<String>,
    posts: Map<String, Value>,
    next_post_id: String,
    prev_post_id: String,
    has_next: bool,
}

impl PostList {
    fn from_posts(posts: Vec<Post>) -> Self {
        let mut list = PostList::default();
        for post in posts {
            list.order.push(post.id.clone());
            list.posts.insert(
                post.id.clone(),
                serde_json::to_value(&post).unwrap_or(Value::Null),
            );
        }
        list
    }
}

/// Props a client may not set: they would impersonate an integration.
const RESERVED_PROPS: &[&str] = &[
    "from_webhook",
    "from_bot",
    "from_plugin",
    "override_username",
    "override_icon_url",
];

fn client_post(mut post: Post, caller: &Caller) -> Post {
    post.user_id = caller.id().to_string();
    // `metadata` is the server's to fill (files, reactions), as in
    // Mattermost: a client could otherwise show others fake embeds, images
    // or file cards under its post.
    post.metadata.clear();
    for key in RESERVED_PROPS {
        post.props.remove(*key);
    }
    post
}

async fn create_post(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(post): JsonBody<Post>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    if post.post_type.starts_with("system_") {
        return Err(AppError::Invalid("type: system posts cannot be created".into()).into());
    }
    access::require_channel_member(&state.services, &caller, &post.channel_id)?;
    let pending = post.pending_post_id.clone();
    let mut post = client_post(post, &caller);
    super::files::prepare_post_files(&state, &caller, &mut post)?;
    let mut created = state.services.create_post(post, Author::User)?;
    created.pending_post_id = pending;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EphemeralRequest {
    user_id: String,
    post: Post,
}

/// Ephemeral posts on behalf of the server: admins only (Mattermost's
/// `create_post_ephemeral` permission).
async fn create_ephemeral(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<EphemeralRequest>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    caller.require_admin()?;
    access::channel(&state.services, &body.post.channel_id)?;
    let mut post = body.post;
    post.user_id = caller.id().to_string();
    Ok((
        StatusCode::CREATED,
        Json(state.services.send_ephemeral(&body.user_id, post)?),
    ))
}

fn readable_post(state: &AppState, caller: &Caller, post_id: &str) -> Result<Post, ApiError> {
    let post = state
        .services
        .chat
        .post(post_id)?
        .filter(|p| p.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("post".into()))?;
    access::require_channel_read(&state.services, caller, &post.channel_id)?;
    Ok(post)
}

async fn get_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
) -> Result<Json<Post>, ApiError> {
    let mut post = readable_post(&state, &caller, &post_id)?;
    state
        .services
        .attach_reactions(std::slice::from_mut(&mut post))?;
    Ok(Json(post))
}

/// Authors edit their posts; admins any.
fn editable_post(state: &AppState, caller: &Caller, post_id: &str) -> Result<Post, ApiError> {
    let post = readable_post(state, caller, post_id)?;
    if post.user_id != caller.id() && !caller.is_admin() {
        return Err(forbidden());
    }
    Ok(post)
}

async fn update_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
    JsonBody(body): JsonBody<Post>,
) -> Result<Json<Post>, ApiError> {
    if !body.id.is_empty() && body.id != post_id {
        return Err(AppError::Invalid("id: does not match the URL".into()).into());
    }
    let mut post = editable_post(&state, &caller, &post_id)?;
    post.message = body.message;
    let reserved: Map<String, Value> = RESERVED_PROPS
        .iter()
        .filter_map(|k| post.props.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    post.props = body.props;
    post.props.extend(reserved);
    Ok(Json(state.services.update_post(&post)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PostPatch {
    message: Option<String>,
    props: Option<Map<String, Value>>,
    is_pinned: Option<bool>,
}

async fn patch_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
    JsonBody(patch): JsonBody<PostPatch>,
) -> Result<Json<Post>, ApiError> {
    let mut post = editable_post(&state, &caller, &post_id)?;
    if let Some(message) = patch.message {
        post.message = message;
    }
    if let Some(props) = patch.props {
        let reserved: Map<String, Value> = RESERVED_PROPS
            .iter()
            .filter_map(|k| post.props.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        post.props = props;
        post.props.extend(reserved);
    }
    if let Some(pinned) = patch.is_pinned {
        post.is_pinned = pinned;
    }
    Ok(Json(state.services.update_post(&post)?))
}

async fn delete_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    editable_post(&state, &caller, &post_id)?;
    state.services.delete_post(&post_id)?;
    Ok(Json(json!({"status": "OK"})))
}

async fn thread(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
) -> Result<Json<PostList>, ApiError> {
    readable_post(&state, &caller, &post_id)?;
    let mut posts = state.services.chat.thread(&post_id)?;
    posts.retain(|p| p.delete_at == 0);
    posts.reverse();
    state.services.attach_reactions(&mut posts)?;
    Ok(Json(PostList::from_posts(posts)))
}

#[derive(Deserialize)]
#[serde(default)]
struct ChannelPostsQuery {
    page: u32,
    per_page: u32,
    since: Option<i64>,
    before: Option<String>,
    after: Option<String>,
    include_deleted: bool,
}

impl Default for ChannelPostsQuery {
    fn default() -> Self {
        Self {
            page: 0,
            per_page: 60,
            since: None,
            before: None,
            after: None,
            include_deleted: false,
        }
    }
}

async fn channel_posts(
    State(state): State<AppState>,
    caller: Caller,
    Path(channel_id): Path<String>,
    QueryParams(q): QueryParams<ChannelPostsQuery>,
) -> Result<Json<PostList>, ApiError> {
    access::require_channel_read(&state.services, &caller, &channel_id)?;
    let per_page = q.per_page.clamp(1, 200);
    let query = PostQuery {
        page: q.page,
        per_page,
        since: q.since,
        before: q.before.filter(|s| !s.is_empty()),
        after: q.after.filter(|s| !s.is_empty()),
        include_deleted: q.include_deleted && caller.is_admin(),
    };
    let mut posts = state.services.chat.channel_posts(&channel_id, &query)?;
    state.services.attach_reactions(&mut posts)?;
    let full_page = posts.len() as u32 == per_page;
    let mut list = PostList::from_posts(posts);
    if query.since.is_none() {
        // Newest first: the previous (older) page starts after the last
        // post, the next (newer) one before the first.
        if full_page {
            list.prev_post_id = list.order.last().cloned().unwrap_or_default();
        }
        if query.after.is_some() || query.before.is_some() || q.page > 0 {
            list.next_post_id = list.order.first().cloned().unwrap_or_default();
            list.has_next = !list.next_post_id.is_empty();
        }
    }
    Ok(Json(list))
}
