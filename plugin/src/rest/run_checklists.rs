//! `/runs/{id}/checklists…` routes: upstream's run checklist and task
//! routes, addressed by 0-based checklist (`{checklist}`) and item
//! (`{item}`) positions.
//!
//! Every route: 401 without a session, 404 for an unknown run, 403 unless
//! the caller may edit the run (system admin, owner, participant), 400 on a
//! finished run. The operation itself is [`crate::runs::checklist_ops`]; its
//! errors become 404 ("no checklist 3", "no item 2 in checklist 0") or 400
//! with the message naming the field (`new_state: …`). The operation runs
//! inside the run store's compare-and-set update, on the fresh copy, so a
//! concurrent change to another task of the same run is never lost. A
//! change that has a timeline event appends it (with a new id); a no-op
//! (`changed == false`) is not written and publishes nothing; otherwise
//! `playbook_run_updated` is published.
//!
//! Responses: every route answers 200 with the stored run (upstream answers
//! some of these with 200/201 and no body or with the item; the full run
//! lets clients refresh without a second request).
//!
//! `POST …/item/{item}/run` only records the run of the command
//! (`command_last_run`, a `ran_slash_command` timeline event): the host
//! offers no way yet to execute a slash command as the user, so the command
//! is **not** executed.

use serde_json::{Map, Value};

use super::router::Router;
use super::runs::{check_open, run_id, stored_json, update};
use super::{ApiError, ApiResult, Ctx, Handler, body};
use crate::authz;
use crate::host::{Host, HostError};
use crate::playbooks::model::{Checklist, ChecklistItem};
use crate::playbooks::{FieldError, new_id_from_host};
use crate::runs::checklist_ops::{
    self as ops, Actor, Change, ChecklistRef, ItemEdit, ItemRef, OpError,
};

/// Literal routes (`move`, `move-item`) before `{checklist}` ones.
pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    const I: &str = "/runs/{id}/checklists/{checklist}/item/{item}";
    router
        .route("POST", "/runs/{id}/checklists", add_checklist)
        .route("POST", "/runs/{id}/checklists/move", move_checklist)
        .route("POST", "/runs/{id}/checklists/move-item", move_item)
        .route(
            "DELETE",
            "/runs/{id}/checklists/{checklist}",
            delete_checklist,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/rename",
            rename_checklist,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/skip",
            skip_checklist,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/restore",
            restore_checklist,
        )
        .route(
            "POST",
            "/runs/{id}/checklists/{checklist}/duplicate",
            duplicate_checklist,
        )
        .route("POST", "/runs/{id}/checklists/{checklist}/add", add_item)
        .route("PUT", I, edit_item)
        .route("DELETE", I, delete_item)
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/state",
            set_state,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/assignee",
            set_assignee,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/duedate",
            set_due_date,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/command",
            set_command,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/skip",
            skip_item,
        )
        .route(
            "PUT",
            "/runs/{id}/checklists/{checklist}/item/{item}/restore",
            restore_item,
        )
        .route(
            "POST",
            "/runs/{id}/checklists/{checklist}/item/{item}/duplicate",
            duplicate_item,
        )
        .route(
            "POST",
            "/runs/{id}/checklists/{checklist}/item/{item}/run",
            run_item_command,
        )
}

// ---- checklists ----

fn add_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let b = body::object(ctx.request)?;
    let title = string(&b, "title", true)?;
    let items: Vec<ChecklistItem> = match b.get("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| FieldError::new("items", e.to_string()))?,
    };
    apply(ctx, |lists, by, ids| {
        ops::add_checklist(lists, &title, items.clone(), ids, by)
    })
}

fn delete_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    apply(ctx, |lists, _, _| ops::delete_checklist(lists, &c))
}

fn rename_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    let title = string(&body::object(ctx.request)?, "title", true)?;
    apply(ctx, |lists, _, _| ops::rename_checklist(lists, &c, &title))
}

fn move_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let b = body::object(ctx.request)?;
    let from = index(&b, "source_checklist_idx")?;
    let to = index(&b, "dest_checklist_idx")?;
    apply(ctx, |lists, _, _| {
        ops::move_checklist(lists, &ChecklistRef::Index(from), to)
    })
}

fn move_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let b = body::object(ctx.request)?;
    let from = ItemRef::Index {
        checklist: index(&b, "source_checklist_idx")?,
        item: index(&b, "source_item_idx")?,
    };
    let to_checklist = ChecklistRef::Index(index(&b, "dest_checklist_idx")?);
    let to_item = index(&b, "dest_item_idx")?;
    apply(ctx, |lists, _, _| {
        ops::move_item(lists, &from, &to_checklist, to_item)
    })
}

