//! Retrospective routes (rules in [`crate::runs::retro`]):
//!
//! - `POST /runs/{id}/retrospective` `{retrospective, metrics: [{metric_config_id, value}]}`
//!   → the run (draft saved; allowed on finished runs);
//! - `POST /runs/{id}/retrospective/publish` (same body) → the run;
//! - `POST /runs/{id}/no-retrospective-button` → the run (canceled);
//! - `PUT /runs/{id}/retrospective-enabled` `{enabled}` → the run.

use serde_json::Value;

use super::router::Router;
use super::runs::{run_id, stored_json, viewer};
use super::{ApiResult, Ctx, Handler, body};
use crate::host::Host;
use crate::playbooks::FieldError;
use crate::runs::retro::{self, Draft};

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("POST", "/runs/{id}/retrospective", save)
        .route("POST", "/runs/{id}/retrospective/publish", publish)
        .route("POST", "/runs/{id}/no-retrospective-button", cancel)
        .route("PUT", "/runs/{id}/retrospective-enabled", set_enabled)
}

fn save<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let draft = Draft::from_json(&body::object(ctx.request)?)?;
    stored_json(ctx, &retro::save(ctx.host, &viewer(ctx), id, &draft)?)
}

fn publish<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    // An empty body publishes the saved draft.
    let draft = if ctx.request.body.is_empty() {
        Draft::default()
    } else {
        Draft::from_json(&body::object(ctx.request)?)?
    };
    stored_json(ctx, &retro::publish(ctx.host, &viewer(ctx), id, &draft)?)
}

fn cancel<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    stored_json(ctx, &retro::cancel(ctx.host, &viewer(ctx), id)?)
}

fn set_enabled<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let enabled = body::object(ctx.request)?
        .get("enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| FieldError::new("enabled", "is required: true or false"))?;
    stored_json(
        ctx,
        &retro::set_enabled(ctx.host, &viewer(ctx), id, enabled)?,
    )
}
