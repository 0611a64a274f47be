//! Plugin management (`/api/v4/plugins*`) and the plugin HTTP proxy
//! (`/plugins/{id}/...` → the plugin's `serve-http` hook).

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::runtime::bindings::hooks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/plugins", get(list_plugins))
        .route("/api/v4/plugins/statuses", get(plugin_statuses))
        .route("/api/v4/plugins/webapp", get(webapp_plugins))
        .route("/plugins/{plugin_id}", any(proxy_root))
        .route("/plugins/{plugin_id}/{*rest}", any(proxy))
}

async fn list_plugins(State(state): State<AppState>) -> Json<Value> {
    let (active, inactive) = state.plugins.manifests();
    Json(json!({"active": active, "inactive": inactive}))
}

async fn plugin_statuses(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.plugins.statuses()))
}

async fn webapp_plugins(State(state): State<AppState>) -> Json<Value> {
    let (active, _) = state.plugins.manifests();
    let with_webapp: Vec<_> = active.into_iter().filter(|m| m.webapp.is_some()).collect();
    Json(json!(with_webapp))
}

async fn proxy_root(
    state: State<AppState>,
    Path(plugin_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    forward(state, plugin_id, "/".into(), method, uri, headers, body).await
}

async fn proxy(
    state: State<AppState>,
    Path((plugin_id, rest)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    forward(
        state,
        plugin_id,
        format!("/{rest}"),
        method,
        uri,
        headers,
        body,
    )
    .await
}

/// Headers a client may not pass to a plugin: identity is set by the server.
const STRIPPED: &[&str] = &["mattermost-user-id", "cookie", "authorization"];

async fn forward(
    State(state): State<AppState>,
    plugin_id: String,
    path: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Sessions arrive with the chat-core API; until a caller is
    // authenticated, plugins see anonymous requests.
    let user_id: Option<String> = None;
    let mut forwarded: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !STRIPPED.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    if let Some(user_id) = &user_id {
        forwarded.push(("mattermost-user-id".into(), user_id.clone()));
    }
    let request = hooks::HttpRequest {
        method: method.as_str().to_string(),
        path,
        query: uri.query().unwrap_or_default().to_string(),
        headers: forwarded,
        body: body.to_vec(),
        user_id,
    };
    match state.plugins.serve_http(&plugin_id, request).await {
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "app.plugin.not_found.app_error",
            format!("plugin {plugin_id} is not running"),
        )
        .into_response(),
        Some(Err(err)) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "app.plugin.hook_failed.app_error",
            err.to_string(),
        )
        .into_response(),
        Some(Ok(response)) => plugin_response(response),
    }
}

fn plugin_response(response: hooks::HttpResponse) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = Response::builder().status(status);
    for (name, value) in &response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(response.body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
