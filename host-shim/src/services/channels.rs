//! Channels, memberships and bot accounts.

use serde_json::json;

use super::{Broadcast, HookEvent, Services, WsEvent};
use crate::error::{AppError, AppResult};
use crate::model::{Channel, User, new_id, now_ms};

/// Mattermost channel names: 1-64 of lowercase letters, digits, `-`, `_`
/// (direct channels use `<id>__<id>`, created only by [`Services::direct_channel`]).
pub fn validate_channel_name(name: &str) -> AppResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "name: 1-64 characters of lowercase letters, digits, '-' and '_'".into(),
        ))
    }
}

/// Mattermost's limits on a channel's texts, in characters.
pub const MAX_CHANNEL_DISPLAY_NAME_CHARS: usize = 64;
pub const MAX_CHANNEL_HEADER_CHARS: usize = 1024;
pub const MAX_CHANNEL_PURPOSE_CHARS: usize = 250;

/// Checks a channel's display name (for named, i.e. open and private,
/// channels), header and purpose against Mattermost's limits; the error
/// names the field.
fn validate_channel_texts(channel: &Channel, named: bool) -> AppResult<()> {
    let display_chars = channel.display_name.chars().count();
    if named
        && (channel.display_name.trim().is_empty()
            || display_chars > MAX_CHANNEL_DISPLAY_NAME_CHARS)
    {
        return Err(AppError::Invalid(format!(
            "display_name: 1-{MAX_CHANNEL_DISPLAY_NAME_CHARS} characters"
        )));
    }
    if channel.header.chars().count() > MAX_CHANNEL_HEADER_CHARS {
        return Err(AppError::Invalid(format!(
            "header: at most {MAX_CHANNEL_HEADER_CHARS} characters"
        )));
    }
    if channel.purpose.chars().count() > MAX_CHANNEL_PURPOSE_CHARS {
        return Err(AppError::Invalid(format!(
            "purpose: at most {MAX_CHANNEL_PURPOSE_CHARS} characters"
        )));
    }
    Ok(())
}

impl Services {
    /// Creates an open or private team channel; the creator becomes a member.
    pub fn create_channel(&self, mut channel: Channel) -> AppResult<Channel> {
        validate_channel_name(&channel.name)?;
        if channel.channel_type != "O" && channel.channel_type != "P" {
            return Err(AppError::Invalid("type: must be \"O\" or \"P\"".into()));
        }
        validate_channel_texts(&channel, true)?;
        if self
            .chat
            .team(&channel.team_id)?
            .is_none_or(|t| t.delete_at != 0)
        {
            return Err(AppError::NotFound("team".into()));
        }
        let now = now_ms();
        channel.id = new_id();
        channel.create_at = now;
        channel.update_at = now;
        channel.delete_at = 0;
        channel.last_post_at = now;
        channel.total_msg_count = 0;
        self.chat.create_channel(&channel)?;
        self.events.publish(WsEvent {
            event: "channel_created".into(),
            data: json!({"channel_id": channel.id, "team_id": channel.team_id})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            broadcast: Broadcast {
                team_id: channel.team_id.clone(),
                ..Default::default()
            },
        });
        if !channel.creator_id.is_empty() {
            self.add_channel_member(&channel.id, &channel.creator_id, None)?;
        }
        Ok(channel)
    }

    /// Changes a channel's display name (open and private channels only),
    /// header and purpose, within Mattermost's limits; publishes
    /// `channel_updated` to its members. Shared by `PUT
    /// /channels/{id}/patch`, `/header` and the plugins' `channels.update`.
    pub fn update_channel(&self, changes: &Channel) -> AppResult<Channel> {
        let mut channel = self
            .chat
            .channel(&changes.id)?
            .ok_or_else(|| AppError::NotFound("channel".into()))?;
        let named = channel.channel_type == "O" || channel.channel_type == "P";
        if named {
            channel.display_name = changes.display_name.clone();
        }
        channel.header = changes.header.clone();
        channel.purpose = changes.purpose.clone();
        validate_channel_texts(&channel, named)?;
        channel.update_at = now_ms();
        self.chat.update_channel(&channel)?;
        let mut data = serde_json::Map::new();
        data.insert(
            "channel".into(),
            serde_json::Value::String(serde_json::to_string(&channel).unwrap_or_default()),
        );
        self.events.publish(WsEvent {
            event: "channel_updated".into(),
            data,
            broadcast: Broadcast {
                channel_id: channel.id.clone(),
                ..Default::default()
            },
        });
        Ok(channel)
    }

