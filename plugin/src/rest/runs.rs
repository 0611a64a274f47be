//! `/runs` routes: start, list, get, patch, metadata, owner, finish,
//! restore, followers, runs of a channel.
//!
//! Permissions (see [`crate::runs::store::Access`]): view = system admin,
//! participant, or whoever can view the source playbook; edit = system
//! admin, owner or participant. With the playbook's
//! `owner_group_only_actions`, only the owner or a system admin may finish,
//! restore or change the owner. Finished runs refuse edits (400) except
//! restore and following.
//!
//! Responses: `POST /runs` → 201, `Location`, the run; other changes → 200
//! with the stored run (followers routes: the followers list). Every change
//! tells the run's channel what changed (`playbook_run_updated_incremental`,
//! or the whole run: [`crate::runs::notify::publish_update`]). Lists: `{total_count, page_count, per_page, has_more, items}`,
//! `per_page` 1000 by default and at most.

use serde_json::{Value, json};

use super::router::Router;
use super::{ApiError, ApiResult, Ctx, Handler, PUBLIC_API_PREFIX, body, json_with};
use crate::api::HttpResponse;
use crate::host::Host;
use crate::playbooks::{FieldError, is_valid_id};
use crate::runs::create::{StartRequest, start_run};
use crate::runs::lifecycle;
use crate::runs::model::{PlaybookRun, status};
use crate::runs::notify::publish_update;
use crate::runs::store::{
    Access, DEFAULT_PER_PAGE, MAX_PER_PAGE, RunError, RunFilter, RunSort, RunStore, Viewer,
};

impl From<RunError> for ApiError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::NotFound(m) => ApiError::not_found(m),
            RunError::Invalid(e) => e.into(),
            RunError::Forbidden(m) => ApiError::forbidden(m),
            RunError::Conflict(m) => ApiError::new(409, m),
            RunError::Host(e) => e.into(),
        }
    }
}

/// Literal routes first (first match wins).
pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("POST", "/runs", create)
        .route("GET", "/runs", list)
        .route("GET", "/runs/channel/{channel_id}/runs", channel_runs)
        .route("GET", "/runs/{id}", get)
        .route("PATCH", "/runs/{id}", patch)
        .route("GET", "/runs/{id}/metadata", metadata)
        .route("POST", "/runs/{id}/owner", change_owner)
        .route("PUT", "/runs/{id}/finish", finish)
        .route("PUT", "/runs/{id}/restore", restore)
        .route("GET", "/runs/{id}/followers", followers)
        .route("PUT", "/runs/{id}/followers", follow)
        .route("DELETE", "/runs/{id}/followers", unfollow)
}

pub(super) fn viewer<H: Host>(ctx: &Ctx<'_, H>) -> Viewer {
    Viewer {
        user_id: ctx.caller.user_id.clone(),
        is_system_admin: ctx.caller.is_system_admin,
    }
}

pub(super) fn run_json(run: &PlaybookRun) -> HttpResponse {
    HttpResponse::json_of(200, run)
}

/// The answer to a change of `run`: the run as stored, read whole (a change
/// gives the run without its logs, [`RunStore::update`]); `run` itself if
/// it is gone meanwhile.
pub(super) fn stored_json<H: Host>(ctx: &Ctx<'_, H>, run: &PlaybookRun) -> ApiResult {
    Ok(match RunStore::new(ctx.host).get(&run.id)? {
        Some(whole) => run_json(&whole),
        None => run_json(run),
    })
}

fn create<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let value = Value::Object(body::object(ctx.request)?);
    let request: StartRequest = serde_json::from_value(value.clone()).map_err(|e| {
        // Name the field that does not decode.
        let field = value
            .as_object()
            .and_then(|o| {
                o.iter().find(|(k, v)| {
                    let mut one = serde_json::Map::new();
                    one.insert((*k).clone(), (*v).clone());
                    serde_json::from_value::<StartRequest>(Value::Object(one)).is_err()
                })
            })
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        FieldError::new(field, e.to_string())
    })?;
    let run = start_run(ctx.host, &ctx.caller.user_id, request)?;
    Ok(json_with(
        201,
        &run.to_json(),
        &[("Location", format!("{PUBLIC_API_PREFIX}/runs/{}", run.id))],
    ))
}

