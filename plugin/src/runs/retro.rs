//! Retrospectives: the draft and its metric values, publishing (a bot post
//! with the report), canceling ("No retrospective"), and the reminders that
//! repeat until one of those happens.
//!
//! - Finishing a run with the retrospective enabled posts
//!   `@channel Reminder to fill out the retrospective.` (type
//!   `custom_retro_rem`, with a "No Retrospective" button) and, when the
//!   playbook sets an interval, schedules `retro/<run_id>` to repeat it.
//!   Restoring the run, publishing or canceling stops it.
//! - Edits are allowed on finished runs (that is when retrospectives are
//!   written); they need the usual edit rights (owner, participants,
//!   system admins).

use serde_json::{Value, json};

use super::lifecycle::{Stamp, edit_run};
use super::model::{PlaybookRun, RunMetricData, event_type};
use super::notify::{bot_post, log_err, run_link};
use super::store::{RunError, RunResult, RunStore, Viewer};
use crate::api::{ActionRequest, ActionResponse};
use crate::host::{Host, HostError, HostResult, Post};
use crate::playbooks::FieldError;
use crate::playbooks::model::{MetricConfig, metric_type};
use crate::playbooks::store::PlaybookStore;

/// Scheduler key prefix of retrospective reminders: `retro/<run_id>`.
pub const JOB_PREFIX: &str = "retro/";
pub const ACTION_NO_RETRO: &str = "playbooks_no_retrospective";
pub const POST_TYPE_REMINDER: &str = "custom_retro_rem";
pub const POST_TYPE_REPORT: &str = "custom_retro";
pub const CANCELED_TEXT: &str = "No retrospective for this run.";
const MAX_TEXT_CHARS: usize = 65_000;

fn job_key(run_id: &str) -> String {
    format!("{JOB_PREFIX}{run_id}")
}

/// Whether reminders are still owed.
fn pending(run: &PlaybookRun) -> bool {
    run.is_finished() && run.retrospective_enabled && run.retrospective_published_at == 0
}

/// The draft and metric values a user submits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub text: Option<String>,
    pub metrics: Vec<RunMetricData>,
}

impl Draft {
    /// From `{retrospective, metrics: [{metric_config_id, value}]}`.
    pub fn from_json(body: &serde_json::Map<String, Value>) -> Result<Self, FieldError> {
        let text = match body.get("retrospective") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() <= MAX_TEXT_CHARS => Some(s.clone()),
            Some(Value::String(_)) => {
                return Err(FieldError::new(
                    "retrospective",
                    format!("must be at most {MAX_TEXT_CHARS} characters"),
                ));
            }
            Some(_) => return Err(FieldError::new("retrospective", "must be a string")),
        };
        let mut metrics = Vec::new();
        match body.get("metrics") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, m) in items.iter().enumerate() {
                    let id = m
                        .get("metric_config_id")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| {
                            FieldError::new(format!("metrics[{i}].metric_config_id"), "is required")
                        })?;
                    let value = match m.get("value") {
                        None | Some(Value::Null) => None,
                        Some(v) => match v.as_i64() {
                            Some(n) if n >= 0 => Some(n),
                            _ => {
                                return Err(FieldError::new(
                                    format!("metrics[{i}].value"),
                                    "must be a whole number, 0 or more (or null)",
                                ));
                            }
                        },
                    };
                    metrics.push(RunMetricData {
                        metric_config_id: id.to_owned(),
                        value,
                    });
                }
            }
            Some(_) => return Err(FieldError::new("metrics", "must be a list")),
        }
        Ok(Draft { text, metrics })
    }
}

/// The source playbook's metric configs (none for standalone runs).
fn metric_configs<H: Host + ?Sized>(host: &H, run: &PlaybookRun) -> RunResult<Vec<MetricConfig>> {
    if run.playbook_id.is_empty() {
        return Ok(Vec::new());
    }
    Ok(PlaybookStore::new(host)
        .get(&run.playbook_id)?
        .map(|pb| pb.metrics)
        .unwrap_or_default())
}

