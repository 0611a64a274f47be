//! Checked run edits and the finish/restore life cycle, shared by the REST
//! routes, the status-update dialog ("finish the run") and the slash
//! commands.

use serde_json::json;

use super::checklist_ops::{Actor, Change, IdSource, OpError};
use super::model::{PlaybookRun, TimelineEvent, event_type, status};
use super::notify::{fire_webhooks, log_err, publish_update, webhook_payload};
use super::store::{Access, RunError, RunResult, RunStore, Viewer, bump_playbook_counters};
use super::{retro, status as status_updates};
use crate::host::{Host, Level};
use crate::playbooks::model::Checklist;
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, new_id_from_host};

/// A read-modify-write of run `id` by `viewer`, who must be able to edit it
/// (403, or a 403 saying they cannot view it); `change` may refuse with its
/// own error. Tells the run's channel when the run changed
/// ([`publish_update`]). Returns the stored run **without** its logs
/// (except the entries the change wrote; [`RunStore::update`]) and whether
/// it changed: a caller that answers with the whole run reads it again.
pub fn edit_run<H, E, F>(
    host: &H,
    viewer: &Viewer,
    id: &str,
    mut change: F,
) -> Result<(PlaybookRun, bool), E>
where
    H: Host + ?Sized,
    E: From<RunError>,
    F: FnMut(&mut PlaybookRun) -> Result<(), E>,
{
    let store = RunStore::new(host);
    let mut access = Access::new(host, viewer.clone());
    let updated = store.update_reporting(id, |run| {
        if !access.can_edit(run) {
            return Err(E::from(RunError::Forbidden(if access.can_view(run)? {
                "Only the owner and participants of this run can change it.".into()
            } else {
                "You do not have permission to view this run.".into()
            })));
        }
        change(run)
    })?;
    publish_update(host, &updated);
    Ok((updated.after, updated.changed))
}

/// Refuses changes to a finished run.
pub fn check_open(run: &PlaybookRun) -> RunResult<()> {
    if run.is_finished() {
        return Err(RunError::Invalid(FieldError::new(
            "current_status",
            "this run is finished: restore it before changing it",
        )));
    }
    Ok(())
}

/// `owner_group_only_actions` of the source playbook: only the owner or a
/// system admin may finish, restore or change the owner.
pub fn check_owner_group<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run: &PlaybookRun,
) -> RunResult<()> {
    if viewer.is_system_admin || run.owner_user_id == viewer.user_id || run.playbook_id.is_empty() {
        return Ok(());
    }
    let restricted = PlaybookStore::new(host)
        .get(&run.playbook_id)?
        .is_some_and(|pb| pb.owner_group_only_actions);
    if restricted {
        return Err(RunError::Forbidden(
            "Only the owner of this run can do this (owner_group_only_actions).".into(),
        ));
    }
    Ok(())
}

/// A timeline event by `user_id` at `now`.
pub fn event(
    run: &PlaybookRun,
    id: String,
    now: i64,
    kind: &str,
    summary: String,
    user_id: &str,
) -> TimelineEvent {
    TimelineEvent {
        id,
        playbook_run_id: run.id.clone(),
        create_at: now,
        event_at: now,
        event_type: kind.to_owned(),
        summary,
        subject_user_id: user_id.to_owned(),
        creator_user_id: user_id.to_owned(),
        ..Default::default()
    }
}

