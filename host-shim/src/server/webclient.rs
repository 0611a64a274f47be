//! The browser client: its built assets (embedded at build time, see
//! `build.rs`), `index.html` for every page route (`/<team>/channels/…`,
//! `/playbooks/…`: the client routes itself), and the web bundles of running
//! plugins under `/static/plugins/<id>/`.
//!
//! Everything the client loads is same-origin, so `index.html` carries a
//! strict Content-Security-Policy: no inline or foreign scripts, which keeps
//! a Markdown or plugin-rendering bug from becoming script execution.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{ApiError, AppState};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/embedded_client.rs"));
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob: http: https:; connect-src 'self' ws: wss:; font-src 'self' data:; \
object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'";

/// Prefixes that belong to the API, never to a page.
const NOT_PAGES: [&str; 4] = ["/api/", "/plugins/", "/hooks/", "/static/"];

/// Assets are gzipped for browsers that ask (a third of the bytes on the
/// wire for the scripts).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/plugins/{plugin_id}/{file}", get(plugin_bundle))
        .route("/static/{*path}", get(asset))
        .layer(tower_http::compression::CompressionLayer::new())
}

fn client_file(path: &str) -> Option<&'static [u8]> {
    generated::CLIENT_FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, bytes)| *bytes)
}

/// Whether this binary has the web client in it.
pub fn has_client() -> bool {
    client_file("index.html").is_some()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn file_response(bytes: Vec<u8>, path: &str, cache: &'static str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/static/assets/index-<hash>.js` and friends: content-hashed by the build.
async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    let bytes = client_file(&path).filter(|_| path != "index.html");
    match bytes {
        Some(bytes) => {
            let cache = if path.starts_with("assets/") {
                IMMUTABLE
            } else {
                "no-cache"
            };
            Ok(file_response(bytes.to_vec(), &path, cache))
        }
        None => Err(not_found(&format!("/static/{path}"))),
    }
}

/// `/static/plugins/<id>/<id>_<hash>_bundle.js`: a running plugin's web
/// bundle. An older hash (a page loaded before an upgrade) gets the current
/// bundle, uncached.
async fn plugin_bundle(
    State(state): State<AppState>,
    Path((plugin_id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let missing = || not_found(&format!("/static/plugins/{plugin_id}/{file}"));
    let bundle = state
        .plugins
        .running_webapp(&plugin_id)
        .ok_or_else(missing)?;
    let prefix = format!("{plugin_id}_");
    if !file.starts_with(&prefix) || !file.ends_with("_bundle.js") {
        return Err(missing());
    }
    let current = file == bundle.file_name(&plugin_id);
    let bytes = tokio::fs::read(&bundle.path).await.map_err(|err| {
        tracing::warn!(plugin = %plugin_id, path = %bundle.path.display(), %err, "cannot read the plugin's web bundle");
        missing()
    })?;
    let cache = if current { IMMUTABLE } else { "no-cache" };
    Ok(file_response(bytes, &file, cache))
}

/// Everything no route matched: a page of the client (`index.html`) for a
/// browser's GET outside the API, else Mattermost's 404 body.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let page = (method == Method::GET || method == Method::HEAD)
        && !NOT_PAGES.iter().any(|prefix| path.starts_with(prefix));
    match client_file("index.html") {
        Some(index) if page => {
            let mut response = file_response(index.to_vec(), "index.html", "no-cache");
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            );
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            response
        }
        None if page && path == "/" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This server was built without its web client: run `cargo xtask build`. The API is at /api/v4.\n",
        )
            .into_response(),
        _ => not_found(path).into_response(),
    }
}

fn not_found(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "api.context.404.app_error",
        format!("Sorry, we could not find the page {path}."),
    )
}
