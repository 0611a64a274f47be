//! Status updates and their reminders (upstream's "status update" life
//! cycle, plus "never").
//!
//! - [`post_update`]: the user's `custom_run_update` post in the run
//!   channel, a bot copy in each broadcast channel (threaded: the first
//!   copy in a channel is the root of the later ones), a DM to followers,
//!   the status webhooks, and the next reminder (or none for "never",
//!   `reminder: 0`). Optionally finishes the run.
//! - Reminders are host scheduler jobs keyed `reminder/<run_id>`: durable,
//!   delivered at least once and posted once per due time (a done-marker,
//!   [`crate::jobs`]), and re-keyed on every update or snooze (scheduling
//!   the same key replaces the job).
//!   [`fire_reminder`] posts `@owner, please provide a status update` with
//!   an "Update status" button and a snooze menu ([`super::status_ui`]),
//!   stores `reminder_post_id` and DMs followers that the update is overdue.
//! - `status_update_due_at` (this project's field) says when the next
//!   update is due; the run is overdue past it ([`PlaybookRun::is_status_overdue`]).
//!
//! Better than upstream: a run whose playbook sets a default reminder gets
//! its first reminder from the start (upstream waits for a first update).

use serde_json::{Map, Value, json};

use super::lifecycle::{Stamp, check_open, edit_run, finish};
use super::model::{PlaybookRun, event_type};
use super::notify::{
    bot_post, dm, fire_webhooks, log_err, run_link, skipped_broadcasts, webhook_payload,
};
use super::status_ui;
use super::store::{RunError, RunResult, RunStore, Viewer};
use crate::host::{Host, Post};
use crate::playbooks::FieldError;

pub use super::status_ui::{on_action, on_dialog};

/// Scheduler key prefix of status-update reminders: `reminder/<run_id>`.
pub const JOB_PREFIX: &str = "reminder/";
/// Post type of a status update.
pub const POST_TYPE_UPDATE: &str = "custom_run_update";
/// Post type of the reminder ("please provide a status update").
pub const POST_TYPE_REMINDER: &str = "custom_update_status";
/// Post type of a request for an update.
pub const POST_TYPE_REQUEST: &str = "custom_status_update_requested";
/// Longest reminder interval accepted: one year.
pub const MAX_REMINDER_SECONDS: i64 = crate::limits::DURATION_SECONDS;
const MAX_MESSAGE_CHARS: usize = crate::limits::LONG_TEXT_CHARS;

/// What the user submits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusUpdate {
    pub message: String,
    /// Seconds until the next reminder; 0 = never remind.
    pub reminder_seconds: i64,
    pub finish_run: bool,
}

