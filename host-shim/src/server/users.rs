//! `/api/v4/users*`: sign-up, login, logout, lookups, personal access tokens.
//! Listing, autocomplete and search are in [`directory`].

mod directory;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::forbidden;
use super::auth::{COOKIE_TOKEN, COOKIE_USER_ID, Caller, MaybeCaller};
use super::client_addr::ClientAddr;
use super::extract::JsonBody;
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::User;
use crate::services::accounts::NewUser;

/// Sign-up and login bodies: a few names and a password. They are read
/// before anyone is known (and before the rate limits, which need the login
/// id), so they get a small limit of their own instead of the 8 MiB default.
const ANONYMOUS_BODY_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    let small = || axum::extract::DefaultBodyLimit::max(ANONYMOUS_BODY_BYTES);
    Router::new()
        .route(
            "/api/v4/users",
            post(create_user).layer(small()).get(directory::list_users),
        )
        .route("/api/v4/users/login", post(login).layer(small()))
        .route("/api/v4/users/logout", post(logout))
        .route("/api/v4/users/me", get(me))
        .route("/api/v4/users/ids", post(users_by_ids))
        .route("/api/v4/users/username/{username}", get(user_by_username))
        .route("/api/v4/users/{user_id}", get(user_by_id))
        .route(
            "/api/v4/users/{user_id}/tokens",
            post(create_token).get(list_tokens),
        )
        .route("/api/v4/users/tokens/revoke", post(revoke_token))
        .merge(directory::routes())
}

/// Hides what only the user themself (or an admin) should see.
pub fn sanitize(mut user: User, viewer: Option<&Caller>) -> User {
    let privileged = viewer.is_some_and(|c| c.is_admin() || c.id() == user.id);
    if !privileged && !user.is_bot {
        user.email.clear();
    }
    user
}

async fn create_user(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: MaybeCaller,
    JsonBody(new): JsonBody<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let by_admin = caller.0.as_ref().is_some_and(Caller::is_admin);
    let first_only = !state.open_signup && !by_admin;
    // Refused before any hashing; the store checks again atomically.
    if first_only && state.services.chat.user_count()? > 0 {
        return Err(AppError::Forbidden("User sign-up is disabled on this server.".into()).into());
    }
    let user = state
        .services
        .sign_up_from(client, by_admin, first_only, new)
        .await?;
    // The new account is shown whole to whoever created it (Mattermost
    // returns its email too).
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Login {
    login_id: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(body): JsonBody<Login>,
) -> Result<Response, ApiError> {
    let result = state
        .services
        .log_in_from(client, &body.login_id, &body.password)
        .await
        .map_err(ApiError::from);
    let (user, token) = result.map_err(|err| match err {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            ..
        } => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "api.user.login.invalid_credentials_email_username",
            "Enter a valid email or username and/or password.",
        ),
        other => other,
    })?;
    let mut headers = HeaderMap::new();
    let cookie = |name: &str, value: &str, http_only: bool| {
        let flags = if http_only { "; HttpOnly" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; Max-Age=2592000; SameSite=Lax{flags}"
        ))
    };
    if let (Ok(t), Ok(a), Ok(b)) = (
        HeaderValue::from_str(&token),
        cookie(COOKIE_TOKEN, &token, true),
        cookie(COOKIE_USER_ID, &user.id, false),
    ) {
        headers.insert("Token", t);
        headers.append(header::SET_COOKIE, a);
        headers.append(header::SET_COOKIE, b);
    }
    Ok((headers, Json(user)).into_response())
}

async fn logout(State(state): State<AppState>, caller: MaybeCaller) -> Result<Response, ApiError> {
    if let Some(caller) = caller.0 {
        state.services.log_out(caller.id(), &caller.session_id)?;
    }
    let mut headers = HeaderMap::new();
    for name in [COOKIE_TOKEN, COOKIE_USER_ID] {
        if let Ok(v) = HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0")) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    Ok((headers, Json(json!({"status": "OK"}))).into_response())
}

async fn me(caller: Caller) -> Json<User> {
    Json(caller.user)
}

async fn user_by_id(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<User>, ApiError> {
    if user_id == "me" {
        return Ok(Json(caller.user));
    }
    let user = state
        .services
        .chat
        .user(&user_id)?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    Ok(Json(sanitize(user, Some(&caller))))
}

async fn user_by_username(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<User>, ApiError> {
    let user = state
        .services
        .chat
        .user_by_username(&username.to_lowercase())?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    Ok(Json(sanitize(user, Some(&caller))))
}

async fn users_by_ids(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<User>>, ApiError> {
    if ids.len() > 1000 {
        return Err(AppError::Invalid("user_ids: at most 1000 per request".into()).into());
    }
    let users = state.services.chat.users_by_ids(&ids)?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| sanitize(u, Some(&caller)))
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenRequest {
    description: String,
}

/// Personal access tokens: for yourself, or for anyone as an admin (for
/// example for a bot).
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<TokenRequest>,
) -> Result<Json<Value>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    state
        .services
        .chat
        .user(&user_id)?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    let (row, token) = state
        .services
        .create_access_token(&user_id, &body.description)?;
    let mut value = serde_json::to_value(&row).map_err(|e| AppError::Internal(e.to_string()))?;
    value["token"] = Value::String(token);
    Ok(Json(value))
}

async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    Ok(Json(json!(
        state.services.auth.access_tokens_for_user(&user_id)?
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Revoke {
    token_id: String,
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<Revoke>,
) -> Result<Json<Value>, ApiError> {
    let mine = state.services.auth.access_tokens_for_user(caller.id())?;
    let owner = if mine.iter().any(|t| t.id == body.token_id) {
        Some(caller.id())
    } else if caller.is_admin() {
        None
    } else {
        return Err(forbidden());
    };
    if !state.services.revoke_access_token(owner, &body.token_id)? {
        return Err(AppError::NotFound("token".into()).into());
    }
    Ok(Json(json!({"status": "OK"})))
}