fn skip_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    apply(ctx, |lists, by, _| ops::skip_checklist(lists, &c, by))
}

fn restore_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    apply(ctx, |lists, by, _| ops::restore_checklist(lists, &c, by))
}

fn duplicate_checklist<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    apply(ctx, |lists, by, ids| {
        ops::duplicate_checklist(lists, &c, ids, by)
    })
}

// ---- items ----

fn add_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let c = checklist(ctx)?;
    let item: ChecklistItem = serde_json::from_value(body::json(ctx.request)?)
        .map_err(|e| FieldError::new("item", e.to_string()))?;
    validate_assignees(ctx, &item.assignee_ids)?;
    if !item.assignee_id.is_empty() {
        validate_assignees(ctx, std::slice::from_ref(&item.assignee_id))?;
    }
    apply(ctx, |lists, by, ids| {
        ops::add_item(lists, &c, item.clone(), ids, by)
    })
}

fn edit_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let b = body::object(ctx.request)?;
    let edit = ItemEdit {
        title: string(&b, "title", true)?,
        description: string(&b, "description", false)?,
        command: string(&b, "command", false)?,
    };
    apply(ctx, |lists, by, _| {
        ops::edit_item(lists, &i, edit.clone(), by)
    })
}

fn delete_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    apply(ctx, |lists, _, _| ops::delete_item(lists, &i))
}

fn set_state<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let b = body::object(ctx.request)?;
    let new_state = match b.get("new_state") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(FieldError::new("new_state", "is required").into()),
    };
    apply(ctx, |lists, by, _| {
        ops::set_state(lists, &i, &new_state, by)
    })
}

/// `{assignee_id}` (upstream: one assignee, `""` unassigns) or this
/// project's `{assignee_ids: [...]}` (several); each must be a known user.
fn set_assignee<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let b = body::object(ctx.request)?;
    let ids: Vec<String> = match (b.get("assignee_ids"), b.get("assignee_id")) {
        (Some(v @ Value::Array(_)), _) => serde_json::from_value(v.clone())
            .map_err(|_| FieldError::new("assignee_ids", "must be a list of user ids"))?,
        (Some(v), _) if !v.is_null() => {
            return Err(FieldError::new("assignee_ids", "must be a list of user ids").into());
        }
        (_, Some(Value::String(s))) => {
            if s.is_empty() {
                Vec::new()
            } else {
                vec![s.clone()]
            }
        }
        _ => return Err(FieldError::new("assignee_id", "is required").into()),
    };
    let names = validate_assignees(ctx, &ids)?;
    let username = move |id: &str| {
        names
            .iter()
            .find(|(u, _)| u == id)
            .map(|(_, name)| name.clone())
    };
    apply(ctx, |lists, by, _| {
        ops::set_assignees(lists, &i, ids.clone(), by, &username)
    })
}

fn set_due_date<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let b = body::object(ctx.request)?;
    let due = match b.get("due_date") {
        Some(v) => v
            .as_i64()
            .ok_or_else(|| FieldError::new("due_date", "must be an integer (ms)"))?,
        None => return Err(FieldError::new("due_date", "is required").into()),
    };
    crate::limits::time_ms("due_date", due)?;
    apply(ctx, |lists, by, _| ops::set_due_date(lists, &i, due, by))
}

fn set_command<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let command = string(&body::object(ctx.request)?, "command", false)?;
    apply(ctx, |lists, by, _| {
        ops::set_command(lists, &i, &command, by)
    })
}

fn skip_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    apply(ctx, |lists, by, _| ops::skip_item(lists, &i, by))
}

fn restore_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    apply(ctx, |lists, by, _| ops::restore_item(lists, &i, by))
}

fn duplicate_item<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    apply(ctx, |lists, by, ids| {
        ops::duplicate_item(lists, &i, ids, by)
    })
}