/// Saves the draft: text and metric values (each must be one of the
/// playbook's metrics). Returns the stored run.
pub fn save<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    draft: &Draft,
) -> RunResult<PlaybookRun> {
    let run = RunStore::new(host)
        .get_head(run_id)?
        .ok_or_else(super::store::run_not_found)?;
    let configs = metric_configs(host, &run)?;
    for (i, m) in draft.metrics.iter().enumerate() {
        if !configs.iter().any(|c| c.id == m.metric_config_id) {
            return Err(FieldError::new(
                format!("metrics[{i}].metric_config_id"),
                format!(
                    "{:?} is not a metric of this run's playbook",
                    m.metric_config_id
                ),
            )
            .into());
        }
    }
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        check_enabled(run)?;
        if let Some(text) = &draft.text {
            run.retrospective.clone_from(text);
        }
        for m in &draft.metrics {
            match run
                .metrics_data
                .iter_mut()
                .find(|d| d.metric_config_id == m.metric_config_id)
            {
                Some(existing) => existing.value = m.value,
                None => run.metrics_data.push(m.clone()),
            }
        }
        Ok::<(), RunError>(())
    })?;
    Ok(run)
}

fn check_enabled(run: &PlaybookRun) -> RunResult<()> {
    if !run.retrospective_enabled {
        return Err(FieldError::new(
            "retrospective_enabled",
            "the retrospective is disabled for this run",
        )
        .into());
    }
    Ok(())
}

