//! `/playbooks` routes: create, list, get, update (PUT), patch, archive,
//! restore, duplicate, export, import, autocomplete.
//!
//! Permissions: see [`super::permissions`].
//!
//! # Responses
//!
//! - Creating (POST `/playbooks`, `/playbooks/import`, `/{id}/duplicate`):
//!   201, `{"id": …}`, and `Location: /plugins/playbooks/api/v0/playbooks/<id>`
//!   (upstream sends the same path prefixed with the site URL, which the
//!   plugin does not know; a root-relative path resolves the same way).
//! - PUT and PATCH: 200 with the stored playbook (upstream: 200, empty body;
//!   clients that ignore the body see no difference).
//! - DELETE and restore: 204. Restoring a live playbook is a no-op.
//! - Lists: `{total_count, page_count, has_more, items}`; `per_page`
//!   defaults to 20 (0 too) and is capped at 200.
//!
//! # Websocket events
//!
//! `playbook_created` (create, import, duplicate), `playbook_archived`,
//! `playbook_restored`, broadcast to the playbook's team, with data
//! `{"playbook": <id>, "team_id": <team>, "teamID": <team>}` (`teamID` is
//! upstream's name, kept for the upstream web app). The server sends them
//! as `custom_playbooks_<event>`.

use serde::Serialize;
use serde_json::{Value, json};

use super::permissions::{
    can_view, check_edit, check_edit_rights, check_privileged, is_team_member, require_create,
    viewer,
};
use super::router::Router;
use super::{ApiError, ApiResult, Ctx, Handler, PUBLIC_API_PREFIX, body, json_with, no_content};
use crate::api::HttpResponse;
use crate::authz::{check_broadcast_channels, check_saved_channels, split_postable};
use crate::host::{Broadcast, Host, HostResult, Level};
use crate::playbooks::model::{PlaybookMember, role};
use crate::playbooks::store::{ListFilter, PlaybookStore, SortField};
use crate::playbooks::validate::MAX_TITLE_CHARS;
use crate::playbooks::{
    FieldError, HostIds, Playbook, export_playbook, import_playbook, is_valid_id, new_id_from_host,
};

pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 200;

/// Fields a client never sets: kept from the stored playbook by PUT and
/// PATCH (PATCH ignores them in the body).
const BOOKKEEPING: [&str; 11] = [
    "id",
    "team_id",
    "create_at",
    "update_at",
    "delete_at",
    "num_stages",
    "num_steps",
    "num_runs",
    "num_actions",
    "last_run_at",
    "active_runs",
];

/// Literal routes come before `{id}` routes (first match wins).
pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("POST", "/playbooks/import", import)
        .route("GET", "/playbooks/autocomplete", autocomplete)
        .route("POST", "/playbooks", create)
        .route("GET", "/playbooks", list)
        .route("GET", "/playbooks/{id}", get)
        .route("PUT", "/playbooks/{id}", update)
        .route("PATCH", "/playbooks/{id}", patch)
        .route("DELETE", "/playbooks/{id}", archive)
        .route("PUT", "/playbooks/{id}/restore", restore)
        .route("POST", "/playbooks/{id}/duplicate", duplicate)
        .route("GET", "/playbooks/{id}/export", export)
}

fn create<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let mut pb = body::playbook(body::json(ctx.request)?)?;
    if !pb.id.is_empty() {
        return Err(FieldError::new("id", "must be empty: the server assigns ids").into());
    }
    require_create(ctx, &pb.team_id)?;
    check_new_channels(ctx, &Playbook::default(), &pb)?;
    pb.id = new_id_from_host(ctx.host)?;
    fresh_ids(ctx.host, &mut pb, false)?;
    let user = &ctx.caller.user_id;
    match pb.members.iter_mut().find(|m| m.user_id == *user) {
        Some(member) => {
            for r in [role::MEMBER, role::ADMIN] {
                if !member.roles.iter().any(|x| x == r) {
                    member.roles.push(r.to_owned());
                }
            }
        }
        None => pb.members.push(admin_member(user)),
    }
    reset_bookkeeping(&mut pb);
    pb.normalize();
    insert(ctx, pb)
}