fn list<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let filter = list_filter(ctx)?;
    if !filter.team_id.is_empty()
        && !ctx.caller.is_system_admin
        && !ctx
            .host
            .is_team_member(&filter.team_id, &ctx.caller.user_id)?
    {
        return Err(ApiError::forbidden(format!(
            "You are not a member of team {}.",
            filter.team_id
        )));
    }
    let page = RunStore::new(ctx.host).list(&viewer(ctx), &filter)?;
    Ok(HttpResponse::json(
        200,
        &serde_json::to_value(&page).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

fn channel_runs<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let channel_id = ctx.params.get("channel_id");
    let mut filter = list_filter(ctx)?;
    filter.channel_id = channel_id.to_owned();
    let page = RunStore::new(ctx.host).list(&viewer(ctx), &filter)?;
    Ok(HttpResponse::json(
        200,
        &serde_json::to_value(&page).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

fn get<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    Ok(run_json(&load_viewable(ctx)?))
}

fn patch<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let changes = body::object(ctx.request)?;
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        match changes.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(FieldError::new(key, "must be a string").into()),
        }
    };
    let name = text("name")?;
    let summary = text("summary")?;
    if let Some(n) = &name {
        if n.trim().is_empty() {
            return Err(FieldError::new("name", "must not be empty").into());
        }
        if n.chars().count() > 64 {
            return Err(FieldError::new("name", "must be at most 64 characters").into());
        }
    }
    let now = ctx.host.now_ms();
    let run = update(ctx, id, |run| {
        check_open(run)?;
        if let Some(n) = &name {
            run.name = n.trim().to_owned();
        }
        if let Some(s) = &summary
            && *s != run.summary
        {
            run.summary = s.clone();
            run.summary_modified_at = now;
        }
        Ok(())
    })?;
    stored_json(ctx, &run)
}

fn metadata<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = load_viewable(ctx)?;
    let channel = ctx.host.channel(&run.channel_id)?.unwrap_or_default();
    let team = ctx.host.team(&run.team_id)?.unwrap_or_default();
    Ok(HttpResponse::json(
        200,
        &json!({
            "channel_name": channel.name,
            "channel_display_name": channel.display_name,
            "team_name": team.name,
            "num_participants": run.participant_ids.len(),
            "total_posts": 0,
            "followers": run.followers,
        }),
    ))
}

fn change_owner<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let body = body::object(ctx.request)?;
    let owner_id = match body.get("owner_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(FieldError::new("owner_id", "is required").into()),
    };
    let run = lifecycle::change_owner(ctx.host, &viewer(ctx), id, &owner_id)?;
    stored_json(ctx, &run)
}

fn finish<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = lifecycle::finish(ctx.host, &viewer(ctx), run_id(ctx)?)?;
    stored_json(ctx, &run)
}

fn restore<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = lifecycle::restore(ctx.host, &viewer(ctx), run_id(ctx)?)?;
    stored_json(ctx, &run)
}

fn followers<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = load_viewable(ctx)?;
    Ok(HttpResponse::json(200, &json!(run.followers)))
}

fn follow<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    set_following(ctx, true)
}

fn unfollow<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    set_following(ctx, false)
}

/// Following takes view rights only (not edit), and works on finished runs.
fn set_following<H: Host>(ctx: &Ctx<'_, H>, on: bool) -> ApiResult {
    let id = run_id(ctx)?.to_owned();
    let user = ctx.caller.user_id.clone();
    let store = RunStore::new(ctx.host);
    let mut access = Access::new(ctx.host, viewer(ctx));
    let updated = store.update_reporting(&id, |run| {
        if !access.can_view(run)? {
            return Err(ApiError::forbidden(
                "You do not have permission to view this run.",
            ));
        }
        if on && !run.is_follower(&user) {
            run.followers.push(user.clone());
        } else if !on {
            run.followers.retain(|f| *f != user);
        }
        Ok(())
    })?;
    publish_update(ctx.host, &updated);
    Ok(HttpResponse::json(200, &json!(updated.after.followers)))
}

// ---- helpers ----

pub(super) fn not_found() -> ApiError {
    ApiError::not_found("Playbook run not found.")
}