/// Makes `owner_id` the owner of run `id` (and a participant, and a member
/// of the run channel when the run syncs membership); timeline
/// `owner_changed`. The new owner must be a member of the run's team.
pub fn change_owner<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    id: &str,
    owner_id: &str,
) -> RunResult<PlaybookRun> {
    let owner = host
        .user(owner_id)?
        .ok_or_else(|| FieldError::new("owner_id", format!("no user {owner_id}")))?;
    let now = host.now_ms();
    let event_id = new_id_from_host(host)?;
    let mut team_checked = false;
    let (run, _) = edit_run(host, viewer, id, |run: &mut PlaybookRun| {
        check_open(run)?;
        check_owner_group(host, viewer, run)?;
        if run.owner_user_id == owner_id {
            return Ok(());
        }
        if !team_checked {
            crate::authz::require_team_user(host, &run.team_id, owner_id, "owner_id")?;
            team_checked = true;
        }
        let old = std::mem::replace(&mut run.owner_user_id, owner_id.to_owned());
        run.add_participant(owner_id);
        let mut e = event(
            run,
            event_id.clone(),
            now,
            event_type::OWNER_CHANGED,
            format!("Owner changed to @{}", owner.username),
            &viewer.user_id,
        );
        e.subject_user_id = owner_id.to_owned();
        e.details = json!({"old_owner": old, "new_owner": owner_id}).to_string();
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    if run.create_channel_member_on_new_participant {
        log_err(
            host,
            "adding the new owner to the channel",
            host.add_channel_member(&run.channel_id, owner_id),
        );
    }
    Ok(run)
}

/// Who makes a change and when, taken once before a compare-and-set update
/// (whose closure may run again): the time, a fresh timeline event id and
/// the actor's username.
pub struct Stamp {
    pub now: i64,
    pub event_id: String,
    pub user_id: String,
    pub username: String,
}

impl Stamp {
    pub fn new<H: Host + ?Sized>(host: &H, viewer: &Viewer) -> RunResult<Self> {
        Ok(Stamp {
            now: host.now_ms(),
            event_id: new_id_from_host(host)?,
            user_id: viewer.user_id.clone(),
            username: host.user(&viewer.user_id)?.unwrap_or_default().username,
        })
    }

    /// A timeline event of `kind` by the actor, now.
    pub fn event(&self, run: &PlaybookRun, kind: &str, summary: String) -> TimelineEvent {
        event(
            run,
            self.event_id.clone(),
            self.now,
            kind,
            summary,
            &self.user_id,
        )
    }

    /// The `<what>_enabled` / `<what>_disabled` event for a switch:
    /// "@user enabled status updates".
    pub fn switch_event(
        &self,
        run: &PlaybookRun,
        enabled: bool,
        (on, off): (&str, &str),
        what: &str,
    ) -> TimelineEvent {
        let (kind, verb) = if enabled {
            (on, "enabled")
        } else {
            (off, "disabled")
        };
        self.event(run, kind, format!("@{} {verb} {what}", self.username))
    }
}

/// Finishes run `id`: status `Finished`, `end_at`, timeline
/// `run_finished`; then stops the status reminder, starts the
/// retrospective reminders, fires the status webhooks and updates the
/// playbook's `active_runs`. Finishing a finished run changes nothing.
pub fn finish<H: Host + ?Sized>(host: &H, viewer: &Viewer, id: &str) -> RunResult<PlaybookRun> {
    set_finished(host, viewer, id, true)
}

/// Restores a finished run (the reverse of [`finish`]).
pub fn restore<H: Host + ?Sized>(host: &H, viewer: &Viewer, id: &str) -> RunResult<PlaybookRun> {
    set_finished(host, viewer, id, false)
}

fn set_finished<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    id: &str,
    finish: bool,
) -> RunResult<PlaybookRun> {
    let now = host.now_ms();
    let event_id = new_id_from_host(host)?;
    let (kind, summary) = if finish {
        (event_type::RUN_FINISHED, "Run finished")
    } else {
        (event_type::RUN_RESTORED, "Run restored")
    };
    let (run, changed) = edit_run(host, viewer, id, |run: &mut PlaybookRun| {
        check_owner_group(host, viewer, run)?;
        if run.is_finished() == finish {
            return Ok(());
        }
        if finish {
            run.current_status = status::FINISHED.to_owned();
            run.end_at = now;
        } else {
            run.current_status = status::IN_PROGRESS.to_owned();
            run.end_at = 0;
        }
        let e = event(
            run,
            event_id.clone(),
            now,
            kind,
            summary.into(),
            &viewer.user_id,
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    if !changed {
        return Ok(run);
    }
    if !run.playbook_id.is_empty()
        && let Err(e) =
            bump_playbook_counters(host, &run.playbook_id, 0, if finish { -1 } else { 1 }, None)
    {
        host.log(
            Level::Warn,
            &format!("updating active_runs of {}: {e}", run.playbook_id),
        );
    }
    if finish {
        status_updates::cancel_reminder(host, &run.id);
        retro::on_finished(host, &run);
    } else {
        retro::on_restored(host, &run);
    }
    if run.status_update_broadcast_webhooks_enabled && !run.webhook_on_status_update_urls.is_empty()
    {
        let body = webhook_payload(host, &run, kind, now, &viewer.user_id, json!({}));
        fire_webhooks(host, &run.webhook_on_status_update_urls, &body);
    }
    Ok(run)
}

/// Applies a checklist operation ([`super::checklist_ops`]) to run `id` as
/// `viewer`: on the fresh checklists inside the compare-and-set (so it is
/// repeated on a retry), refused on a finished run, with the operation's
/// timeline event appended. Returns the stored run and the change.
pub fn apply_checklist_op<H, F>(
    host: &H,
    viewer: &Viewer,
    id: &str,
    mut op: F,
) -> RunResult<(PlaybookRun, Change)>
where
    H: Host + ?Sized,
    F: FnMut(&mut Vec<Checklist>, &Actor<'_>, IdSource<'_>) -> Result<Change, OpError>,
{
    let now = host.now_ms();
    let event_id = new_id_from_host(host)?;
    let mut last_change = None;
    let (run, _) = edit_run(host, viewer, id, |run: &mut PlaybookRun| {
        check_open(run)?;
        let by = Actor {
            user_id: &viewer.user_id,
            now_ms: now,
        };
        let mut failed = None;
        let mut lists = run.checklists.clone();
        let change = {
            let mut ids = || {
                new_id_from_host(host).unwrap_or_else(|e| {
                    failed = Some(e);
                    String::new()
                })
            };
            op(&mut lists, &by, &mut ids).map_err(op_error)?
        };
        if let Some(e) = failed {
            return Err(e.into());
        }
        if change.changed {
            run.checklists = lists;
            if let Some(mut e) = change.timeline_event(&run.id, now) {
                e.id.clone_from(&event_id);
                run.timeline_events.push(e);
            }
        }
        last_change = Some(change);
        Ok::<(), RunError>(())
    })?;
    let change = last_change.ok_or_else(|| RunError::Conflict("no change computed".into()))?;
    Ok((run, change))
}

/// Checklist errors as run errors: unknown positions are 404s.
pub fn op_error(e: OpError) -> RunError {
    if e.is_not_found() {
        RunError::NotFound(e.to_string())
    } else {
        RunError::Invalid(e.into())
    }
}
