//! The HTTP server: Mattermost API v4 subset and the plugin HTTP proxy.

mod error;
mod plugin_routes;
mod system;

use std::sync::Arc;

use axum::Router;

pub use error::ApiError;

use crate::plugins::PluginManager;
use crate::services::Services;

/// Largest request body accepted (plugin uploads excepted, later).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub plugins: Arc<PluginManager>,
}

/// The whole HTTP application, separate from `main` so tests can serve it on
/// a random port.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(system::routes())
        .merge(plugin_routes::routes())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
