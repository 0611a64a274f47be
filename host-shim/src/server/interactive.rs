//! Interactive messages and dialogs:
//! `POST /api/v4/posts/{post_id}/actions/{action_id}` (a button or select
//! in a post's attachments), `POST /api/v4/actions/dialogs/open` and
//! `POST /api/v4/actions/dialogs/submit`.
//!
//! Integrations here are plugins only: an action's `integration.url` and a
//! dialog's `url` must be `/plugins/<plugin_id>/...` (relative, or absolute
//! on any host). Outgoing HTTP integrations are not supported.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::access;
use super::auth::Caller;
use super::extract::JsonBody;
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::Post;
use crate::runtime::HookError;
use crate::runtime::hooks;
use crate::services::{Broadcast, WsEvent};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v4/posts/{post_id}/actions/{action_id}",
            post(do_post_action),
        )
        .route("/api/v4/actions/dialogs/open", post(open_dialog))
        .route("/api/v4/actions/dialogs/submit", post(submit_dialog))
}

pub(super) use crate::services::integrity::plugin_of_url;

fn hook_failed(plugin_id: &str, err: &HookError) -> ApiError {
    let failed = ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "api.plugin.hook_failed.app_error",
        format!("The plugin {plugin_id} failed to handle the request."),
    );
    super::hook_errors::hook_error(plugin_id, err, failed)
}

fn plugin_not_running(plugin_id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "app.plugin.not_found.app_error",
        format!("Plugin {plugin_id} is not running."),
    )
}

/// An optional JSON body: empty means all defaults.
fn optional_json<T: DeserializeOwned + Default>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|e| {
        ApiError::new(
            e.status(),
            "api.context.invalid_body_param.app_error",
            format!("Invalid request body: {}", e.body_text()),
        )
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    go_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.context.invalid_body_param.app_error",
            format!("Invalid request body: {e}"),
        )
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PostActionRequest {
    selected_option: String,
    /// Mattermost's encrypted cookie for actions on ephemeral posts; not
    /// supported (ephemeral posts are not stored here).
    #[allow(dead_code)]
    cookie: String,
}

/// Finds the action with `action_id` in the post's attachments.
fn find_action<'a>(post: &'a Post, action_id: &str) -> Option<&'a Map<String, Value>> {
    post.props
        .get("attachments")?
        .as_array()?
        .iter()
        .filter_map(|a| a.get("actions")?.as_array())
        .flatten()
        .filter_map(Value::as_object)
        .find(|action| action.get("id").and_then(Value::as_str) == Some(action_id))
}

/// Props an integration may not change on a post it updates.
const PROTECTED_PROPS: &[&str] = &[
    "from_webhook",
    "from_bot",
    "from_plugin",
    "override_username",
    "override_icon_url",
];

