//! Run administration routes:
//!
//! - `DELETE /runs/{id}` → 204: the owner or a system admin deletes a run
//!   (a top request Playbooks lacks): the record and its index entries go in
//!   one atomic write, its reminder jobs are cancelled, the playbook's
//!   `active_runs` drops if it was in progress (`num_runs` counts runs ever
//!   started and stays), `playbook_run_deleted` is published. The channel and
//!   its posts stay.
//! - `POST /runs/{id}/participants` and `DELETE …` `{user_ids}` → the run:
//!   editors add team members; anyone may remove themselves, removing others
//!   takes edit rights; the owner cannot be removed. Channel membership
//!   follows when the run says so. Timeline `participants_changed`.
//! - `DELETE /runs/{id}/timeline/{event_id}` → 204: soft delete (editors).
//! - `GET /runs/owners`, `GET /runs/channels` (`team_id` optional): owners
//!   (`[{user_id, username}]`) and channel ids of the runs the caller sees.
//! - `GET /runs/{id}/export` → the Markdown report ([`crate::runs::report`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::router::Router;
use super::runs::{load_viewable, run_id, stored_json, update, viewer};
use super::{ApiError, ApiResult, Ctx, Handler, body, no_content};
use crate::api::HttpResponse;
use crate::host::{Broadcast, Host, Level};
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, new_id_from_host};
use crate::runs::lifecycle::{check_open, event};
use crate::runs::model::{PlaybookRun, event_type};
use crate::runs::notify::log_err;
use crate::runs::report::{ReportContext, render};
use crate::runs::store::{Access, RunFilter, RunStore, bump_playbook_counters};
use crate::runs::{retro, status};

/// Literal `/runs/…` routes first: this module is registered before the
/// `/runs/{id}` ones.
pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
        .route("GET", "/runs/owners", owners)
        .route("GET", "/runs/channels", channels)
        .route("DELETE", "/runs/{id}", delete)
        .route("GET", "/runs/{id}/export", export)
        .route("POST", "/runs/{id}/participants", add_participants)
        .route("DELETE", "/runs/{id}/participants", remove_participants)
        .route("DELETE", "/runs/{id}/timeline/{event_id}", delete_event)
}

fn delete<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let caller = viewer(ctx);
    let run = RunStore::new(ctx.host).delete(id, |run| {
        if caller.is_system_admin || run.owner_user_id == caller.user_id {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "Only the run's owner or a system admin can delete a run.",
            ))
        }
    })?;
    status::cancel_reminder(ctx.host, &run.id);
    retro::on_restored(ctx.host, &run);
    for prefix in [status::JOB_PREFIX, retro::JOB_PREFIX] {
        crate::jobs::forget(ctx.host, &format!("{prefix}{}", run.id));
    }
    if !run.playbook_id.is_empty()
        && !run.is_finished()
        && let Err(e) = bump_playbook_counters(ctx.host, &run.playbook_id, 0, -1, None)
    {
        ctx.host
            .log(Level::Warn, &format!("updating active_runs: {e}"));
    }
    log_err(
        ctx.host,
        "publishing the deletion",
        ctx.host.publish_event(
            "playbook_run_deleted",
            &json!({"playbook_run_id": run.id}),
            &Broadcast {
                channel_id: Some(run.channel_id.clone()),
                ..Broadcast::default()
            },
        ),
    );
    Ok(no_content())
}

fn user_ids<H: Host>(ctx: &Ctx<'_, H>) -> Result<Vec<String>, ApiError> {
    let body = body::object(ctx.request)?;
    let list = body
        .get("user_ids")
        .and_then(Value::as_array)
        .ok_or_else(|| FieldError::new("user_ids", "is required: a list of user ids"))?;
    let mut ids = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let id = v
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| FieldError::new(format!("user_ids[{i}]"), "must be a user id"))?;
        if !ids.iter().any(|x| x == id) {
            ids.push(id.to_owned());
        }
    }
    if ids.is_empty() {
        return Err(FieldError::new("user_ids", "must not be empty").into());
    }
    Ok(ids)
}

/// Usernames for the timeline; each id must be a known user.
fn usernames<H: Host>(ctx: &Ctx<'_, H>, ids: &[String]) -> Result<Vec<String>, ApiError> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            ctx.host
                .user(id)?
                .map(|u| format!("@{}", u.username))
                .ok_or_else(|| {
                    FieldError::new(format!("user_ids[{i}]"), format!("no user {id}")).into()
                })
        })
        .collect()
}