impl StatusUpdate {
    /// From upstream's body `{message, reminder (seconds), finish_run}`.
    /// `reminder` is required unless finishing: seconds, or 0 for never.
    pub fn from_json(body: &Map<String, Value>) -> Result<Self, FieldError> {
        let message = match body.get("message") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(_) => return Err(FieldError::new("message", "must be a string")),
        };
        let finish_run = match body.get("finish_run") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(FieldError::new("finish_run", "must be true or false")),
        };
        let reminder_seconds = match body.get("reminder") {
            None | Some(Value::Null) if finish_run => 0,
            None | Some(Value::Null) => {
                return Err(FieldError::new(
                    "reminder",
                    "is required: seconds until the next reminder, or 0 for never",
                ));
            }
            Some(v) => v.as_i64().ok_or_else(|| {
                FieldError::new("reminder", "must be a whole number of seconds (0 = never)")
            })?,
        };
        let update = StatusUpdate {
            message,
            reminder_seconds,
            finish_run,
        };
        update.validate()?;
        Ok(update)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if self.message.trim().is_empty() {
            return Err(FieldError::new("message", "must not be empty"));
        }
        if self.message.chars().count() > MAX_MESSAGE_CHARS {
            return Err(FieldError::new(
                "message",
                format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        validate_reminder("reminder", self.reminder_seconds)
    }
}

fn validate_reminder(field: &str, seconds: i64) -> Result<(), FieldError> {
    if !(0..=MAX_REMINDER_SECONDS).contains(&seconds) {
        return Err(FieldError::new(
            field,
            format!("must be between 0 (never) and {MAX_REMINDER_SECONDS} seconds"),
        ));
    }
    Ok(())
}

/// Posts a status update for run `run_id` as `viewer` (owner, participant
/// or system admin; the run must be in progress with status updates
/// enabled). Returns the stored run.
pub fn post_update<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    update: &StatusUpdate,
) -> RunResult<PlaybookRun> {
    update.validate()?;
    // Check before posting (and again in the compare-and-set below); an
    // unchanged run is not written, and the current one comes back.
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        can_update(run)
    })?;
    let stamp = Stamp::new(host, viewer)?;
    let now = stamp.now;
    let mut props = Map::new();
    props.insert("playbook_run_id".into(), json!(run.id));
    props.insert("run_name".into(), json!(run.name));
    props.insert("authorUsername".into(), json!(stamp.username));
    props.insert("numTasks".into(), json!(run.task_total));
    props.insert("numTasksChecked".into(), json!(run.task_completed));
    props.insert("participantIds".into(), json!(run.participant_ids));
    let post = host.create_post(Post {
        user_id: viewer.user_id.clone(),
        channel_id: run.channel_id.clone(),
        message: update.message.clone(),
        post_type: POST_TYPE_UPDATE.into(),
        props,
        ..Post::default()
    })?;
    let due_at = due_at(now, update.reminder_seconds);
    let mut old_reminder_post = String::new();
    let stored = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        can_update(run)?;
        run.status_posts.push(super::model::StatusPost {
            id: post.id.clone(),
            create_at: now,
            delete_at: 0,
        });
        run.last_status_update_at = now;
        run.previous_reminder = update.reminder_seconds.saturating_mul(1_000_000_000);
        run.status_update_due_at = due_at;
        old_reminder_post = std::mem::take(&mut run.reminder_post_id);
        let mut e = stamp.event(
            run,
            event_type::STATUS_UPDATED,
            format!("@{} posted a status update", stamp.username),
        );
        e.post_id.clone_from(&post.id);
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    });
    let mut run = match stored {
        Ok((run, _)) => run,
        Err(e) => {
            // The run changed under us (finished, disabled): take the post back.
            log_err(
                host,
                "removing the refused update",
                host.delete_post(&post.id),
            );
            return Err(e);
        }
    };
    if !old_reminder_post.is_empty() {
        log_err(
            host,
            "removing the reminder post",
            host.delete_post(&old_reminder_post),
        );
    }
    schedule(host, &run.id, due_at);
    broadcast(host, &mut run, &stamp, &update.message);
    let text = format!(
        "@{} posted a status update for {}:\n\n{}",
        stamp.username,
        run_link(&run),
        quote(&update.message)
    );
    for follower in run.followers.iter().filter(|f| **f != viewer.user_id) {
        dm(host, follower, bot_post("", &text));
    }
    if run.status_update_broadcast_webhooks_enabled && !run.webhook_on_status_update_urls.is_empty()
    {
        let body = webhook_payload(
            host,
            &run,
            event_type::STATUS_UPDATED,
            now,
            &viewer.user_id,
            json!({"message": update.message, "reminder": update.reminder_seconds}),
        );
        fire_webhooks(host, &run.webhook_on_status_update_urls, &body);
    }
    if update.finish_run {
        run = finish(host, viewer, run_id)?;
    }
    Ok(run)
}

fn can_update(run: &PlaybookRun) -> RunResult<()> {
    check_open(run)?;
    if !run.status_update_enabled {
        return Err(FieldError::new(
            "status_update_enabled",
            "status updates are disabled for this run",
        )
        .into());
    }
    Ok(())
}