async fn do_post_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((post_id, action_id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let request: PostActionRequest = optional_json(body)?;
    let post = state
        .services
        .chat
        .post(&post_id)?
        .filter(|p| p.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("post".into()))?;
    let channel = access::require_channel_read(&state.services, &caller, &post.channel_id)?;
    let action = find_action(&post, &action_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "api.post.do_action.action_id.app_error",
            "Invalid action id.",
        )
    })?;
    let integration = action.get("integration").and_then(Value::as_object);
    let url = integration
        .and_then(|i| i.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let plugin_id = plugin_of_url(url).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.post.do_action.action_integration.app_error",
            "Action integration error: outgoing HTTP integrations are not supported; the integration URL must be a plugin URL (/plugins/<plugin_id>/...).",
        )
    })?;
    // The context goes to the plugin as the plugin's own words: only an
    // action the plugin itself put on this very post is honoured, never one
    // a user or webhook wrote that merely names the plugin's URL.
    let integrity = &state.services.integrity;
    let legacy = post.props.get("from_plugin").and_then(Value::as_str) == Some("true")
        && post.create_at < integrity.signed_since_ms()?;
    if !legacy && !integrity.action_is_signed(&plugin_id, &post.id, action) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "api.post.do_action.action_integration.app_error",
            format!(
                "Action integration error: this action was not created by the plugin {plugin_id}."
            ),
        ));
    }
    if state.plugins.running(&plugin_id).is_none() {
        return Err(plugin_not_running(&plugin_id));
    }
    let mut context = match integration.and_then(|i| i.get("context")) {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    if !request.selected_option.is_empty() {
        context.insert(
            "selected_option".into(),
            Value::String(request.selected_option.clone()),
        );
    }
    let kind = match action.get("type").and_then(Value::as_str) {
        Some("select") => hooks::ActionKind::Select,
        _ => hooks::ActionKind::Button,
    };
    let trigger_id = state.services.triggers.issue(caller.id(), &plugin_id);
    let wit_request = hooks::ActionRequest {
        user_id: caller.id().to_string(),
        channel_id: channel.id.clone(),
        team_id: channel.team_id.clone(),
        post_id: post.id.clone(),
        trigger_id: trigger_id.clone(),
        kind,
        context: Value::Object(context).to_string(),
        selected_option: request.selected_option,
    };
    let outcome = state.plugins.post_action(&plugin_id, wit_request).await;
    let response = match outcome {
        None => return Err(plugin_not_running(&plugin_id)),
        Some(Err(err)) => return Err(hook_failed(&plugin_id, &err)),
        Some(Ok(Err(err))) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.post.do_action.action_integration.app_error",
                format!("Action integration error: {}", err.text()),
            ));
        }
        Some(Ok(Ok(response))) => response,
    };

    if let Some(update) = response.update {
        let mut changed = post.clone();
        if let Some(props) = update.props {
            changed.props = crate::runtime::parse_object(&props, "props").map_err(|err| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "api.post.do_action.action_integration.app_error",
                    format!("Action integration error: the updated post is invalid: {err}"),
                )
            })?;
        }
        if let Some(message) = update.message {
            changed.message = message;
        }
        if let Some(post_type) = update.post_type {
            changed.post_type = post_type;
        }
        for key in PROTECTED_PROPS {
            match post.props.get(*key) {
                Some(value) => changed.props.insert(key.to_string(), value.clone()),
                None => changed.props.remove(*key),
            };
        }
        state
            .services
            .integrity
            .sign_post_actions(&plugin_id, &mut changed)?;
        state.services.update_post(&changed)?;
    }
    if !response.ephemeral_text.is_empty() {
        let root_id = if post.root_id.is_empty() {
            post.id.clone()
        } else {
            post.root_id.clone()
        };
        state.services.send_ephemeral(
            caller.id(),
            Post {
                user_id: post.user_id.clone(),
                channel_id: post.channel_id.clone(),
                root_id,
                message: response.ephemeral_text,
                ..Default::default()
            },
        )?;
    }
    Ok(Json(json!({"status": "OK", "trigger_id": trigger_id})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OpenDialogRequest {
    trigger_id: String,
    url: String,
    dialog: Option<Map<String, Value>>,
}

async fn open_dialog(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<OpenDialogRequest>,
) -> Result<Json<Value>, ApiError> {
    if request.url.trim().is_empty() {
        return Err(AppError::Invalid("url: required".into()).into());
    }
    let Some(dialog) = request.dialog else {
        return Err(AppError::Invalid("dialog: required".into()).into());
    };
    let trigger = state
        .services
        .triggers
        .lookup(&request.trigger_id)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "interactive_message.decode_trigger_id.expired",
                "Invalid or expired trigger_id.",
            )
        })?;
    if trigger.user_id != caller.id() && !caller.is_admin() {
        return Err(access::forbidden());
    }
    // A dialog opened through the API carries no state the plugin could
    // trust: whatever the caller put there is dropped, and the (empty)
    // state is sealed for the trigger's user like a plugin-opened dialog's.
    let mut dialog = dialog;
    if let Some(plugin_id) = plugin_of_url(&request.url) {
        dialog.insert("state".into(), Value::String(String::new()));
        state
            .services
            .integrity
            .seal_dialog(&plugin_id, &trigger.user_id, &mut dialog)?;
    }
    let payload = json!({"trigger_id": request.trigger_id, "url": request.url, "dialog": dialog});
    let mut data = Map::new();
    data.insert("dialog".into(), Value::String(payload.to_string()));
    state.services.events.publish(WsEvent {
        event: "open_dialog".into(),
        data,
        broadcast: Broadcast {
            user_id: trigger.user_id,
            ..Default::default()
        },
    });
    Ok(Json(json!({"status": "OK"})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubmitDialogRequest {
    url: String,
    callback_id: String,
    state: String,
    /// Ignored: the submitter is the caller.
    #[allow(dead_code)]
    user_id: String,
    channel_id: String,
    team_id: String,
    submission: Map<String, Value>,
    cancelled: bool,
}

async fn submit_dialog(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<SubmitDialogRequest>,
) -> Result<Json<Value>, ApiError> {
    let plugin_id = plugin_of_url(&request.url).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.dialog.submit.url.app_error",
            "Dialog URL error: outgoing HTTP integrations are not supported; the dialog URL must be a plugin URL (/plugins/<plugin_id>/...).",
        )
    })?;
    let mut team_id = request.team_id.clone();
    if !request.channel_id.is_empty() {
        let channel = access::require_channel_read(&state.services, &caller, &request.channel_id)?;
        if !channel.team_id.is_empty() {
            team_id = channel.team_id;
        }
    } else if !team_id.is_empty() {
        access::require_team_member(&state.services, &caller, &team_id)?;
    }
    // The state comes back from the client: the plugin gets it only if the
    // host sealed it for this plugin, this user and this callback.
    let dialog_state = state
        .services
        .integrity
        .open_dialog_state(
            &plugin_id,
            caller.id(),
            &request.callback_id,
            &request.state,
        )
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.dialog.submit.state.app_error",
                "Invalid dialog state: submit the dialog with the state it was opened with.",
            )
        })?;
    if state.plugins.running(&plugin_id).is_none() {
        return Err(plugin_not_running(&plugin_id));
    }
    let submission = hooks::DialogSubmission {
        callback_id: request.callback_id,
        state: dialog_state,
        user_id: caller.id().to_string(),
        channel_id: request.channel_id,
        team_id,
        submission: Value::Object(request.submission).to_string(),
        cancelled: request.cancelled,
    };
    let outcome = state.plugins.dialog_submit(&plugin_id, submission).await;
    let response = match outcome {
        None => return Err(plugin_not_running(&plugin_id)),
        Some(Err(err)) => return Err(hook_failed(&plugin_id, &err)),
        Some(Ok(Err(err))) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.dialog.submit.integration.app_error",
                format!("Dialog integration error: {}", err.text()),
            ));
        }
        Some(Ok(Ok(response))) => response,
    };
    let mut body = Map::new();
    if !response.error.is_empty() {
        body.insert("error".into(), Value::String(response.error));
    }
    if !response.errors.is_empty() {
        let errors: Map<String, Value> = response
            .errors
            .into_iter()
            .map(|(field, msg)| (field, Value::String(msg)))
            .collect();
        body.insert("errors".into(), Value::Object(errors));
    }
    Ok(Json(Value::Object(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_urls_name_their_plugin() {
        assert_eq!(
            plugin_of_url("/plugins/playbooks/action").as_deref(),
            Some("playbooks")
        );
        assert_eq!(
            plugin_of_url("https://chat.example.com/plugins/playbooks/dialog?x=1").as_deref(),
            Some("playbooks")
        );
        assert_eq!(
            plugin_of_url("/plugins/playbooks").as_deref(),
            Some("playbooks")
        );
        assert_eq!(plugin_of_url("https://hooks.example.com/action"), None);
        assert_eq!(plugin_of_url("/plugins/"), None);
        assert_eq!(plugin_of_url("ftp://x/plugins/a/b"), None);
        assert_eq!(plugin_of_url(""), None);
    }
}
