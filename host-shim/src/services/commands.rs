//! Slash commands: the built-in commands (`/echo`, `/me`, `/join`, `/leave`,
//! `/header`) and what happens with a command's response (Mattermost
//! `HandleCommandResponse`): `in_channel` responses become a post by the
//! user who ran the command, `ephemeral` ones are shown to that user only.
//!
//! Plugin commands are run by the HTTP layer through the plugin manager;
//! their responses come back here as a [`CommandResponse`].

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Author, Services};
use crate::error::{AppError, AppResult};
use crate::model::{Channel, Post, User};

pub const RESPONSE_IN_CHANNEL: &str = "in_channel";
pub const RESPONSE_EPHEMERAL: &str = "ephemeral";

/// Mattermost's limit on a channel header, in characters.
pub const MAX_HEADER_CHARS: usize = 1024;

/// A built-in command as autocomplete shows it.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub trigger: &'static str,
    pub hint: &'static str,
    pub description: &'static str,
}

/// The built-in commands, by trigger. Plugins cannot shadow these.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        trigger: "echo",
        hint: "\"message\" [delay in seconds]",
        description: "Echo back text from your account",
    },
    Builtin {
        trigger: "header",
        hint: "[text]",
        description: "Edit the channel header",
    },
    Builtin {
        trigger: "join",
        hint: "~[channel]",
        description: "Join the open channel",
    },
    Builtin {
        trigger: "leave",
        hint: "",
        description: "Leave the current channel",
    },
    Builtin {
        trigger: "me",
        hint: "[message]",
        description: "Do an action",
    },
];

pub fn is_builtin(trigger: &str) -> bool {
    BUILTINS.iter().any(|b| b.trigger == trigger)
}

/// Mattermost `CommandResponse`, as the API returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CommandResponse {
    pub response_type: String,
    pub text: String,
    pub username: String,
    pub icon_url: String,
    #[serde(rename = "type")]
    pub post_type: String,
    pub props: Map<String, Value>,
    pub goto_location: String,
    pub trigger_id: String,
    pub attachments: Vec<Value>,
    pub extra_responses: Vec<CommandResponse>,
}