/// Saves the draft, then publishes it: `retrospective_published_at`,
/// timeline `published_retrospective`, the report posted by the bot in the
/// run channel, reminders stopped. Publishing again republishes.
pub fn publish<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    draft: &Draft,
) -> RunResult<PlaybookRun> {
    save(host, viewer, run_id, draft)?;
    let stamp = Stamp::new(host, viewer)?;
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        check_enabled(run)?;
        if run.retrospective.trim().is_empty() {
            return Err(
                FieldError::new("retrospective", "write something before publishing").into(),
            );
        }
        run.retrospective_published_at = stamp.now;
        run.retrospective_was_canceled = false;
        let e = stamp.event(
            run,
            event_type::PUBLISHED_RETROSPECTIVE,
            format!("@{} published the retrospective", stamp.username),
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    cancel_job(host, &run.id);
    let configs = metric_configs(host, &run)?;
    let mut post = bot_post(
        &run.channel_id,
        &report_message(&run, &stamp.username, &configs),
    );
    post.post_type = POST_TYPE_REPORT.into();
    post.props.insert("playbook_run_id".into(), json!(run.id));
    log_err(host, "posting the retrospective", host.create_post(post));
    Ok(run)
}

/// The bot's retrospective post: who published, metrics, the text.
pub fn report_message(run: &PlaybookRun, username: &str, configs: &[MetricConfig]) -> String {
    let mut out = format!(
        "@{username} published the retrospective for {}.\n",
        run_link(run)
    );
    let lines: Vec<String> = configs
        .iter()
        .map(|c| {
            let value = run
                .metrics_data
                .iter()
                .find(|d| d.metric_config_id == c.id)
                .and_then(|d| d.value);
            let shown = value.map_or("—".to_owned(), |v| format_metric(&c.kind, v));
            match c.target {
                Some(t) => format!(
                    "- **{}**: {shown} (target {})",
                    c.title,
                    format_metric(&c.kind, t)
                ),
                None => format!("- **{}**: {shown}", c.title),
            }
        })
        .collect();
    if !lines.is_empty() {
        out.push_str("\n#### Metrics\n");
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    out.push_str("\n#### Retrospective\n");
    out.push_str(&run.retrospective);
    out
}

/// A metric value as people read it: durations (ms) as `1h 30m`.
pub fn format_metric(kind: &str, value: i64) -> String {
    match kind {
        metric_type::DURATION => crate::timefmt::duration(value),
        _ => value.to_string(),
    }
}

/// "No retrospective": text [`CANCELED_TEXT`], `retrospective_was_canceled`,
/// timeline `canceled_retrospective`, reminders stopped.
pub fn cancel<H: Host + ?Sized>(host: &H, viewer: &Viewer, run_id: &str) -> RunResult<PlaybookRun> {
    let stamp = Stamp::new(host, viewer)?;
    let (run, _) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        check_enabled(run)?;
        if run.retrospective_was_canceled {
            return Ok(());
        }
        CANCELED_TEXT.clone_into(&mut run.retrospective);
        run.retrospective_was_canceled = true;
        run.retrospective_published_at = stamp.now;
        let e = stamp.event(
            run,
            event_type::CANCELED_RETROSPECTIVE,
            format!("@{} canceled the retrospective", stamp.username),
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    cancel_job(host, &run.id);
    Ok(run)
}

/// Turns the retrospective on or off for a run (timeline
/// `retrospective_enabled` / `retrospective_disabled`); off stops reminders.
pub fn set_enabled<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    run_id: &str,
    enabled: bool,
) -> RunResult<PlaybookRun> {
    let stamp = Stamp::new(host, viewer)?;
    let (run, changed) = edit_run(host, viewer, run_id, |run: &mut PlaybookRun| {
        if run.retrospective_enabled == enabled {
            return Ok(());
        }
        run.retrospective_enabled = enabled;
        let e = stamp.switch_event(
            run,
            enabled,
            (
                event_type::RETROSPECTIVE_ENABLED,
                event_type::RETROSPECTIVE_DISABLED,
            ),
            "the retrospective",
        );
        run.timeline_events.push(e);
        Ok::<(), RunError>(())
    })?;
    if changed && !enabled {
        cancel_job(host, &run.id);
    }
    Ok(run)
}

/// After a finish: the first reminder now, the next ones on the scheduler.
pub fn on_finished<H: Host + ?Sized>(host: &H, run: &PlaybookRun) {
    if pending(run) {
        remind(host, run);
    }
}

/// After a restore: no more reminders.
pub fn on_restored<H: Host + ?Sized>(host: &H, run: &PlaybookRun) {
    cancel_job(host, &run.id);
}

/// The `retro/<run_id>` job: remind again if still owed (never for a run
/// restored, published or canceled since). `payload` is the time the job
/// was scheduled for: a redelivery of the same job reminds once
/// ([`crate::jobs`]).
pub fn fire_reminder<H: Host + ?Sized>(host: &H, run_id: &str, payload: &str) -> RunResult<()> {
    if let Some(run) = RunStore::new(host).get_head(run_id)?
        && pending(&run)
        && let Some(claim) = crate::jobs::claim(host, &job_key(run_id), payload)?
    {
        remind(host, &run);
        claim.complete(host);
    }
    Ok(())
}

fn remind<H: Host + ?Sized>(host: &H, run: &PlaybookRun) {
    let mut post = bot_post(
        &run.channel_id,
        &format!(
            "@channel Reminder to fill out the retrospective for {}.",
            run_link(run)
        ),
    );
    post.post_type = POST_TYPE_REMINDER.into();
    post.props.insert("playbook_run_id".into(), json!(run.id));
    post.props.insert(
        "attachments".into(),
        json!([{"actions": [{"id": "noretrospective", "name": "No Retrospective", "type": "button",
            "integration": {"url": "/plugins/playbooks/action",
                            "context": {"action": ACTION_NO_RETRO, "run_id": run.id}}}]}]),
    );
    log_err(
        host,
        "posting the retrospective reminder",
        host.create_post(post),
    );
    if run.retrospective_reminder_interval_seconds > 0 {
        let at = crate::limits::after_seconds(
            host.now_ms(),
            run.retrospective_reminder_interval_seconds,
        );
        log_err(
            host,
            "scheduling the retrospective reminder",
            host.schedule_once(&job_key(&run.id), at, &at.to_string()),
        );
    }
}

fn cancel_job<H: Host + ?Sized>(host: &H, run_id: &str) {
    log_err(
        host,
        "cancelling the retrospective reminder",
        host.cancel_job(&job_key(run_id)),
    );
}

/// The reminder's "No Retrospective" button; `None` for other actions.
pub fn on_action<H: Host + ?Sized>(
    host: &H,
    request: &ActionRequest,
) -> HostResult<Option<ActionResponse>> {
    if request.context.get("action").and_then(Value::as_str) != Some(ACTION_NO_RETRO) {
        return Ok(None);
    }
    let run_id = request
        .context
        .get("run_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let viewer =
        Viewer::load(host, &request.user_id).map_err(|e| HostError::Other(e.to_string()))?;
    match cancel(host, &viewer, run_id) {
        Ok(_) => {
            let username = host.user(&request.user_id)?.unwrap_or_default().username;
            let update = host.post(&request.post_id)?.map(|mut post: Post| {
                post.message = format!("Retrospective canceled by @{username}.");
                post.props.remove("attachments");
                post
            });
            Ok(Some(ActionResponse {
                update,
                ephemeral_text: String::new(),
            }))
        }
        Err(e) => Ok(Some(ActionResponse {
            update: None,
            ephemeral_text: e.to_string(),
        })),
    }
}

#[cfg(test)]
#[path = "retro_tests.rs"]
mod tests;
