//! Running a slash command on a user's behalf when a plugin asks (the
//! `commands.execute` import; e.g. a checklist task's "Run" button).
//!
//! The same rules as `POST /api/v4/commands/execute`: the user must exist
//! and be a member of the (unarchived) channel, the command has a length
//! limit. Built-in commands run at once and their response is applied.
//! Plugin commands cannot run inside the asking plugin's host call (its
//! instance is busy and host calls are synchronous), so they are queued as
//! a [`HookEvent::ExecuteCommand`] that the hook dispatcher runs right
//! after; the caller learns only that it was queued.

use super::commands::{CommandContext, CommandResponse, split_command};
use super::{HookEvent, MAX_POST_MESSAGE_CHARS, Services};
use crate::error::{AppError, AppResult};

/// What became of the command.
#[derive(Debug, Clone, PartialEq)]
pub enum Executed {
    /// A built-in ran; its response (already applied).
    Ran(Box<CommandResponse>),
    /// A plugin command, queued for the dispatcher.
    Queued,
}

impl Services {
    pub fn execute_command_as(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
        command: &str,
    ) -> AppResult<Executed> {
        let Some((trigger, rest)) = split_command(command) else {
            return Err(AppError::Invalid("command: must start with /".into()));
        };
        if command.chars().count() > MAX_POST_MESSAGE_CHARS {
            return Err(AppError::TooLarge(format!(
                "command: longer than {MAX_POST_MESSAGE_CHARS} characters"
            )));
        }
        let user = self
            .chat
            .user(user_id)?
            .filter(|u| u.delete_at == 0)
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        let channel = self
            .chat
            .channel(channel_id)?
            .ok_or_else(|| AppError::NotFound("channel".into()))?;
        if channel.delete_at != 0 {
            return Err(AppError::Invalid(
                "channel_id: the channel is archived".into(),
            ));
        }
        if !self.chat.is_channel_member(channel_id, user_id)? {
            return Err(AppError::Forbidden(
                "The user must be a member of the channel to run commands there.".into(),
            ));
        }
        let ctx = CommandContext {
            team_id: channel.team_id.clone(),
            user,
            channel,
            root_id: root_id.to_owned(),
        };
        if let Some(response) = self.execute_builtin(&ctx, &trigger, &rest)? {
            self.apply_command_response(&ctx, &response, user_id)?;
            return Ok(Executed::Ran(Box::new(response)));
        }
        let registration = self
            .chat
            .command(&trigger)?
            .ok_or_else(|| AppError::NotFound(format!("command /{trigger}")))?;
        self.queue_hook(HookEvent::ExecuteCommand {
            plugin_id: registration.plugin_id,
            ctx: Box::new(ctx),
            command: command.to_owned(),
        });
        Ok(Executed::Queued)
    }
}