fn list<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let filter = list_filter(ctx)?;
    let teams = listed_teams(ctx)?;
    let page = PlaybookStore::new(ctx.host).list(&teams, &filter)?;
    json_ok(200, &page)
}

fn get<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    json_ok(200, &load_viewable(ctx)?)
}

fn update<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = playbook_id(ctx)?;
    let mut input = body::playbook(body::json(ctx.request)?)?;
    input.normalize();
    fresh_ids(ctx.host, &mut input, false)?;
    let updated = PlaybookStore::new(ctx.host).update(id, |pb| {
        check_edit(ctx, pb)?;
        let mut next = input.clone();
        keep_bookkeeping(pb, &mut next);
        check_privileged(ctx, pb, &next)?;
        check_new_channels(ctx, pb, &next)?;
        *pb = next;
        Ok::<_, ApiError>(())
    })?;
    json_ok(200, &updated)
}

fn patch<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = playbook_id(ctx)?;
    let changes = body::object(ctx.request)?;
    let updated = PlaybookStore::new(ctx.host).update(id, |pb| {
        check_edit(ctx, pb)?;
        let mut merged = to_json(&*pb)?;
        if let Value::Object(fields) = &mut merged {
            for (key, value) in &changes {
                if !BOOKKEEPING.contains(&key.as_str()) {
                    fields.insert(key.clone(), value.clone());
                }
            }
        }
        let mut next = body::playbook(merged)?;
        next.normalize();
        fresh_ids(ctx.host, &mut next, false)?;
        keep_bookkeeping(pb, &mut next);
        check_privileged(ctx, pb, &next)?;
        check_new_channels(ctx, pb, &next)?;
        *pb = next;
        Ok::<_, ApiError>(())
    })?;
    json_ok(200, &updated)
}

/// Channels a save adds — broadcast channels, and the channel runs are
/// linked to — must be ones the saving user may post in (the bot posts
/// announcements, updates and run messages there). Channels already saved
/// may stay: a co-editor need not have access to every one of them, and
/// the check is repeated for the acting user when a run starts and at
/// every broadcast.
fn check_new_channels<H: Host>(
    ctx: &Ctx<'_, H>,
    old: &Playbook,
    new: &Playbook,
) -> Result<(), ApiError> {
    let user = &ctx.caller.user_id;
    check_broadcast_channels(
        ctx.host,
        user,
        &new.broadcast_channel_ids,
        &old.broadcast_channel_ids,
    )?;
    check_saved_channels(
        ctx.host,
        user,
        "channel_id",
        std::slice::from_ref(&new.channel_id),
        std::slice::from_ref(&old.channel_id),
    )?;
    Ok(())
}

fn archive<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = playbook_id(ctx)?;
    let archived = PlaybookStore::new(ctx.host).update(id, |pb| {
        check_edit(ctx, pb)?;
        pb.delete_at = ctx.host.now_ms().max(1);
        Ok::<_, ApiError>(())
    })?;
    publish(ctx, "playbook_archived", &archived);
    Ok(no_content())
}

fn restore<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = playbook_id(ctx)?;
    let mut was_archived = false;
    let restored = PlaybookStore::new(ctx.host).update(id, |pb| {
        check_edit_rights(ctx, pb)?;
        was_archived = pb.is_archived();
        pb.delete_at = 0;
        Ok::<_, ApiError>(())
    })?;
    if was_archived {
        publish(ctx, "playbook_restored", &restored);
    }
    Ok(no_content())
}

