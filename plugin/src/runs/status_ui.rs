//! The chat side of status updates: the update dialog (from the reminder's
//! button, and `/playbook update`), the reminder post with its snooze
//! menu, and their handlers.

use serde_json::{Value, json};

use super::model::PlaybookRun;
use super::notify::run_link;
use super::status::{POST_TYPE_REMINDER, StatusUpdate, post_update, snooze};
use super::store::{RunError, RunStore, Viewer};
use crate::api::{ActionRequest, ActionResponse, DialogResponse, DialogSubmission};
use crate::host::{Host, HostError, HostResult, Post};

/// `callback_id` of the status update dialog (its `state` is the run id).
pub const DIALOG_CALLBACK: &str = "playbooks_status_update";
/// Button of the reminder post: opens the dialog.
pub const ACTION_UPDATE: &str = "playbooks_update_status";
/// Select of the reminder post: snooze for the selected seconds.
pub const ACTION_SNOOZE: &str = "playbooks_snooze";
const ACTION_URL: &str = "/plugins/playbooks/action";
const DIALOG_URL: &str = "/plugins/playbooks/dialog";

/// The reminder intervals offered (seconds, label); 0 is "never", this
/// project's addition.
pub const REMINDER_CHOICES: [(i64, &str); 7] = [
    (900, "15 minutes"),
    (1800, "30 minutes"),
    (3600, "1 hour"),
    (14_400, "4 hours"),
    (86_400, "1 day"),
    (604_800, "1 week"),
    (0, "Never"),
];