/// Records that the task's command ran (`command_last_run`, timeline
/// `ran_slash_command`). LIMITATION: the command is not executed — the host
/// cannot yet execute a slash command as the user; the client gets the
/// updated run and nothing else happens.
/// Runs the item's slash command as the caller in the run channel (the
/// server checks the caller may post there), then records
/// `command_last_run` and `ran_slash_command`. A refused command records
/// nothing.
fn run_item_command<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let i = item(ctx)?;
    let run = super::runs::load_viewable(ctx)?;
    check_open(&run)?;
    let (c, n) = ops::find_item(&run.checklists, &i).map_err(op_error)?;
    let command = run.checklists[c].items[n].command.trim().to_owned();
    if command.is_empty() {
        return Err(FieldError::new("command", "this item has no slash command").into());
    }
    // Edit rights first: viewing is not enough to act in the run.
    update(ctx, &run.id, |_| Ok(()))?;
    ctx.host
        .execute_command(&ctx.caller.user_id, &run.channel_id, "", &command)
        .map_err(|e| match e {
            HostError::PermissionDenied => {
                ApiError::forbidden("You must be a member of the run channel to run its commands.")
            }
            HostError::NotFound => ApiError::not_found(format!("No command {command}")),
            other => other.into(),
        })?;
    apply(ctx, |lists, by, _| ops::run_command(lists, &i, by))
}

// ---- helpers ----

/// Applies `op` to the fresh copy of the run's checklists inside the CAS
/// update (so it is repeated on a retry), appending its timeline event.
fn apply<H: Host>(
    ctx: &Ctx<'_, H>,
    mut op: impl FnMut(&mut Vec<Checklist>, &Actor<'_>, ops::IdSource<'_>) -> Result<Change, OpError>,
) -> ApiResult {
    let id = run_id(ctx)?;
    let now = ctx.host.now_ms();
    let event_id = new_id_from_host(ctx.host)?;
    let user = ctx.caller.user_id.clone();
    let run = update(ctx, id, |run| {
        check_open(run)?;
        let by = Actor {
            user_id: &user,
            now_ms: now,
        };
        let mut failed: Option<HostError> = None;
        let mut lists = run.checklists.clone();
        let change = {
            let mut ids = || match new_id_from_host(ctx.host) {
                Ok(id) => id,
                Err(e) => {
                    failed = Some(e);
                    String::new()
                }
            };
            op(&mut lists, &by, &mut ids).map_err(op_error)?
        };
        if let Some(e) = failed {
            return Err(e.into());
        }
        if !change.changed {
            return Ok(());
        }
        run.checklists = lists;
        if let Some(mut event) = change.timeline_event(&run.id, now) {
            event.id.clone_from(&event_id);
            run.timeline_events.push(event);
        }
        Ok(())
    })?;
    stored_json(ctx, &run)
}

fn op_error(e: OpError) -> ApiError {
    if e.is_not_found() {
        ApiError::not_found(e.to_string())
    } else {
        ApiError::bad_request(e.to_string())
    }
}

/// Each id must be a known user and a member of the run's team (the bot
/// shows the task to them): 400 naming `assignee_id` otherwise. Returns
/// (id, username) pairs.
fn validate_assignees<H: Host>(
    ctx: &Ctx<'_, H>,
    ids: &[String],
) -> Result<Vec<(String, String)>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let run = super::runs::load_viewable(ctx)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let user = authz::require_team_user(ctx.host, &run.team_id, id, "assignee_id")?;
        out.push((id.clone(), user.username));
    }
    Ok(out)
}

fn position<H: Host>(ctx: &Ctx<'_, H>, key: &str) -> Result<usize, ApiError> {
    let raw = ctx.params.get(key);
    raw.parse::<usize>()
        .map_err(|_| ApiError::not_found(format!("{key}: no {key} {raw}")))
}

fn checklist<H: Host>(ctx: &Ctx<'_, H>) -> Result<ChecklistRef, ApiError> {
    Ok(ChecklistRef::Index(position(ctx, "checklist")?))
}

fn item<H: Host>(ctx: &Ctx<'_, H>) -> Result<ItemRef, ApiError> {
    Ok(ItemRef::Index {
        checklist: position(ctx, "checklist")?,
        item: position(ctx, "item")?,
    })
}

fn string(b: &Map<String, Value>, key: &str, required: bool) -> Result<String, ApiError> {
    match b.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) if !required => Ok(String::new()),
        None | Some(Value::Null) => Err(FieldError::new(key, "is required").into()),
        Some(_) => Err(FieldError::new(key, "must be a string").into()),
    }
}

/// Never truncated: 4294967297 is refused, not read as 1 (wasm32's usize).
fn index(b: &Map<String, Value>, key: &str) -> Result<usize, ApiError> {
    Ok(crate::limits::index(key, b.get(key))?)
}

#[cfg(test)]
#[path = "run_checklists_tests.rs"]
mod tests;