fn duplicate<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let mut copy = load_viewable(ctx)?;
    require_create(ctx, &copy.team_id)?;
    copy.id = new_id_from_host(ctx.host)?;
    fresh_ids(ctx.host, &mut copy, true)?;
    copy.title = format!("Copy of {}", copy.title)
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect();
    copy.members = vec![admin_member(&ctx.caller.user_id)];
    // The copy is the caller's: it keeps only the broadcast and linked
    // channels they may post in (as creating it from scratch would require).
    copy.broadcast_channel_ids =
        split_postable(ctx.host, &ctx.caller.user_id, &copy.broadcast_channel_ids).0;
    if !copy.channel_id.is_empty()
        && split_postable(ctx.host, &ctx.caller.user_id, &[copy.channel_id.clone()])
            .0
            .is_empty()
    {
        copy.channel_id.clear();
    }
    // Unique per team: the copy starts without one.
    copy.run_number_prefix.clear();
    reset_bookkeeping(&mut copy);
    insert(ctx, copy)
}

fn export<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let pb = load_viewable(ctx)?;
    let disposition = format!("attachment; filename=\"{}.json\"", slug(&pb.title));
    Ok(json_with(
        200,
        &export_playbook(&pb),
        &[("Content-Disposition", disposition)],
    ))
}

fn import<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let team_id = ctx
        .query
        .non_empty("team_id")
        .ok_or_else(|| FieldError::new("team_id", "is required (query parameter)"))?;
    require_create(ctx, team_id)?;
    let json = body::json(ctx.request)?;
    let mut ids = HostIds::new(ctx.host);
    let pb = import_playbook(&json, team_id, &ctx.caller.user_id, || ids.next_id())?;
    ids.finish()?;
    insert(ctx, pb)
}

fn autocomplete<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let filter = ListFilter {
        search_term: ctx.query.get("search_term").unwrap_or_default().to_owned(),
        with_archived: flag(ctx, "with_archived")?,
        per_page: usize::MAX,
        visible_to: viewer(ctx),
        ..ListFilter::default()
    };
    let teams = listed_teams(ctx)?;
    let page = PlaybookStore::new(ctx.host).list(&teams, &filter)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|pb| json!({"text": pb.title, "value": pb.id}))
        .collect();
    Ok(HttpResponse::json(200, &Value::Array(items)))
}

/// Stores a new playbook and answers like upstream: 201, `Location`,
/// `{"id": …}`.
fn insert<H: Host>(ctx: &Ctx<'_, H>, pb: Playbook) -> ApiResult {
    let pb = PlaybookStore::new(ctx.host).create(pb)?;
    publish(ctx, "playbook_created", &pb);
    Ok(json_with(
        201,
        &json!({"id": pb.id}),
        &[(
            "Location",
            format!("{PUBLIC_API_PREFIX}/playbooks/{}", pb.id),
        )],
    ))
}

fn publish<H: Host>(ctx: &Ctx<'_, H>, event: &str, pb: &Playbook) {
    let data = json!({"playbook": pb.id, "team_id": pb.team_id, "teamID": pb.team_id});
    let broadcast = Broadcast {
        team_id: Some(pb.team_id.clone()),
        ..Broadcast::default()
    };
    if let Err(e) = ctx.host.publish_event(event, &data, &broadcast) {
        ctx.host.log(
            Level::Warn,
            &format!("publishing {event} for {}: {e}", pb.id),
        );
    }
}

/// The teams to list: `team_id` (the caller must be in it), else every team
/// with playbooks the caller is in.
fn listed_teams<H: Host>(ctx: &Ctx<'_, H>) -> Result<Vec<String>, ApiError> {
    if let Some(team_id) = ctx.query.non_empty("team_id") {
        if !is_team_member(ctx, team_id)? {
            return Err(ApiError::forbidden(format!(
                "You are not a member of team {team_id}."
            )));
        }
        return Ok(vec![team_id.to_owned()]);
    }
    let mut teams = Vec::new();
    for team in PlaybookStore::new(ctx.host).team_ids()? {
        if is_team_member(ctx, &team)? {
            teams.push(team);
        }
    }
    Ok(teams)
}

// ---- loading and parameters ----

/// The `{id}` of the path; ids that cannot exist are 404s right away.
fn playbook_id<'c, H: Host>(ctx: &'c Ctx<'_, H>) -> Result<&'c str, ApiError> {
    let id = ctx.params.get("id");
    if is_valid_id(id) {
        Ok(id)
    } else {
        Err(ApiError::not_found("Playbook not found."))
    }
}

