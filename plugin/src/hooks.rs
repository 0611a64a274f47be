//! One function per exported hook: the glue calls these, tests call them
//! with the fake host.

use crate::api::{
    ActionRequest, ActionResponse, CommandArgs, CommandResponse, DialogResponse, DialogSubmission,
    HttpRequest, HttpResponse,
};
use crate::channel_actions;
use crate::host::{Host, HostError, HostResult, Level, Post};
use crate::runs::{retro, status, task_actions};
use crate::{commands, digest, http, lifecycle, selfcheck};

pub fn activate<H: Host>(host: &H) -> HostResult<()> {
    lifecycle::activate(host)
}

pub fn deactivate<H: Host>(host: &H) {
    lifecycle::deactivate(host)
}

pub fn configuration_changed<H: Host>(host: &H, config: &str) -> HostResult<()> {
    lifecycle::configuration_changed(host, config)
}

pub fn execute_command<H: Host>(host: &H, args: &CommandArgs) -> HostResult<CommandResponse> {
    Ok(commands::execute(host, args))
}

/// New posts: the self-check's record, keyword prompts, task actions.
/// Each part fails alone (logged).
pub fn message_has_been_posted<H: Host>(host: &H, post: &Post) {
    if let Err(err) = selfcheck::on_post(host, post) {
        host.log(Level::Warn, &format!("message hook: {err}"));
    }
    if let Err(err) = channel_actions::prompt::on_post(host, post) {
        host.log(Level::Warn, &format!("keyword prompt: {err}"));
    }
    if let Err(err) = task_actions::on_post(host, post) {
        host.log(Level::Warn, &format!("task actions: {err}"));
    }
}

pub fn user_has_joined_channel<H: Host>(
    host: &H,
    channel_id: &str,
    user_id: &str,
    _actor_id: Option<&str>,
) {
    if let Err(err) = selfcheck::on_join(host, channel_id, user_id) {
        host.log(Level::Warn, &format!("join hook: {err}"));
    }
    if let Err(err) = channel_actions::prompt::on_join(host, channel_id, user_id) {
        host.log(Level::Warn, &format!("welcome message: {err}"));
    }
    if let Err(err) = crate::runs::channel_events::on_join(host, channel_id, user_id) {
        host.log(Level::Warn, &format!("run channel join: {err}"));
    }
}

pub fn serve_http<H: Host>(host: &H, request: &HttpRequest) -> HttpResponse {
    http::serve(host, request)
}

/// Buttons: each module answers for its own actions (`context.action`)
/// and returns `None` for the others.
pub fn post_action<H: Host>(host: &H, request: &ActionRequest) -> HostResult<ActionResponse> {
    if let Some(response) = status::on_action(host, request)? {
        return Ok(response);
    }
    if let Some(response) = retro::on_action(host, request)? {
        return Ok(response);
    }
    if let Some(response) = channel_actions::prompt::on_action(host, request)? {
        return Ok(response);
    }
    selfcheck::on_action(host, request)?
        .ok_or_else(|| HostError::InvalidInput("unknown action".into()))
}

pub fn dialog_submit<H: Host>(
    host: &H,
    submission: &DialogSubmission,
) -> HostResult<DialogResponse> {
    if let Some(response) = status::on_dialog(host, submission)? {
        return Ok(response);
    }
    if let Some(response) = commands::dialogs::on_dialog(host, submission)? {
        return Ok(response);
    }
    selfcheck::on_dialog(host, submission)?.ok_or_else(|| {
        HostError::InvalidInput(format!("unknown dialog {}", submission.callback_id))
    })
}

/// Jobs are keyed `<kind>/<id>`: `reminder/<run>` (status update due),
/// `retro/<run>` (retrospective reminder), `digest/daily|weekly`, or the
/// self-check's.
pub fn scheduled_job<H: Host>(host: &H, key: &str, payload: &str) {
    let outcome = if let Some(run_id) = key.strip_prefix(status::JOB_PREFIX) {
        status::fire_reminder(host, run_id)
            .map(|()| true)
            .map_err(|e| e.to_string())
    } else if let Some(run_id) = key.strip_prefix(retro::JOB_PREFIX) {
        retro::fire_reminder(host, run_id, payload)
            .map(|()| true)
            .map_err(|e| e.to_string())
    } else if key == crate::runs::name_index::JOB {
        crate::runs::name_index::on_job(host)
            .map(|()| true)
            .map_err(|e| e.to_string())
    } else if key == digest::DAILY_JOB || key == digest::WEEKLY_JOB {
        digest::fire(host, key)
            .map(|_| true)
            .map_err(|e| e.to_string())
    } else {
        selfcheck::on_job(host, key, payload).map_err(|e| e.to_string())
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => host.log(Level::Warn, &format!("unknown scheduled job {key}")),
        Err(err) => host.log(Level::Warn, &format!("scheduled job {key}: {err}")),
    }
}
