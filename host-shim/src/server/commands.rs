//! Slash commands: `POST /api/v4/commands/execute` and
//! `GET /api/v4/teams/{team_id}/commands/autocomplete_suggestions`.
//!
//! Built-in commands run in the services layer; any other trigger goes to
//! the running plugin that registered it (its `execute-command` hook). The
//! response is shown as Mattermost does (an `in_channel` post by the user,
//! or an ephemeral post) and returned as the `CommandResponse`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::access;
use super::auth::Caller;
use super::extract::{JsonBody, QueryParams};
use super::hook_errors::hook_error;
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::CommandRegistration;
use crate::runtime::HookError;
use crate::runtime::hooks;
use crate::services::autocomplete::{self, Suggestion};
use crate::services::commands::{self, CommandContext, CommandResponse};
use crate::services::{MAX_POST_MESSAGE_CHARS, Services};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/commands/execute", post(execute))
        .route(
            "/api/v4/teams/{team_id}/commands/autocomplete_suggestions",
            get(autocomplete_suggestions),
        )
}

/// Mattermost `CommandArgs` as a client sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ExecuteRequest {
    channel_id: String,
    team_id: String,
    root_id: String,
    parent_id: String,
    command: String,
}

fn not_found(trigger: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "api.command.execute_command.not_found.app_error",
        format!(
            "Command with a trigger of '/{trigger}' not found. To send a message beginning with \"/\", try adding an empty space at the beginning of the message."
        ),
    )
}

fn failed(trigger: &str) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "api.command.execute_command.failed.app_error",
        format!("Command with a trigger of '/{trigger}' failed."),
    )
}

/// The registration of a plugin command that can run now: registered, not
/// a built-in trigger, and its plugin running.
fn runnable_plugin_command(
    state: &AppState,
    trigger: &str,
) -> Result<Option<CommandRegistration>, ApiError> {
    if commands::is_builtin(trigger) {
        return Ok(None);
    }
    Ok(state
        .services
        .chat
        .command(trigger)?
        .filter(|reg| state.plugins.running(&reg.plugin_id).is_some()))
}

async fn execute(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ExecuteRequest>,
) -> Result<Json<CommandResponse>, ApiError> {
    let Some((trigger, rest)) = commands::split_command(&body.command) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.command.execute_command.start.app_error",
            "No command trigger found.",
        ));
    };
    if body.command.chars().count() > MAX_POST_MESSAGE_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.command.execute_command.length.app_error",
            format!("The command is longer than {MAX_POST_MESSAGE_CHARS} characters."),
        ));
    }
    if body.channel_id.is_empty() {
        return Err(AppError::Invalid("channel_id: required".into()).into());
    }
    let channel = access::require_channel_member(&state.services, &caller, &body.channel_id)?;
    if channel.delete_at != 0 {
        return Err(AppError::Invalid("channel_id: the channel is archived".into()).into());
    }
    let team_id = if channel.team_id.is_empty() {
        body.team_id.clone()
    } else {
        channel.team_id.clone()
    };
    let root_id = if body.root_id.is_empty() {
        body.parent_id.clone()
    } else {
        body.root_id.clone()
    };
    let ctx = CommandContext {
        user: caller.user.clone(),
        channel,
        team_id,
        root_id,
    };

    if let Some(response) = state.services.execute_builtin(&ctx, &trigger, &rest)? {
        state
            .services
            .apply_command_response(&ctx, &response, caller.id())?;
        return Ok(Json(response));
    }

    let Some(registration) = runnable_plugin_command(&state, &trigger)? else {
        return Err(not_found(&trigger));
    };
    let plugin_id = registration.plugin_id;
    // Issued here so the response can hand it back: the client needs it to
    // match the `open_dialog` event the plugin may cause.
    let trigger_id = state.services.triggers.issue(caller.id(), &plugin_id);
    let args = hooks::CommandArgs {
        user_id: caller.id().to_string(),
        channel_id: ctx.channel.id.clone(),
        team_id: ctx.team_id.clone(),
        root_id: ctx.root_id.clone(),
        command: body.command.clone(),
        trigger_id: trigger_id.clone(),
    };
    let outcome = state.plugins.execute_command(&plugin_id, args).await;
    let mut response = match outcome {
        None => return Err(not_found(&trigger)),
        Some(Err(err)) => {
            log_hook_failure(&plugin_id, &trigger, &err);
            return Err(hook_error(&plugin_id, &err, failed(&trigger)));
        }
        Some(Ok(Err(err))) => CommandResponse::ephemeral(err.text()),
        Some(Ok(Ok(wit))) => response_from_wit(&plugin_id, wit),
    };
    response.trigger_id = trigger_id;
    let author = plugin_bot_or(&state.services, &plugin_id, caller.id());
    state
        .services
        .apply_command_response(&ctx, &response, &author)?;
    Ok(Json(response))
}

