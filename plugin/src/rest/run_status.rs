//! Status update routes: post an update, list them, snooze the reminder,
//! request an update, turn status updates on or off. The rules live in
//! [`crate::runs::status`].
//!
//! - `POST /runs/{id}/status` `{message, reminder, finish_run}`:
//!   `reminder` in seconds, 0 = never (this project's addition; required
//!   unless finishing) → 200, the stored run.
//! - `GET /runs/{id}/status-updates` → `[{id, create_at, delete_at,
//!   message, user_id, author_user_name}]`, newest first (viewers).
//! - `POST /runs/{id}/reminder` `{new_reminder_seconds}` → the run.
//! - `POST /runs/{id}/request-update` → the run.
//! - `PUT /runs/{id}/status-update-enabled` `{enabled}` → the run.

use serde_json::{Value, json};

use super::router::Router;
use super::runs::{load_viewable, run_id, stored_json, viewer};
use super::{ApiResult, Ctx, Handler, body};
use crate::api::HttpResponse;
use crate::host::Host;
use crate::playbooks::FieldError;
use crate::runs::status::{self, StatusUpdate};

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("POST", "/runs/{id}/status", post_update)
        .route("GET", "/runs/{id}/status-updates", list_updates)
        .route("POST", "/runs/{id}/reminder", snooze)
        .route("POST", "/runs/{id}/request-update", request_update)
        .route("PUT", "/runs/{id}/status-update-enabled", set_enabled)
}

fn post_update<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let update = StatusUpdate::from_json(&body::object(ctx.request)?)?;
    let run = status::post_update(ctx.host, &viewer(ctx), id, &update)?;
    stored_json(ctx, &run)
}

fn list_updates<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = load_viewable(ctx)?;
    let updates = status::status_updates(ctx.host, &run)?;
    Ok(HttpResponse::json(200, &json!(updates)))
}

fn snooze<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let body = body::object(ctx.request)?;
    let seconds = body
        .get("new_reminder_seconds")
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            FieldError::new("new_reminder_seconds", "is required: a number of seconds")
        })?;
    let run = status::snooze(ctx.host, &viewer(ctx), id, seconds)?;
    stored_json(ctx, &run)
}

fn request_update<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = status::request_update(ctx.host, &viewer(ctx), run_id(ctx)?)?;
    stored_json(ctx, &run)
}

fn set_enabled<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let body = body::object(ctx.request)?;
    let enabled = body
        .get("enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| FieldError::new("enabled", "is required: true or false"))?;
    let run = status::set_enabled(ctx.host, &viewer(ctx), id, enabled)?;
    stored_json(ctx, &run)
}

#[cfg(test)]
#[path = "run_status_tests.rs"]
mod tests;
