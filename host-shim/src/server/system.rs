//! `/api/v4/system/*`.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v4/system/ping", get(ping))
}

async fn ping() -> Json<Value> {
    Json(
        json!({"status": "OK", "ActiveSearchBackend": "database", "version": crate::MATTERMOST_COMPAT_VERSION}),
    )
}