pub(super) fn run_id<'c, H: Host>(ctx: &'c Ctx<'_, H>) -> Result<&'c str, ApiError> {
    let id = ctx.params.get("id");
    if is_valid_id(id) {
        Ok(id)
    } else {
        Err(not_found())
    }
}

pub(super) fn load_viewable<H: Host>(ctx: &Ctx<'_, H>) -> Result<PlaybookRun, ApiError> {
    let id = run_id(ctx)?;
    let run = RunStore::new(ctx.host).get(id)?.ok_or_else(not_found)?;
    if !Access::new(ctx.host, viewer(ctx)).can_view(&run)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this run.",
        ));
    }
    Ok(run)
}

/// A checked read-modify-write ([`lifecycle::edit_run`]) with API errors.
pub(super) fn update<H: Host>(
    ctx: &Ctx<'_, H>,
    id: &str,
    change: impl FnMut(&mut PlaybookRun) -> Result<(), ApiError>,
) -> Result<PlaybookRun, ApiError> {
    Ok(lifecycle::edit_run(ctx.host, &viewer(ctx), id, change)?.0)
}

pub(super) fn check_open(run: &PlaybookRun) -> Result<(), ApiError> {
    Ok(lifecycle::check_open(run)?)
}

/// `me` stands for the caller.
fn user_param<H: Host>(ctx: &Ctx<'_, H>, key: &str) -> String {
    match ctx.query.non_empty(key) {
        Some("me") => ctx.caller.user_id.clone(),
        Some(v) => v.to_owned(),
        None => String::new(),
    }
}

fn int_param<H: Host>(ctx: &Ctx<'_, H>, key: &str) -> Result<i64, ApiError> {
    match ctx.query.non_empty(key) {
        None => Ok(0),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| FieldError::new(key, format!("{v:?} is not an integer")).into()),
    }
}

fn list_filter<H: Host>(ctx: &Ctx<'_, H>) -> Result<RunFilter, ApiError> {
    let q = &ctx.query;
    let (page, per_page) = q.paging(DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    let sort = match q.non_empty("sort") {
        None => RunSort::CreateAt,
        Some(s) => RunSort::parse(s).ok_or_else(|| {
            FieldError::new(
                "sort",
                format!("{s:?} is not one of {}", RunSort::NAMES.join(", ")),
            )
        })?,
    };
    let descending = q.descending()?;
    let mut statuses = Vec::new();
    for s in q.get_all("statuses").into_iter().chain(q.get_all("status")) {
        for s in s.split(',').filter(|s| !s.is_empty()) {
            let known = status::ALL
                .iter()
                .find(|k| k.eq_ignore_ascii_case(s))
                .ok_or_else(|| {
                    FieldError::new("statuses", format!("{s:?} is not InProgress or Finished"))
                })?;
            statuses.push((*known).to_owned());
        }
    }
    let omit_ended = match q
        .non_empty("omit_ended")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(v) => {
            return Err(
                FieldError::new("omit_ended", format!("{v:?} is not true or false")).into(),
            );
        }
    };
    // No run name is longer; a longer term only costs the search.
    let search_term = q.get("search_term").unwrap_or_default();
    crate::limits::text("search_term", search_term, crate::limits::TITLE_CHARS)?;
    Ok(RunFilter {
        team_id: q.non_empty("team_id").unwrap_or_default().to_owned(),
        statuses,
        owner_user_id: user_param(ctx, "owner_user_id"),
        participant_id: user_param(ctx, "participant_id"),
        participant_or_follower_id: user_param(ctx, "participant_or_follower_id"),
        playbook_id: q.non_empty("playbook_id").unwrap_or_default().to_owned(),
        channel_id: q.non_empty("channel_id").unwrap_or_default().to_owned(),
        search_term: search_term.to_owned(),
        started_gte: int_param(ctx, "started_gte")?,
        started_lt: int_param(ctx, "started_lt")?,
        active_gte: int_param(ctx, "active_gte")?,
        active_lt: int_param(ctx, "active_lt")?,
        since: int_param(ctx, "since")?,
        omit_ended,
        sort,
        descending,
        page,
        per_page,
    })
}

#[cfg(test)]
#[path = "runs_tests.rs"]
mod tests;
