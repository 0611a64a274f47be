//! Channel actions (upstream's `GenericChannelAction`), with upstream's
//! JSON names: `{id, channel_id, enabled, delete_at, action_type,
//! trigger_type, payload}`.
//!
//! | action_type | trigger_type | payload |
//! |---|---|---|
//! | `prompt_run_playbook` | `keywords` | `{keywords: [..], playbook_id, match_mode?}` |
//! | `send_welcome_message` | `new_member_joins` | `{message}` |
//! | `categorize_channel` | `new_member_joins` | `{category_name}` (≤ 22 chars): the newcomer's sidebar category |
//!
//! `match_mode` is this project's addition: `word` (default:
//! case-insensitive, whole words) or `substring` (upstream's exact
//! substring).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::matcher::MatchMode;
use crate::playbooks::FieldError;

pub mod action_type {
    pub const PROMPT_RUN_PLAYBOOK: &str = "prompt_run_playbook";
    pub const SEND_WELCOME_MESSAGE: &str = "send_welcome_message";
    pub const CATEGORIZE_CHANNEL: &str = "categorize_channel";
}

pub mod trigger_type {
    pub const KEYWORDS: &str = "keywords";
    pub const NEW_MEMBER_JOINS: &str = "new_member_joins";
}

use crate::limits::{
    CATEGORY_NAME_CHARS as MAX_CATEGORY_CHARS, CHANNEL_MESSAGE_CHARS as MAX_MESSAGE_CHARS,
    KEYWORD_CHARS as MAX_KEYWORD_CHARS, KEYWORDS as MAX_KEYWORDS,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChannelAction {
    pub id: String,
    pub channel_id: String,
    pub enabled: bool,
    pub delete_at: i64,
    pub action_type: String,
    pub trigger_type: String,
    pub payload: Value,
}

/// The payload of `prompt_run_playbook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PromptPayload {
    pub keywords: Vec<String>,
    pub playbook_id: String,
    pub match_mode: MatchMode,
}

impl ChannelAction {
    /// The keyword prompt's payload, when this is one.
    pub fn prompt(&self) -> Option<PromptPayload> {
        (self.action_type == action_type::PROMPT_RUN_PLAYBOOK)
            .then(|| serde_json::from_value(self.payload.clone()).ok())
            .flatten()
    }

    pub fn payload_text(&self, key: &str) -> String {
        self.payload
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// Checks the type pair and payload, naming the field; normalises the
    /// payload (trimmed keywords, default match mode).
    pub fn validate(&mut self) -> Result<(), FieldError> {
        let expected_trigger = match self.action_type.as_str() {
            action_type::PROMPT_RUN_PLAYBOOK => trigger_type::KEYWORDS,
            action_type::SEND_WELCOME_MESSAGE | action_type::CATEGORIZE_CHANNEL => {
                trigger_type::NEW_MEMBER_JOINS
            }
            other => {
                return Err(FieldError::new(
                    "action_type",
                    format!(
                        "{other:?} is not prompt_run_playbook, send_welcome_message or categorize_channel"
                    ),
                ));
            }
        };
        if self.trigger_type != expected_trigger {
            return Err(FieldError::new(
                "trigger_type",
                format!("must be {expected_trigger} for {}", self.action_type),
            ));
        }
        if !self.payload.is_object() {
            return Err(FieldError::new("payload", "must be an object"));
        }
        match self.action_type.as_str() {
            action_type::PROMPT_RUN_PLAYBOOK => {
                let mut p: PromptPayload = serde_json::from_value(self.payload.clone())
                    .map_err(|e| FieldError::new("payload", e.to_string()))?;
                p.keywords = p
                    .keywords
                    .iter()
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect();
                p.keywords.dedup();
                if p.keywords.len() > MAX_KEYWORDS {
                    return Err(FieldError::new(
                        "payload.keywords",
                        format!("at most {MAX_KEYWORDS} keywords"),
                    ));
                }
                if let Some(k) = p
                    .keywords
                    .iter()
                    .find(|k| k.chars().count() > MAX_KEYWORD_CHARS)
                {
                    return Err(FieldError::new(
                        "payload.keywords",
                        format!("{k:?} is longer than {MAX_KEYWORD_CHARS} characters"),
                    ));
                }
                if self.enabled && p.keywords.is_empty() {
                    return Err(FieldError::new(
                        "payload.keywords",
                        "add at least one keyword",
                    ));
                }
                if self.enabled && p.playbook_id.is_empty() {
                    return Err(FieldError::new("payload.playbook_id", "pick a playbook"));
                }
                self.payload = json!(p);
            }
            action_type::SEND_WELCOME_MESSAGE => {
                let message = self.payload_text("message");
                if self.enabled && message.trim().is_empty() {
                    return Err(FieldError::new("payload.message", "must not be empty"));
                }
                if message.chars().count() > MAX_MESSAGE_CHARS {
                    return Err(FieldError::new(
                        "payload.message",
                        format!("at most {MAX_MESSAGE_CHARS} characters"),
                    ));
                }
            }
            _ => {
                let name = self.payload_text("category_name");
                if self.enabled && name.trim().is_empty() {
                    return Err(FieldError::new(
                        "payload.category_name",
                        "must not be empty",
                    ));
                }
                if name.chars().count() > MAX_CATEGORY_CHARS {
                    return Err(FieldError::new(
                        "payload.category_name",
                        format!("at most {MAX_CATEGORY_CHARS} characters"),
                    ));
                }
            }
        }
        Ok(())
    }
}