    /// Archives (soft-deletes) an open or private channel and tells the
    /// team (`channel_deleted`); archiving an archived channel changes
    /// nothing. Who may archive is the caller's check. Shared by `DELETE
    /// /channels/{id}` and the plugins' `channels.archive`.
    pub fn archive_channel(&self, mut channel: Channel) -> AppResult<Channel> {
        if channel.channel_type == "D" || channel.channel_type == "G" {
            return Err(AppError::Invalid(
                "channel_id: direct and group channels cannot be archived".into(),
            ));
        }
        if channel.delete_at != 0 {
            return Ok(channel);
        }
        let now = now_ms();
        channel.delete_at = now;
        channel.update_at = now;
        self.chat.update_channel(&channel)?;
        self.events.publish(WsEvent {
            event: "channel_deleted".into(),
            data: json!({"channel_id": channel.id, "delete_at": now})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            broadcast: Broadcast {
                team_id: channel.team_id.clone(),
                ..Default::default()
            },
        });
        Ok(channel)
    }

    /// Adds a member (idempotent). Fires `user_added` and the join hook
    /// only when the user was not a member yet.
    pub fn add_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
        actor_id: Option<&str>,
    ) -> AppResult<()> {
        let channel = self
            .chat
            .channel(channel_id)?
            .ok_or_else(|| AppError::NotFound("channel".into()))?;
        if self.chat.user(user_id)?.is_none() {
            return Err(AppError::NotFound("user".into()));
        }
        if !channel.team_id.is_empty() && !self.chat.is_team_member(&channel.team_id, user_id)? {
            return Err(AppError::Forbidden(
                "the user is not a member of the channel's team".into(),
            ));
        }
        if !self
            .chat
            .add_channel_member(channel_id, user_id, now_ms())?
        {
            return Ok(());
        }
        self.events.publish(WsEvent {
            event: "user_added".into(),
            data: json!({"user_id": user_id, "team_id": channel.team_id})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            broadcast: Broadcast {
                channel_id: channel_id.to_string(),
                ..Default::default()
            },
        });
        self.queue_hook(HookEvent::UserJoinedChannel {
            channel_id: channel_id.to_string(),
            user_id: user_id.to_string(),
            actor_id: actor_id.map(str::to_string),
        });
        Ok(())
    }

    /// Removes a member; fires `user_removed` to the channel and the user.
    pub fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> AppResult<()> {
        if !self.chat.remove_channel_member(channel_id, user_id)? {
            return Err(AppError::NotFound("channel member".into()));
        }
        for broadcast in [
            Broadcast {
                channel_id: channel_id.to_string(),
                ..Default::default()
            },
            Broadcast {
                user_id: user_id.to_string(),
                ..Default::default()
            },
        ] {
            self.events.publish(WsEvent {
                event: "user_removed".into(),
                data: json!({"user_id": user_id, "channel_id": channel_id})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                broadcast,
            });
        }
        Ok(())
    }

    /// Gets or creates the direct channel of two users (name: sorted ids
    /// joined by `__`, as in Mattermost).
    pub fn direct_channel(&self, user_a: &str, user_b: &str) -> AppResult<Channel> {
        let mut ids = [user_a, user_b];
        ids.sort();
        let name = format!("{}__{}", ids[0], ids[1]);
        if let Some(channel) = self.chat.channel_by_name("", &name)? {
            return Ok(channel);
        }
        for id in ids {
            if self.chat.user(id)?.is_none() {
                return Err(AppError::NotFound("user".into()));
            }
        }
        let now = now_ms();
        let channel = Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            channel_type: "D".into(),
            name,
            last_post_at: now,
            creator_id: user_a.to_string(),
            ..Default::default()
        };
        match self.chat.create_channel(&channel) {
            Ok(()) => {}
            // Created concurrently by someone else: use theirs.
            Err(chat_store::StoreError::Conflict(_)) => {
                return self
                    .chat
                    .channel_by_name("", &channel.name)?
                    .ok_or_else(|| AppError::Internal("direct channel vanished".into()));
            }
            Err(err) => return Err(err.into()),
        }
        for id in ids {
            self.chat.add_channel_member(&channel.id, id, now)?;
        }
        Ok(channel)
    }

    /// Returns the plugin's bot user id, creating the bot on first use.
    pub fn ensure_plugin_bot(
        &self,
        plugin_id: &str,
        username: &str,
        display_name: &str,
        description: &str,
    ) -> AppResult<String> {
        if let Some(bot_id) = self.chat.plugin_bot(plugin_id)? {
            return Ok(bot_id);
        }
        let now = now_ms();
        let bot = User {
            id: new_id(),
            create_at: now,
            update_at: now,
            username: username.to_lowercase(),
            nickname: display_name.to_string(),
            first_name: display_name.to_string(),
            last_name: description.chars().take(64).collect(),
            email: format!("{}@bots.localhost", username.to_lowercase()),
            roles: "system_user".into(),
            locale: "en".into(),
            is_bot: true,
            ..Default::default()
        };
        self.chat.create_plugin_bot(plugin_id, &bot)?;
        Ok(bot.id)
    }
}