fn load_viewable<H: Host>(ctx: &Ctx<'_, H>) -> Result<Playbook, ApiError> {
    let id = playbook_id(ctx)?;
    let pb = PlaybookStore::new(ctx.host)
        .get(id)?
        .ok_or_else(|| ApiError::not_found("Playbook not found."))?;
    if !can_view(ctx, &pb)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this playbook.",
        ));
    }
    Ok(pb)
}

fn list_filter<H: Host>(ctx: &Ctx<'_, H>) -> Result<ListFilter, ApiError> {
    let q = &ctx.query;
    let (page, per_page) = q.paging(DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    let sort = match q.non_empty("sort") {
        None => SortField::Title,
        Some(s) => SortField::parse(s).ok_or_else(|| {
            FieldError::new(
                "sort",
                format!("{s:?} is not one of {}", SortField::NAMES.join(", ")),
            )
        })?,
    };
    let descending = q.descending()?;
    Ok(ListFilter {
        search_term: q.get("search_term").unwrap_or_default().to_owned(),
        with_archived: flag(ctx, "with_archived")?,
        sort,
        descending,
        page,
        per_page,
        visible_to: viewer(ctx),
    })
}

/// A boolean query parameter; absent or empty is false.
fn flag<H: Host>(ctx: &Ctx<'_, H>, name: &str) -> Result<bool, ApiError> {
    match ctx
        .query
        .non_empty(name)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(v) => Err(FieldError::new(name, format!("{v:?} is not true or false")).into()),
    }
}

// ---- helpers ----

fn admin_member(user_id: &str) -> PlaybookMember {
    PlaybookMember {
        user_id: user_id.to_owned(),
        roles: vec![role::MEMBER.to_owned(), role::ADMIN.to_owned()],
    }
}

/// New ids for checklists, items and metrics: all of them, or the missing
/// ones.
fn fresh_ids<H: Host>(host: &H, pb: &mut Playbook, all: bool) -> HostResult<()> {
    let fresh = |id: &mut String| -> HostResult<()> {
        if all || id.is_empty() {
            *id = new_id_from_host(host)?;
        }
        Ok(())
    };
    for checklist in &mut pb.checklists {
        fresh(&mut checklist.id)?;
        for item in &mut checklist.items {
            fresh(&mut item.id)?;
        }
    }
    for metric in &mut pb.metrics {
        fresh(&mut metric.id)?;
    }
    Ok(())
}

/// A new playbook starts with no history.
fn reset_bookkeeping(pb: &mut Playbook) {
    pb.delete_at = 0;
    pb.num_runs = 0;
    pb.num_actions = 0;
    pb.last_run_at = 0;
    pb.active_runs = 0;
}

/// Keeps the stored values of [`BOOKKEEPING`] in `next` (the counts of
/// stages and steps are recomputed by the store).
fn keep_bookkeeping(stored: &Playbook, next: &mut Playbook) {
    next.id.clone_from(&stored.id);
    next.team_id.clone_from(&stored.team_id);
    next.create_at = stored.create_at;
    next.update_at = stored.update_at;
    next.delete_at = stored.delete_at;
    next.num_runs = stored.num_runs;
    next.num_actions = stored.num_actions;
    next.last_run_at = stored.last_run_at;
    next.active_runs = stored.active_runs;
}

/// A file name from a title: lower-case ASCII letters and digits, other
/// runs of characters as one `-`, at most 64 characters.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
            if out.len() >= 64 {
                break;
            }
        } else {
            gap = true;
        }
    }
    if out.is_empty() {
        "playbook".into()
    } else {
        out
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(e.to_string()))
}

fn json_ok<T: Serialize>(status: u16, value: &T) -> ApiResult {
    Ok(HttpResponse::json(status, &to_json(value)?))
}

#[cfg(test)]
#[path = "playbooks_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "playbooks_edit_tests.rs"]
mod edit_tests;