fn add_participants<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let ids = user_ids(ctx)?;
    let names = usernames(ctx, &ids)?;
    let me = ctx.caller.user_id.clone();
    let actor = ctx.host.user(&me)?.unwrap_or_default().username;
    let now = ctx.host.now_ms();
    let event_id = new_id_from_host(ctx.host)?;
    let mut team_checked = false;
    let mut added: Vec<String> = Vec::new();
    let joining_alone = ids.len() == 1 && ids[0] == me;
    let change = |run: &mut PlaybookRun| -> Result<(), ApiError> {
        check_open(run)?;
        if !team_checked {
            // Everyone added must be in the run's team (a system admin may
            // add themselves regardless).
            for (i, user) in ids.iter().enumerate() {
                let admin_self = ctx.caller.is_system_admin && *user == me;
                if !admin_self {
                    let field = format!("user_ids[{i}]");
                    crate::authz::require_team_user(ctx.host, &run.team_id, user, &field)?;
                }
            }
            team_checked = true;
        }
        added = ids
            .iter()
            .filter(|u| !run.is_participant(u))
            .cloned()
            .collect();
        if added.is_empty() {
            return Ok(());
        }
        for user in &added {
            run.add_participant(user);
        }
        let joined = added.len() == 1 && added[0] == me;
        let summary = if joined {
            format!("@{actor} joined the run")
        } else {
            format!(
                "@{actor} added {} to the run",
                names_of(&ids, &names, &added)
            )
        };
        let mut e = event(
            run,
            event_id.clone(),
            now,
            event_type::PARTICIPANTS_CHANGED,
            summary,
            &me,
        );
        e.details =
            json!({"action": if joined { "joined" } else { "added" }, "users": added}).to_string();
        run.timeline_events.push(e);
        Ok(())
    };
    // Joining takes view rights only (whoever can see a run may join it);
    // adding others takes edit rights.
    let run = if joining_alone {
        update_as_viewer(ctx, id, change)?
    } else {
        update(ctx, id, change)?
    };
    if run.create_channel_member_on_new_participant {
        for user in &added {
            log_err(
                ctx.host,
                "adding a participant to the channel",
                ctx.host.add_channel_member(&run.channel_id, user),
            );
        }
    }
    stored_json(ctx, &run)
}

fn names_of(ids: &[String], names: &[String], chosen: &[String]) -> String {
    ids.iter()
        .zip(names)
        .filter(|(id, _)| chosen.contains(id))
        .map(|(_, n)| n.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn remove_participants<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?.to_owned();
    let ids = user_ids(ctx)?;
    let names = usernames(ctx, &ids)?;
    let me = ctx.caller.user_id.clone();
    let leaving_alone = ids.len() == 1 && ids[0] == me;
    let actor = ctx.host.user(&me)?.unwrap_or_default().username;
    let now = ctx.host.now_ms();
    let event_id = new_id_from_host(ctx.host)?;
    let mut removed: Vec<String> = Vec::new();
    let change = |run: &mut PlaybookRun| -> Result<(), ApiError> {
        check_open(run)?;
        if let Some(i) = ids.iter().position(|u| *u == run.owner_user_id) {
            return Err(FieldError::new(
                format!("user_ids[{i}]"),
                "is the owner: change the owner first",
            )
            .into());
        }
        removed = ids
            .iter()
            .filter(|u| run.is_participant(u))
            .cloned()
            .collect();
        if removed.is_empty() {
            return Ok(());
        }
        run.participant_ids.retain(|p| !removed.contains(p));
        let summary = if leaving_alone {
            format!("@{actor} left the run")
        } else {
            format!(
                "@{actor} removed {} from the run",
                names_of(&ids, &names, &removed)
            )
        };
        let mut e = event(
            run,
            event_id.clone(),
            now,
            event_type::PARTICIPANTS_CHANGED,
            summary,
            &me,
        );
        e.details =
            json!({"action": if leaving_alone { "left" } else { "removed" }, "users": removed})
                .to_string();
        run.timeline_events.push(e);
        Ok(())
    };
    // Leaving takes no edit rights (a participant can always leave); a
    // non-participant "leaving" changes nothing and needs view rights to see
    // the run returned.
    let run = if leaving_alone {
        update_as_viewer(ctx, &id, change)?
    } else {
        update(ctx, &id, change)?
    };
    if run.remove_channel_member_on_removed_participant {
        for user in &removed {
            log_err(
                ctx.host,
                "removing a participant from the channel",
                ctx.host.remove_channel_member(&run.channel_id, user),
            );
        }
    }
    stored_json(ctx, &run)
}

/// A change someone may make to themselves with view rights only (join,
/// leave): 403 when they cannot see the run; publishes
/// `playbook_run_updated` when the run changed.
fn update_as_viewer<H: Host>(
    ctx: &Ctx<'_, H>,
    id: &str,
    change: impl FnMut(&mut PlaybookRun) -> Result<(), ApiError>,
) -> Result<PlaybookRun, ApiError> {
    let store = RunStore::new(ctx.host);
    let before = store.get_head(id)?.ok_or_else(super::runs::not_found)?;
    if !Access::new(ctx.host, viewer(ctx)).can_view(&before)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this run.",
        ));
    }
    let updated = store.update_reporting(id, change)?;
    crate::runs::notify::publish_update(ctx.host, &updated);
    Ok(updated.after)
}