impl CommandResponse {
    pub fn ephemeral(text: impl Into<String>) -> Self {
        Self {
            response_type: RESPONSE_EPHEMERAL.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    pub fn in_channel(text: impl Into<String>) -> Self {
        Self {
            response_type: RESPONSE_IN_CHANNEL.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    /// An answer with nothing to show, only a place to go.
    pub fn goto(location: impl Into<String>) -> Self {
        Self {
            response_type: RESPONSE_EPHEMERAL.into(),
            goto_location: location.into(),
            ..Default::default()
        }
    }
}

/// Where and by whom a command was run.
#[derive(Debug, Clone)]
pub struct CommandContext {
    pub user: User,
    pub channel: Channel,
    /// The channel's team, or the client's team for direct channels.
    pub team_id: String,
    /// The thread the command was typed in, or "".
    pub root_id: String,
}

/// A command line split into its trigger (lowercase, without `/`) and the
/// rest. `None` when the line does not start with `/` or has no trigger.
pub fn split_command(command: &str) -> Option<(String, String)> {
    let line = command.strip_prefix('/')?;
    let (trigger, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    if trigger.is_empty() {
        return None;
    }
    Some((trigger.to_lowercase(), rest.trim().to_string()))
}

/// `/echo "message" [delay]`: the message without surrounding quotes. The
/// delay Mattermost supports is accepted and ignored: the post is made at
/// once.
fn echo_message(rest: &str) -> String {
    if let Some(quoted) = rest.strip_prefix('"')
        && let Some(end) = quoted.rfind('"')
    {
        let after = quoted[end + 1..].trim();
        if after.is_empty() || after.parse::<u64>().is_ok() {
            return quoted[..end].to_string();
        }
    }
    rest.to_string()
}

impl Services {
    /// Runs a built-in command. `Ok(None)` when `trigger` is not one.
    pub fn execute_builtin(
        &self,
        ctx: &CommandContext,
        trigger: &str,
        rest: &str,
    ) -> AppResult<Option<CommandResponse>> {
        let response = match trigger {
            "echo" => {
                let message = echo_message(rest);
                if message.trim().is_empty() {
                    CommandResponse::ephemeral("A message must be provided with the /echo command.")
                } else {
                    CommandResponse::in_channel(message)
                }
            }
            "me" if rest.is_empty() => {
                CommandResponse::ephemeral("A message must be provided with the /me command.")
            }
            "me" => {
                let mut response = CommandResponse::in_channel(format!("*{rest}*"));
                response.post_type = "me".into();
                response
                    .props
                    .insert("message".into(), Value::String(rest.to_string()));
                response
            }
            "join" => self.builtin_join(ctx, rest)?,
            "leave" => self.builtin_leave(ctx)?,
            "header" => self.builtin_header(ctx, rest)?,
            _ => return Ok(None),
        };
        Ok(Some(response))
    }

    fn builtin_join(&self, ctx: &CommandContext, rest: &str) -> AppResult<CommandResponse> {
        let name = rest
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('~')
            .to_lowercase();
        if name.is_empty() {
            return Ok(CommandResponse::ephemeral(
                "A channel name must be provided with the /join command, like `/join ~town-square`.",
            ));
        }
        let not_found = || CommandResponse::ephemeral("We couldn't find the channel.");
        let Some(team) = self.chat.team(&ctx.team_id)?.filter(|t| t.delete_at == 0) else {
            return Ok(not_found());
        };
        let Some(channel) = self
            .chat
            .channel_by_name(&team.id, &name)?
            .filter(|c| c.delete_at == 0)
        else {
            return Ok(not_found());
        };
        let member = self.chat.is_channel_member(&channel.id, &ctx.user.id)?;
        if !member {
            if channel.channel_type != "O" {
                return Ok(not_found());
            }
            match self.add_channel_member(&channel.id, &ctx.user.id, None) {
                Ok(()) => {}
                Err(AppError::Forbidden(_)) => return Ok(not_found()),
                Err(err) => return Err(err),
            }
        }
        Ok(CommandResponse::goto(format!(
            "/{}/channels/{}",
            team.name, channel.name
        )))
    }

    fn builtin_leave(&self, ctx: &CommandContext) -> AppResult<CommandResponse> {
        let channel = &ctx.channel;
        if channel.channel_type == "D" || channel.channel_type == "G" {
            return Ok(CommandResponse::ephemeral(
                "You can't leave a direct or group message channel.",
            ));
        }
        if channel.name == "town-square" {
            return Ok(CommandResponse::ephemeral(
                "You can't leave the town-square channel.",
            ));
        }
        self.remove_channel_member(&channel.id, &ctx.user.id)?;
        let team = self.chat.team(&channel.team_id)?;
        Ok(match team {
            Some(team) => CommandResponse::goto(format!("/{}/channels/town-square", team.name)),
            None => CommandResponse::default(),
        })
    }

    fn builtin_header(&self, ctx: &CommandContext, rest: &str) -> AppResult<CommandResponse> {
        if rest.is_empty() {
            return Ok(CommandResponse::ephemeral(
                "A message must be provided with the /header command.",
            ));
        }
        if rest.chars().count() > MAX_HEADER_CHARS {
            return Ok(CommandResponse::ephemeral(format!(
                "The channel header must be at most {MAX_HEADER_CHARS} characters."
            )));
        }
        let mut channel = self
            .chat
            .channel(&ctx.channel.id)?
            .filter(|c| c.delete_at == 0)
            .ok_or_else(|| AppError::NotFound("channel".into()))?;
        let old_header = std::mem::replace(&mut channel.header, rest.to_string());
        self.update_channel(&channel)?;
        let username = format!("@{}", ctx.user.username);
        let message = if old_header.is_empty() {
            format!("{username} updated the channel header to: {rest}")
        } else {
            format!("{username} updated the channel header from: {old_header} to: {rest}")
        };
        let mut props = Map::new();
        props.insert("username".into(), Value::String(ctx.user.username.clone()));
        props.insert("old_header".into(), Value::String(old_header));
        props.insert("new_header".into(), Value::String(rest.to_string()));
        self.create_post(
            Post {
                user_id: ctx.user.id.clone(),
                channel_id: channel.id.clone(),
                message,
                post_type: "system_header_change".into(),
                props,
                ..Default::default()
            },
            Author::User,
        )?;
        Ok(CommandResponse::ephemeral("Updated the channel header."))
    }

    /// Shows a command's response: `in_channel` as a post by the user who ran
    /// the command (in their thread), otherwise as an ephemeral post from
    /// `ephemeral_author` (a plugin's bot, or the user). Responses with
    /// neither text nor attachments show nothing.
    pub fn apply_command_response(
        &self,
        ctx: &CommandContext,
        response: &CommandResponse,
        ephemeral_author: &str,
    ) -> AppResult<()> {
        if response.text.is_empty() && response.attachments.is_empty() {
            return Ok(());
        }
        let mut props = response.props.clone();
        for key in ["from_webhook", "from_bot", "from_plugin"] {
            props.remove(key);
        }
        if !response.attachments.is_empty() {
            props.insert(
                "attachments".into(),
                Value::Array(response.attachments.clone()),
            );
        }
        let mut overridden = false;
        if !response.username.is_empty() {
            props.insert(
                "override_username".into(),
                Value::String(response.username.clone()),
            );
            overridden = true;
        }
        if !response.icon_url.is_empty() {
            props.insert(
                "override_icon_url".into(),
                Value::String(response.icon_url.clone()),
            );
            overridden = true;
        }
        if overridden {
            // Clients show overrides only on webhook posts.
            props.insert("from_webhook".into(), Value::String("true".into()));
        }
        let post_type = if response.post_type.starts_with("system_") {
            String::new()
        } else {
            response.post_type.clone()
        };
        if response.response_type == RESPONSE_IN_CHANNEL {
            self.create_post(
                Post {
                    user_id: ctx.user.id.clone(),
                    channel_id: ctx.channel.id.clone(),
                    root_id: ctx.root_id.clone(),
                    message: response.text.clone(),
                    post_type,
                    props,
                    ..Default::default()
                },
                Author::User,
            )?;
        } else {
            self.send_ephemeral(
                &ctx.user.id,
                Post {
                    user_id: ephemeral_author.to_string(),
                    channel_id: ctx.channel.id.clone(),
                    root_id: ctx.root_id.clone(),
                    message: response.text.clone(),
                    props,
                    ..Default::default()
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_into_lowercase_trigger_and_rest() {
        assert_eq!(
            split_command("/Echo  hello world "),
            Some(("echo".into(), "hello world".into()))
        );
        assert_eq!(
            split_command("/playbook"),
            Some(("playbook".into(), String::new()))
        );
        assert_eq!(
            split_command("/playbook\nselfcheck"),
            Some(("playbook".into(), "selfcheck".into()))
        );
        assert_eq!(split_command("echo hi"), None);
        assert_eq!(split_command("/"), None);
        assert_eq!(split_command("/ echo"), None);
    }

    #[test]
    fn echo_strips_quotes_and_ignores_the_delay() {
        assert_eq!(echo_message("\"hello there\" 5"), "hello there");
        assert_eq!(echo_message("\"hello\""), "hello");
        assert_eq!(echo_message("plain words"), "plain words");
        assert_eq!(echo_message("\"quoted\" and more"), "\"quoted\" and more");
    }

    #[test]
    fn builtins_are_known_by_trigger() {
        for trigger in ["echo", "me", "join", "leave", "header"] {
            assert!(is_builtin(trigger), "{trigger}");
        }
        assert!(!is_builtin("playbook"));
    }
}