/// "1 hour", "90 minutes", "2 days"…
pub fn describe_interval(seconds: i64) -> String {
    if let Some((_, label)) = REMINDER_CHOICES.iter().find(|(s, _)| *s == seconds) {
        return label.to_lowercase();
    }
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// The bot's "please provide a status update" post, with the update button
/// and the snooze menu.
pub fn reminder_post(run: &PlaybookRun, owner_username: &str) -> Post {
    let context = |action: &str| json!({"action": action, "run_id": run.id});
    let snooze_options: Vec<Value> = REMINDER_CHOICES
        .iter()
        .filter(|(s, _)| *s > 0)
        .map(|(s, label)| json!({"text": label, "value": s.to_string()}))
        .collect();
    let mut post = Post {
        channel_id: run.channel_id.clone(),
        message: format!(
            "@{owner_username}, please provide a status update for {}.",
            run_link(run)
        ),
        post_type: POST_TYPE_REMINDER.into(),
        ..Post::default()
    };
    post.props.insert("playbook_run_id".into(), json!(run.id));
    post.props
        .insert("targetUsername".into(), json!(owner_username));
    post.props.insert(
        "attachments".into(),
        json!([{
            "actions": [
                {"id": "updatestatus", "name": "Update status", "type": "button", "style": "primary",
                 "integration": {"url": ACTION_URL, "context": context(ACTION_UPDATE)}},
                {"id": "snooze", "name": "Snooze for…", "type": "select", "options": snooze_options,
                 "integration": {"url": ACTION_URL, "context": context(ACTION_SNOOZE)}},
            ]
        }]),
    );
    post
}

/// The status update dialog for `run`, pre-filled with the last update (or
/// the run's template) and its default reminder.
pub fn update_dialog(run: &PlaybookRun, last_message: Option<&str>) -> Value {
    let default_reminder = if run.previous_reminder > 0 {
        run.previous_reminder / 1_000_000_000
    } else {
        run.reminder_timer_default_seconds.max(0)
    };
    let mut options: Vec<Value> = REMINDER_CHOICES
        .iter()
        .map(|(s, label)| json!({"text": label, "value": s.to_string()}))
        .collect();
    if !REMINDER_CHOICES.iter().any(|(s, _)| *s == default_reminder) {
        options.insert(
            0,
            json!({"text": describe_interval(default_reminder), "value": default_reminder.to_string()}),
        );
    }
    json!({
        "url": DIALOG_URL,
        "callback_id": DIALOG_CALLBACK,
        "state": run.id,
        "title": "Post update",
        "introduction_text": format!("Update for {}", run_link(run)),
        "submit_label": "Post",
        "elements": [
            {"display_name": "Change since last update", "name": "message", "type": "textarea",
             "default": last_message.unwrap_or(&run.reminder_message_template), "max_length": 16000},
            {"display_name": "Timer for next update", "name": "reminder", "type": "select",
             "options": options, "default": default_reminder.to_string()},
            {"display_name": "Finish run", "name": "finish_run", "type": "bool", "optional": true,
             "placeholder": "Also mark the run as finished"},
        ],
    })
}

/// Opens the update dialog for `run_id` (the user must be able to update).
pub fn open_update_dialog<H: Host + ?Sized>(
    host: &H,
    trigger_id: &str,
    run_id: &str,
) -> Result<(), RunError> {
    let run = RunStore::new(host)
        .get(run_id)?
        .ok_or_else(super::store::run_not_found)?;
    let last = super::status::status_updates(host, &run)?;
    let last_message = last
        .first()
        .and_then(|u| u["message"].as_str())
        .map(str::to_owned);
    host.open_dialog(trigger_id, &update_dialog(&run, last_message.as_deref()))?;
    Ok(())
}

/// The reminder post's button and snooze menu.
pub fn on_action<H: Host + ?Sized>(
    host: &H,
    request: &ActionRequest,
) -> HostResult<Option<ActionResponse>> {
    let action = request.context.get("action").and_then(Value::as_str);
    if action != Some(ACTION_UPDATE) && action != Some(ACTION_SNOOZE) {
        return Ok(None);
    }
    let run_id = request
        .context
        .get("run_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let viewer = Viewer::load(host, &request.user_id).map_err(to_host)?;
    let outcome = if action == Some(ACTION_UPDATE) {
        // Check the right to update before showing the dialog.
        super::lifecycle::edit_run(host, &viewer, run_id, |_: &mut PlaybookRun| {
            Ok::<(), RunError>(())
        })
        .and_then(|_| open_update_dialog(host, &request.trigger_id, run_id))
        .map(|()| String::new())
    } else {
        let selected = if request.selected_option.is_empty() {
            request
                .context
                .get("selected_option")
                .and_then(Value::as_str)
                .unwrap_or_default()
        } else {
            request.selected_option.as_str()
        };
        match selected.parse::<i64>() {
            Ok(seconds) => snooze(host, &viewer, run_id, seconds).map(|_| {
                format!(
                    "The reminder is snoozed for {}.",
                    describe_interval(seconds)
                )
            }),
            Err(_) => Ok(format!("{selected:?} is not a snooze interval.")),
        }
    };
    Ok(Some(ActionResponse {
        update: None,
        ephemeral_text: outcome.unwrap_or_else(|e| e.to_string()),
    }))
}

/// The status update dialog's submission: field errors go back to the
/// dialog; other failures are the dialog's general error.
pub fn on_dialog<H: Host + ?Sized>(
    host: &H,
    submission: &DialogSubmission,
) -> HostResult<Option<DialogResponse>> {
    if submission.callback_id != DIALOG_CALLBACK || submission.cancelled {
        return Ok((submission.callback_id == DIALOG_CALLBACK).then(DialogResponse::default));
    }
    let field = |name: &str| submission.submission.get(name);
    let message = field("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let reminder = match field("reminder") {
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        Some(v) => v.as_i64(),
        None => Some(0),
    };
    let finish_run = match field("finish_run") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    let Some(reminder_seconds) = reminder else {
        return Ok(Some(field_error("reminder", "Pick a reminder interval.")));
    };
    let update = StatusUpdate {
        message,
        reminder_seconds,
        finish_run,
    };
    if let Err(e) = update.validate() {
        return Ok(Some(field_error(&e.field, &e.message)));
    }
    let viewer = Viewer::load(host, &submission.user_id).map_err(to_host)?;
    Ok(Some(
        match post_update(host, &viewer, &submission.state, &update) {
            Ok(_) => DialogResponse::default(),
            Err(RunError::Invalid(e)) if e.field == "message" || e.field == "reminder" => {
                field_error(&e.field, &e.message)
            }
            Err(e) => DialogResponse {
                error: e.to_string(),
                ..DialogResponse::default()
            },
        },
    ))
}

fn field_error(field: &str, message: &str) -> DialogResponse {
    DialogResponse {
        errors: vec![(field.to_owned(), message.to_owned())],
        ..DialogResponse::default()
    }
}

fn to_host(e: RunError) -> HostError {
    match e {
        RunError::Host(e) => e,
        e => HostError::Other(e.to_string()),
    }
}