fn delete_event<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = run_id(ctx)?;
    let event_id = ctx.params.get("event_id").to_owned();
    let now = ctx.host.now_ms();
    // The change names the event with its new `delete_at`: the store
    // rewrites that one row ([`RunStore::update`]), never the timeline.
    let stored = RunStore::new(ctx.host).timeline_event(id, &event_id)?;
    update(ctx, id, |run| {
        let mut e = stored
            .clone()
            .ok_or_else(|| ApiError::not_found("Timeline event not found."))?;
        if e.delete_at == 0 {
            e.delete_at = now;
            run.timeline_events.push(e);
        }
        Ok(())
    })?;
    Ok(no_content())
}

/// The runs the caller can see, optionally in one team.
fn visible<H: Host>(ctx: &Ctx<'_, H>) -> Result<Vec<PlaybookRun>, ApiError> {
    let filter = RunFilter {
        team_id: ctx
            .query
            .non_empty("team_id")
            .unwrap_or_default()
            .to_owned(),
        ..RunFilter::default()
    };
    let mut runs = Vec::new();
    RunStore::new(ctx.host).scan(&viewer(ctx), &filter, |r| {
        runs.push(PlaybookRun {
            id: r.id.clone(),
            owner_user_id: r.owner_user_id.clone(),
            channel_id: r.channel_id.clone(),
            ..PlaybookRun::default()
        })
    })?;
    Ok(runs)
}

fn owners<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let ids: BTreeSet<String> = visible(ctx)?.into_iter().map(|r| r.owner_user_id).collect();
    let mut out = Vec::new();
    for id in ids {
        let username = ctx.host.user(&id)?.map(|u| u.username).unwrap_or_default();
        out.push(json!({"user_id": id, "username": username}));
    }
    Ok(HttpResponse::json(200, &Value::Array(out)))
}

fn channels<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let ids: BTreeSet<String> = visible(ctx)?.into_iter().map(|r| r.channel_id).collect();
    Ok(HttpResponse::json(200, &json!(ids)))
}

fn export<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let run = load_viewable(ctx)?;
    let host = ctx.host;
    let mut ids: BTreeSet<String> = run.participant_ids.iter().cloned().collect();
    ids.insert(run.owner_user_id.clone());
    ids.insert(run.reporter_user_id.clone());
    for item in run.checklists.iter().flat_map(|c| c.items.iter()) {
        ids.extend(item.assignee_ids.iter().cloned());
        if !item.assignee_id.is_empty() {
            ids.insert(item.assignee_id.clone());
        }
    }
    let mut usernames = BTreeMap::new();
    for id in ids.into_iter().filter(|i| !i.is_empty()) {
        if let Some(u) = host.user(&id)? {
            usernames.insert(id, u.username);
        }
    }
    let status_updates = status::status_updates(host, &run)?
        .into_iter()
        .map(|u| {
            (
                u["create_at"].as_i64().unwrap_or(0),
                u["author_user_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                u["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let playbook = if run.playbook_id.is_empty() {
        None
    } else {
        PlaybookStore::new(host).get(&run.playbook_id)?
    };
    let ctx_report = ReportContext {
        usernames: usernames.into_iter().collect(),
        team_name: host.team(&run.team_id)?.map(|t| t.name).unwrap_or_default(),
        channel_name: host
            .channel(&run.channel_id)?
            .map(|c| c.name)
            .unwrap_or_default(),
        playbook_title: playbook
            .as_ref()
            .map(|p| p.title.clone())
            .unwrap_or_default(),
        metrics: playbook.map(|p| p.metrics).unwrap_or_default(),
        status_updates,
        now: host.now_ms(),
    };
    let name = if run.sequential_id.is_empty() {
        crate::runs::create::channel_name(&run.name, "")
    } else {
        run.sequential_id.to_lowercase()
    };
    let file = if name.trim_matches('-').is_empty() {
        "run".to_owned()
    } else {
        name.trim_matches('-').to_owned()
    };
    Ok(HttpResponse {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/markdown; charset=utf-8".into()),
            (
                "Content-Disposition".into(),
                format!("attachment; filename=\"{file}.md\""),
            ),
        ],
        body: render(&run, &ctx_report).into_bytes(),
    })
}

#[cfg(test)]
#[path = "run_admin_tests.rs"]
mod tests;
