//! Plain-Rust shapes of the hook arguments and answers ([`crate::wit`]
//! converts the WIT records into these).

use serde_json::{Value, json};

use crate::host::Post;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommandArgs {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub root_id: String,
    pub command: String,
    pub trigger_id: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommandResponse {
    /// "ephemeral" or "in_channel".
    pub response_type: String,
    pub text: String,
    /// Slack-style attachments (a JSON array), or `Value::Null`.
    pub attachments: Value,
}

impl CommandResponse {
    pub fn ephemeral(text: impl Into<String>) -> Self {
        Self {
            response_type: "ephemeral".into(),
            text: text.into(),
            attachments: Value::Null,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// `body` serialized straight to JSON text (no [`Value`] in between:
    /// a large record is encoded once).
    pub fn json_of<T: serde::Serialize + ?Sized>(status: u16, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => Self {
                status,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: bytes,
            },
            Err(e) => Self::json(
                500,
                &json!({"id": "app.encode", "message": e.to_string(), "status_code": 500}),
            ),
        }
    }

    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// A Mattermost-style error body with the error id `id`.
    pub fn mattermost_error(status: u16, id: &str, message: &str) -> Self {
        Self::json(
            status,
            &json!({"id": id, "message": message, "detailed_error": "", "request_id": "", "status_code": status}),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionRequest {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub post_id: String,
    pub trigger_id: String,
    pub action_type: String,
    /// The integration context the button was created with.
    pub context: Value,
    pub selected_option: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionResponse {
    pub update: Option<Post>,
    pub ephemeral_text: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DialogSubmission {
    pub callback_id: String,
    pub state: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub submission: Value,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DialogResponse {
    pub errors: Vec<(String, String)>,
    pub error: String,
}
