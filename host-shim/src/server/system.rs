//! `/api/v4/system/*` and the client configuration.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/system/ping", get(ping))
        .route("/api/v4/config/client", get(client_config))
}

async fn ping() -> Json<Value> {
    Json(
        json!({"status": "OK", "ActiveSearchBackend": "database", "version": crate::MATTERMOST_COMPAT_VERSION}),
    )
}

/// Mattermost's `GET /api/v4/config/client?format=old`: what a client must
/// know before anyone logs in. Values are strings, as upstream sends them.
/// `NoAccounts` tells the web client to offer the first-run sign-up (whose
/// account becomes the system admin).
async fn client_config(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let no_accounts = state.services.chat.user_count()? == 0;
    Ok(Json(json!({
        "Version": crate::MATTERMOST_COMPAT_VERSION,
        "BuildNumber": env!("CARGO_PKG_VERSION"),
        "SiteName": "Chat",
        "EnableOpenServer": state.open_signup.to_string(),
        "EnableSignUpWithEmail": "true",
        "NoAccounts": no_accounts.to_string(),
    })))
}
