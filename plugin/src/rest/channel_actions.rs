//! Channel action routes (upstream's shapes):
//!
//! - `GET /actions/channels/{channel_id}` (`action_type`, `trigger_type`
//!   filters) → `[action]`: channel members and system admins.
//! - `POST /actions/channels/{channel_id}` action → 201 `{"id"}`.
//! - `PUT /actions/channels/{channel_id}/{action_id}` action → 200, the
//!   stored action.
//!
//! Changing actions takes channel membership (or system admin); a
//! `prompt_run_playbook` action must name a playbook the caller can view,
//! in the channel's team.

use serde_json::{Value, json};

use super::router::Router;
use super::{ApiError, ApiResult, Ctx, Handler, body, json_with};
use crate::api::HttpResponse;
use crate::channel_actions::model::ChannelAction;
use crate::channel_actions::store;
use crate::host::Host;
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, is_valid_id, new_id_from_host};
use crate::runs::store::{Viewer, can_view_playbook};

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("GET", "/actions/channels/{channel_id}", list)
        .route("POST", "/actions/channels/{channel_id}", create)
        .route("PUT", "/actions/channels/{channel_id}/{action_id}", update)
}

fn list<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let channel_id = member_channel(ctx)?;
    let action_type = ctx.query.non_empty("action_type");
    let trigger_type = ctx.query.non_empty("trigger_type");
    let actions: Vec<Value> = store::list(ctx.host, &channel_id)?
        .into_iter()
        .filter(|a| a.delete_at == 0)
        .filter(|a| action_type.is_none_or(|t| a.action_type == t))
        .filter(|a| trigger_type.is_none_or(|t| a.trigger_type == t))
        .map(|a| json!(a))
        .collect();
    Ok(HttpResponse::json(200, &Value::Array(actions)))
}

fn create<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let channel_id = member_channel(ctx)?;
    let mut action = parse(ctx)?;
    action.id = new_id_from_host(ctx.host)?;
    action.channel_id = channel_id;
    check(ctx, &mut action)?;
    // Bounded per channel: each one is matched against every post.
    let existing = store::count(ctx.host, &action.channel_id)?;
    crate::limits::count(
        "channel actions",
        existing + 1,
        crate::limits::CHANNEL_ACTIONS,
    )?;
    store::put(ctx.host, &action)?;
    Ok(json_with(201, &json!({"id": action.id}), &[]))
}

fn update<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let channel_id = member_channel(ctx)?;
    let id = ctx.params.get("action_id");
    let not_found = || ApiError::not_found("Channel action not found.");
    if !is_valid_id(id) {
        return Err(not_found());
    }
    store::get(ctx.host, &channel_id, id)?.ok_or_else(not_found)?;
    let mut action = parse(ctx)?;
    action.id = id.to_owned();
    action.channel_id = channel_id;
    check(ctx, &mut action)?;
    store::put(ctx.host, &action)?;
    Ok(HttpResponse::json(200, &json!(action)))
}

fn parse<H: Host>(ctx: &Ctx<'_, H>) -> Result<ChannelAction, ApiError> {
    let value = Value::Object(body::object(ctx.request)?);
    serde_json::from_value(value).map_err(|e| FieldError::new("body", e.to_string()).into())
}

/// Validates the action and, for a prompt, its playbook.
fn check<H: Host>(ctx: &Ctx<'_, H>, action: &mut ChannelAction) -> Result<(), ApiError> {
    action.validate()?;
    if let Some(prompt) = action.prompt()
        && !prompt.playbook_id.is_empty()
    {
        let bad = || FieldError::new("payload.playbook_id", "no such playbook you can view");
        let pb = PlaybookStore::new(ctx.host)
            .get(&prompt.playbook_id)?
            .ok_or_else(bad)?;
        let viewer = Viewer {
            user_id: ctx.caller.user_id.clone(),
            is_system_admin: ctx.caller.is_system_admin,
        };
        let team = ctx
            .host
            .channel(&action.channel_id)?
            .map(|c| c.team_id)
            .unwrap_or_default();
        if !can_view_playbook(ctx.host, &viewer, &pb)? {
            return Err(bad().into());
        }
        if !team.is_empty() && pb.team_id != team {
            return Err(FieldError::new(
                "payload.playbook_id",
                "the playbook belongs to another team",
            )
            .into());
        }
    }
    Ok(())
}

/// The path's channel, which the caller must belong to (or be a system
/// admin): 404 for an unknown channel, 403 otherwise.
fn member_channel<H: Host>(ctx: &Ctx<'_, H>) -> Result<String, ApiError> {
    let channel_id = ctx.params.get("channel_id");
    let not_found = || ApiError::not_found("Channel not found.");
    if crate::kvjson::check_key_part("channel_id", channel_id).is_err() {
        return Err(not_found());
    }
    ctx.host.channel(channel_id)?.ok_or_else(not_found)?;
    if !ctx.caller.is_system_admin
        && !ctx
            .host
            .is_channel_member(channel_id, &ctx.caller.user_id)?
    {
        return Err(ApiError::forbidden(
            "You must be a member of this channel to see or change its actions.",
        ));
    }
    Ok(channel_id.to_owned())
}