fn log_hook_failure(plugin_id: &str, trigger: &str, err: &HookError) {
    tracing::warn!(plugin = plugin_id, trigger, %err, "slash command failed");
}

/// The plugin's bot, or `fallback` when it has none.
pub(crate) fn plugin_bot_or(services: &Services, plugin_id: &str, fallback: &str) -> String {
    match services.chat.plugin_bot(plugin_id) {
        Ok(Some(bot)) => bot,
        Ok(None) => fallback.to_string(),
        Err(err) => {
            tracing::warn!(plugin = plugin_id, %err, "cannot read the plugin's bot");
            fallback.to_string()
        }
    }
}

/// A plugin's `command-response`; malformed `props` or `attachments` are
/// dropped (and logged) rather than failing the command.
pub(crate) fn response_from_wit(plugin_id: &str, wit: hooks::CommandResponse) -> CommandResponse {
    let props = match crate::runtime::parse_object(&wit.props, "props") {
        Ok(props) => props,
        Err(err) => {
            tracing::warn!(plugin = plugin_id, ?err, "command response props ignored");
            Default::default()
        }
    };
    let attachments = if wit.attachments.trim().is_empty() {
        Vec::new()
    } else {
        match serde_json::from_str::<Value>(&wit.attachments) {
            Ok(Value::Array(items)) => items,
            Ok(Value::Null) => Vec::new(),
            _ => {
                tracing::warn!(
                    plugin = plugin_id,
                    "command response attachments are not a JSON array; ignored"
                );
                Vec::new()
            }
        }
    };
    let response_type = match wit.response_type {
        hooks::ResponseType::InChannel => commands::RESPONSE_IN_CHANNEL,
        hooks::ResponseType::Ephemeral => commands::RESPONSE_EPHEMERAL,
    };
    CommandResponse {
        response_type: response_type.into(),
        text: wit.text,
        username: wit.username,
        icon_url: wit.icon_url,
        post_type: wit.post_type,
        props,
        goto_location: wit.goto_location,
        trigger_id: String::new(),
        attachments,
        extra_responses: Vec::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SuggestionsQuery {
    user_input: String,
    channel_id: String,
    root_id: String,
}

async fn autocomplete_suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    QueryParams(q): QueryParams<SuggestionsQuery>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    if q.user_input.is_empty() {
        return Err(AppError::Invalid("user_input: required".into()).into());
    }
    if !q.channel_id.is_empty() {
        access::require_channel_read(&state.services, &caller, &q.channel_id)?;
    }
    let registered: Vec<CommandRegistration> = state
        .services
        .chat
        .commands()?
        .into_iter()
        .filter(|reg| state.plugins.running(&reg.plugin_id).is_some())
        .collect();
    let tree = autocomplete::command_tree(&registered);
    let found = autocomplete::candidates(&tree, &q.user_input, &caller.user);
    let ctx = super::autocomplete_fetch::Context {
        user_id: caller.id(),
        user_input: &q.user_input,
        channel_id: &q.channel_id,
        root_id: &q.root_id,
        team_id: &team_id,
    };
    Ok(Json(
        super::autocomplete_fetch::resolve(&state, &ctx, found).await,
    ))
}
