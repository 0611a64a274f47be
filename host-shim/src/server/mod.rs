//! The HTTP server: Mattermost API v4 subset and the plugin HTTP proxy.

mod access;
pub mod auth;
mod autocomplete_fetch;
mod categories;
mod channels;
mod client_addr;
pub(crate) mod commands;
mod error;
mod extract;
mod files;
mod hook_errors;
pub(crate) mod interactive;
mod plugin_routes;
mod posts;
mod preferences;
mod presence;
mod reactions;
mod search;
mod system;
mod teams;
mod users;
mod webclient;
mod webhooks;
mod websocket;

use std::sync::Arc;

use axum::Router;

pub use error::ApiError;
pub use webclient::has_client as has_web_client;

use crate::error::{AppError, AppResult};
use crate::plugins::PluginManager;
use crate::services::Services;

/// Largest request body accepted (plugin uploads have their own limit).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub plugins: Arc<PluginManager>,
    /// Uploaded files: metadata, content and limits.
    pub files: Arc<crate::services::files::FileService>,
    /// Whether anyone may sign up after the first account.
    pub open_signup: bool,
}

/// The whole HTTP application, separate from `main` so tests can serve it on
/// a random port.
pub fn app(state: AppState) -> Router {
    let max_file_size = state.files.config.max_file_size;
    Router::new()
        .merge(system::routes())
        .merge(users::routes())
        .merge(teams::routes())
        .merge(channels::routes())
        .merge(categories::routes())
        .merge(presence::routes())
        .merge(preferences::routes())
        .merge(posts::routes())
        .merge(reactions::routes())
        .merge(search::routes())
        // Uploads raise the body limit for themselves, to the file limit.
        .merge(files::routes(max_file_size))
        .merge(commands::routes())
        .merge(webhooks::routes())
        // Buttons and dialogs hand client-supplied JSON to a plugin: bound
        // them as plugin routes are bounded by default (the plugin manager
        // checks the exact per-plugin limit again before the hook runs).
        .merge(
            interactive::routes().layer(axum::extract::DefaultBodyLimit::max(
                crate::plugins::manifest::DEFAULT_MAX_REQUEST_BODY_BYTES,
            )),
        )
        .merge(websocket::routes())
        .merge(plugin_routes::routes())
        .merge(webclient::routes())
        .fallback(webclient::fallback)
        // Every body is read through an extractor (or `to_bytes` with this
        // limit), so this caps them all; the plugin upload route raises it
        // for itself.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(nosniff))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// `X-Content-Type-Options: nosniff` on every answer, whatever produced it
/// (API, plugin, web client, errors): a browser must never guess that a JSON
/// error or a plugin's text is HTML or script.
async fn nosniff(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Runs blocking service work off the async workers. (Password hashing has
/// its own pool: `services::passwords`.)
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::from(AppError::Internal(e.to_string())))?
        .map_err(ApiError::from)
}
