//! Plugin management (`/api/v4/plugins*`, system admins) and the plugin HTTP
//! proxy (`/plugins/{id}/...` → the plugin's `serve-http` hook).

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::auth::{Caller, MaybeCaller};
use super::hook_errors::{hook_error, plugin_failed};
use super::{ApiError, AppState, MAX_BODY_BYTES, blocking};
use crate::error::AppError;
use crate::runtime::hooks;

/// Largest plugin bundle upload.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v4/plugins",
            get(list_plugins)
                .post(upload_plugin)
                .layer(DefaultBodyLimit::max(MAX_BUNDLE_BYTES)),
        )
        .route("/api/v4/plugins/statuses", get(plugin_statuses))
        .route("/api/v4/plugins/webapp", get(webapp_plugins))
        .route("/api/v4/plugins/{plugin_id}/enable", post(enable_plugin))
        .route("/api/v4/plugins/{plugin_id}/disable", post(disable_plugin))
        .route("/plugins/{plugin_id}", any(proxy_root))
        .route("/plugins/{plugin_id}/{*rest}", any(proxy))
}

async fn list_plugins(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let (active, inactive) = state.plugins.manifests();
    Ok(Json(json!({"active": active, "inactive": inactive})))
}

async fn plugin_statuses(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    Ok(Json(json!(state.plugins.statuses())))
}

/// Any logged-in client loads the web bundles of running plugins; each
/// `webapp.bundle_path` is the URL to load it from.
async fn webapp_plugins(State(state): State<AppState>, _caller: Caller) -> Json<Value> {
    Json(json!(state.plugins.webapp_manifests()))
}

/// `POST /api/v4/plugins` (multipart: `plugin` = a `.tar.gz` bundle,
/// `force` = "true" to replace an installed plugin). Mattermost's upload.
async fn upload_plugin(
    State(state): State<AppState>,
    caller: Caller,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_admin()?;
    let mut bundle = None;
    let mut force = false;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::Invalid(format!("multipart: {e}")))?
    {
        match field.name() {
            Some("plugin") => {
                bundle = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| AppError::Invalid(format!("plugin: {e}")))?,
                )
            }
            Some("force") => force = field.text().await.unwrap_or_default() == "true",
            _ => {}
        }
    }
    let bundle =
        bundle.ok_or_else(|| AppError::Invalid("plugin: a .tar.gz bundle is required".into()))?;
    let plugins = state.plugins.clone();
    let manifest = blocking(move || {
        plugins
            .install_archive(&bundle, force)
            .map_err(|e| AppError::Invalid(format!("{e:#}")))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!(manifest))))
}

async fn enable_plugin(
    State(state): State<AppState>,
    caller: Caller,
    Path(plugin_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let plugins = state.plugins.clone();
    blocking(move || {
        plugins
            .enable(&plugin_id)
            .map_err(|e| AppError::NotFound(format!("{e:#}")))
    })
    .await?;
    Ok(Json(json!({"status": "OK"})))
}

async fn disable_plugin(
    State(state): State<AppState>,
    caller: Caller,
    Path(plugin_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let plugins = state.plugins.clone();
    blocking(move || {
        plugins
            .disable(&plugin_id)
            .map_err(|e| AppError::NotFound(format!("{e:#}")))
    })
    .await?;
    Ok(Json(json!({"status": "OK"})))
}

async fn proxy_root(
    state: State<AppState>,
    caller: MaybeCaller,
    Path(plugin_id): Path<String>,
    request: Request,
) -> Response {
    forward(state, caller, plugin_id, "/".into(), request).await
}

async fn proxy(
    state: State<AppState>,
    caller: MaybeCaller,
    Path((plugin_id, rest)): Path<(String, String)>,
    request: Request,
) -> Response {
    forward(state, caller, plugin_id, format!("/{rest}"), request).await
}

/// Headers a client may not pass to a plugin: identity is set by the server.
const STRIPPED: &[&str] = &["mattermost-user-id", "cookie", "authorization"];

/// Headers a plugin may not set on its answer: cookies (a plugin could plant
/// or overwrite the session cookie of the server's origin), hop-by-hop
/// headers that describe the connection rather than the answer, and framing
/// the server computes itself.
const RESPONSE_DENIED: &[&str] = &[
    "set-cookie",
    "set-cookie2",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// Whether a plugin may set this response header (names are lowercase).
fn response_header_allowed(name: &HeaderName) -> bool {
    let name = name.as_str();
    !RESPONSE_DENIED.contains(&name) && !name.starts_with("proxy-")
}

/// A `413` naming the plugin's limit.
fn too_large(plugin_id: &str, limit: usize) -> Response {
    ApiError::from(AppError::TooLarge(format!(
        "request body: larger than {limit} bytes, the limit of plugin {plugin_id}"
    )))
    .into_response()
}

async fn forward(
    State(state): State<AppState>,
    caller: MaybeCaller,
    plugin_id: String,
    path: String,
    request: Request,
) -> Response {
    let Some(limit) = state
        .plugins
        .running(&plugin_id)
        .and_then(|_| state.plugins.request_body_limit(&plugin_id))
    else {
        return not_running(&plugin_id);
    };
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(&plugin_id, limit);
    }
    let body: Bytes = match axum::body::to_bytes(body, limit.min(MAX_BODY_BYTES)).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(&plugin_id, limit),
    };
    let user_id = caller.0.map(|c| c.user.id);
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(name, _)| !STRIPPED.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    if let Some(user_id) = &user_id {
        headers.push(("mattermost-user-id".into(), user_id.clone()));
    }
    let request = hooks::HttpRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers,
        body: body.to_vec(),
        user_id,
    };
    match state.plugins.serve_http(&plugin_id, request).await {
        None => not_running(&plugin_id),
        Some(Err(err)) => {
            hook_error(&plugin_id, &err, plugin_failed(&plugin_id, &err)).into_response()
        }
        Some(Ok(response)) => plugin_response(response),
    }
}

fn not_running(plugin_id: &str) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "app.plugin.not_found.app_error",
        format!("plugin {plugin_id} is not running"),
    )
    .into_response()
}

fn plugin_response(response: hooks::HttpResponse) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = Response::builder().status(status);
    for (name, value) in &response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) && response_header_allowed(&name)
        {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(response.body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_cannot_set_cookies_or_hop_by_hop_headers() {
        for denied in [
            "Set-Cookie",
            "set-cookie2",
            "Connection",
            "Keep-Alive",
            "Proxy-Authenticate",
            "proxy-connection",
            "TE",
            "Trailer",
            "Transfer-Encoding",
            "Upgrade",
            "Content-Length",
        ] {
            let name = HeaderName::try_from(denied).unwrap();
            assert!(!response_header_allowed(&name), "{denied}");
        }
        for allowed in [
            "Content-Type",
            "Cache-Control",
            "Location",
            "X-Custom",
            "ETag",
        ] {
            let name = HeaderName::try_from(allowed).unwrap();
            assert!(response_header_allowed(&name), "{allowed}");
        }
    }
}