/// Copies the update into the broadcast channels, each channel's copies in
/// one thread (the first copy is the root; its id is kept in
/// `broadcast_thread_ids`). Only into the channels the poster may post in
/// now ([`crate::authz`]): the others are skipped, and the poster told.
fn broadcast<H: Host + ?Sized>(host: &H, run: &mut PlaybookRun, by: &Stamp, message: &str) {
    if !run.status_update_broadcast_channels_enabled || run.broadcast_channel_ids.is_empty() {
        return;
    }
    let text = format!(
        "**Status update** for {} by @{}:\n\n{message}",
        run_link(run),
        by.username
    );
    let (allowed, refused) =
        crate::authz::split_postable(host, &by.user_id, &run.broadcast_channel_ids);
    skipped_broadcasts(host, &by.user_id, &run.channel_id, &refused, "broadcast");
    let mut new_roots = Vec::new();
    for channel_id in &allowed {
        let root = run.broadcast_thread_ids.get(channel_id).cloned();
        let mut post = bot_post(channel_id, &text);
        post.post_type = POST_TYPE_UPDATE.into();
        post.props
            .insert("playbook_run_id".into(), json!(run.id.clone()));
        post.root_id = root.clone().unwrap_or_default();
        match host.create_post(post) {
            Ok(p) if root.is_none() => new_roots.push((channel_id.clone(), p.id)),
            Ok(_) => {}
            Err(e) => log_err::<H, ()>(host, "broadcasting the update", Err(e)),
        }
    }
    if new_roots.is_empty() {
        return;
    }
    let stored = RunStore::new(host).update(&run.id, |r| {
        for (channel, root) in &new_roots {
            r.broadcast_thread_ids
                .entry(channel.clone())
                .or_insert_with(|| root.clone());
        }
        Ok::<(), RunError>(())
    });
    match stored {
        Ok(r) => run.broadcast_thread_ids = r.broadcast_thread_ids,
        Err(e) => host.log(
            crate::host::Level::Warn,
            &format!("saving broadcast threads: {e}"),
        ),
    }
}

/// Snoozes the reminder: the next one comes `seconds` from now.
pub fn snooze<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    seconds: i64,
) -> RunResult<PlaybookRun> {
    validate_reminder("new_reminder_seconds", seconds)?;
    if seconds == 0 {
        return Err(FieldError::new("new_reminder_seconds", "must be more than 0").into());
    }
    let stamp = Stamp::new(host, viewer)?;
    let mut old_reminder_post = String::new();
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        can_update(run)?;
        run.previous_reminder = seconds.saturating_mul(1_000_000_000);
        run.status_update_due_at = due_at(stamp.now, seconds);
        old_reminder_post = std::mem::take(&mut run.reminder_post_id);
        let e = stamp.event(
            run,
            event_type::STATUS_UPDATE_SNOOZED,
            format!(
                "@{} snoozed the status update for {}",
                stamp.username,
                status_ui::describe_interval(seconds)
            ),
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    if !old_reminder_post.is_empty() {
        log_err(
            host,
            "removing the reminder post",
            host.delete_post(&old_reminder_post),
        );
    }
    schedule(host, &run.id, run.status_update_due_at);
    Ok(run)
}

/// Any participant (or system admin) asks the owner for an update: a bot
/// post in the run channel and a `status_update_requested` event.
pub fn request_update<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
) -> RunResult<PlaybookRun> {
    let stamp = Stamp::new(host, viewer)?;
    let requester = &stamp.username;
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        can_update(run)?;
        let e = stamp.event(
            run,
            event_type::STATUS_UPDATE_REQUESTED,
            format!("@{requester} requested a status update"),
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    let owner = host.user(&run.owner_user_id)?.unwrap_or_default().username;
    let mut post = bot_post(
        &run.channel_id,
        &format!(
            "@{owner}, @{requester} requested a status update for {}.",
            run_link(&run)
        ),
    );
    post.post_type = POST_TYPE_REQUEST.into();
    post.props.insert("playbook_run_id".into(), json!(run.id));
    log_err(host, "posting the update request", host.create_post(post));
    Ok(run)
}

/// Turns status updates on or off (`status_updates_enabled` /
/// `status_updates_disabled`). Off cancels the pending reminder; on starts
/// one from now with the run's default interval, if it has one.
pub fn set_enabled<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    enabled: bool,
) -> RunResult<PlaybookRun> {
    let stamp = Stamp::new(host, viewer)?;
    let (run, changed) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        check_open(run)?;
        if run.status_update_enabled == enabled {
            return Ok(());
        }
        run.status_update_enabled = enabled;
        run.status_update_due_at = if enabled {
            due_at(stamp.now, run.reminder_timer_default_seconds)
        } else {
            0
        };
        let e = stamp.switch_event(
            run,
            enabled,
            (
                event_type::STATUS_UPDATES_ENABLED,
                event_type::STATUS_UPDATES_DISABLED,
            ),
            "status updates",
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    if changed {
        schedule(host, &run.id, run.status_update_due_at);
    }
    Ok(run)
}

/// Schedules the first reminder of a new run (its default interval).
pub fn schedule_first_reminder<H: Host + ?Sized>(host: &H, run: &PlaybookRun) {
    if run.status_update_enabled && run.status_update_due_at > 0 {
        schedule(host, &run.id, run.status_update_due_at);
    }
}

/// The `reminder/<run_id>` job fired: post the reminder if an update is
/// still due (a stale job for a run that was updated, finished or disabled
/// since does nothing; an early one is re-scheduled).
pub fn fire_reminder<H: Host + ?Sized>(host: &H, run_id: &str) -> RunResult<()> {
    let store = RunStore::new(host);
    let Some(run) = store.get_head(run_id)? else {
        return Ok(());
    };
    let now = host.now_ms();
    if run.is_finished() || !run.status_update_enabled || run.status_update_due_at == 0 {
        return Ok(());
    }
    if run.status_update_due_at > now {
        schedule(host, &run.id, run.status_update_due_at);
        return Ok(());
    }
    // At-least-once delivery: the reminder for this due time posts once.
    let job = format!("{JOB_PREFIX}{run_id}");
    let Some(claim) = crate::jobs::claim(host, &job, &run.status_update_due_at.to_string())? else {
        return Ok(());
    };
    let owner = host.user(&run.owner_user_id)?.unwrap_or_default().username;
    let post = match host.create_post(status_ui::reminder_post(&run, &owner)) {
        Ok(post) => post,
        Err(e) => {
            claim.release(host);
            return Err(e.into());
        }
    };
    claim.complete(host);
    let mut old_reminder_post = String::new();
    let updated = store.update_reporting(run_id, |r| {
        old_reminder_post = std::mem::replace(&mut r.reminder_post_id, post.id.clone());
        Ok::<(), RunError>(())
    })?;
    let run = &updated.after;
    if !old_reminder_post.is_empty() && old_reminder_post != post.id {
        log_err(
            host,
            "removing the old reminder post",
            host.delete_post(&old_reminder_post),
        );
    }
    let text = format!("The status update for {} is overdue.", run_link(run));
    for follower in &run.followers {
        dm(host, follower, bot_post("", &text));
    }
    super::notify::publish_update(host, &updated);
    Ok(())
}

/// The status updates of `run`, newest first, with their messages:
/// `[{id, create_at, delete_at, message, user_id, author_user_name}]`.
/// Posts deleted since are skipped.
pub fn status_updates<H: Host + ?Sized>(host: &H, run: &PlaybookRun) -> RunResult<Vec<Value>> {
    let mut out = Vec::new();
    for status_post in run.status_posts.iter().rev() {
        if status_post.delete_at != 0 {
            continue;
        }
        let Some(post) = host.post(&status_post.id)? else {
            continue;
        };
        let author = host.user(&post.user_id)?.unwrap_or_default().username;
        out.push(json!({
            "id": post.id,
            "create_at": status_post.create_at,
            "delete_at": 0,
            "message": post.message,
            "user_id": post.user_id,
            "author_user_name": author,
        }));
    }
    Ok(out)
}

/// Cancels the run's status reminder (best effort).
pub fn cancel_reminder<H: Host + ?Sized>(host: &H, run_id: &str) {
    log_err(
        host,
        "cancelling the status reminder",
        host.cancel_job(&format!("{JOB_PREFIX}{run_id}")),
    );
}

/// When an update is due `seconds` after `now` (0 = never).
pub fn due_at(now: i64, seconds: i64) -> i64 {
    if seconds > 0 {
        crate::limits::after_seconds(now, seconds)
    } else {
        0
    }
}

fn schedule<H: Host + ?Sized>(host: &H, run_id: &str, due_at: i64) {
    if due_at > 0 {
        log_err(
            host,
            "scheduling the status reminder",
            host.schedule_once(&format!("{JOB_PREFIX}{run_id}"), due_at, ""),
        );
    } else {
        cancel_reminder(host, run_id);
    }
}

/// `message` as a Markdown quote.
fn quote(message: &str) -> String {
    message.lines().map(|l| format!("> {l}\n")).collect()
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
