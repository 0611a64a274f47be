//! Creating, editing and deleting posts.

use serde_json::{Value, json};

use super::{Broadcast, HookEvent, Services, WsEvent};
use crate::error::{AppError, AppResult};
use crate::model::{Post, new_id, now_ms};

/// Mattermost's limit on a post's message, in characters.
pub const MAX_POST_MESSAGE_CHARS: usize = 16_383;
/// Limit on the serialised props of a post.
const MAX_PROPS_BYTES: usize = 800_000;

/// Who is creating a post.
#[derive(Debug, Clone)]
pub enum Author {
    /// A person or bot through the API; `user_id` of the post must be theirs.
    User,
    /// A plugin; `bot_id` is its bot, used when the post has no `user_id`.
    Plugin { plugin_id: String, bot_id: String },
}

impl Services {
    fn check_post_content(post: &Post) -> AppResult<()> {
        if post.message.chars().count() > MAX_POST_MESSAGE_CHARS {
            return Err(AppError::Invalid(format!(
                "message: longer than {MAX_POST_MESSAGE_CHARS} characters"
            )));
        }
        let props_len = serde_json::to_string(&post.props)
            .map(|s| s.len())
            .unwrap_or(0);
        if props_len > MAX_PROPS_BYTES {
            return Err(AppError::TooLarge("props: too large".into()));
        }
        Ok(())
    }

    /// Stores a new post (with its mentions and the author's read state,
    /// see [`mentions`](super::mentions)), publishes `posted` and queues the
    /// plugin hooks.
    pub fn create_post(&self, mut post: Post, author: Author) -> AppResult<Post> {
        let mut bot_of_plugin = None;
        if let Author::Plugin { plugin_id, bot_id } = &author {
            if post.user_id.is_empty() || post.user_id == *bot_id {
                post.user_id = bot_id.clone();
                post.props
                    .insert("from_bot".into(), Value::String("true".into()));
                bot_of_plugin = Some(plugin_id.clone());
            }
            post.props
                .insert("from_plugin".into(), Value::String("true".into()));
        }
        Self::check_post_content(&post)?;
        let channel = self
            .chat
            .channel(&post.channel_id)?
            .ok_or_else(|| AppError::NotFound("channel".into()))?;
        if channel.delete_at != 0 {
            return Err(AppError::Invalid(
                "channel_id: the channel is archived".into(),
            ));
        }
        let user = self
            .chat
            .user(&post.user_id)?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        if !post.root_id.is_empty() {
            let root = self
                .chat
                .post(&post.root_id)?
                .filter(|root| root.delete_at == 0)
                .ok_or_else(|| AppError::Invalid("root_id: no such post".into()))?;
            if root.channel_id != post.channel_id || !root.root_id.is_empty() {
                return Err(AppError::Invalid(
                    "root_id: not a root post of this channel".into(),
                ));
            }
        }
        // Posts sent one after another within a millisecond keep their
        // order: ties would otherwise be broken by the random ids.
        let now = now_ms().max(channel.last_post_at.saturating_add(1));
        post.id = new_id();
        post.create_at = now;
        post.update_at = now;
        post.edit_at = 0;
        post.delete_at = 0;
        post.reply_count = 0;
        // Reactions come only from the reaction store.
        post.has_reactions = false;
        post.metadata.remove("reactions");
        super::files::stamp_metadata_files(&mut post);
        if let Author::Plugin { plugin_id, .. } = &author {
            // The post's final id is part of what its buttons are signed with.
            self.integrity.sign_post_actions(plugin_id, &mut post)?;
        }
        let effects = self.post_effects(&post, &channel, &user)?;
        let mentioned = self.chat.create_post_with(&post, &effects)?;

        let post_json = serde_json::to_string(&post).unwrap_or_default();
        let mut data = serde_json::Map::new();
        data.insert("post".into(), Value::String(post_json));
        data.insert("channel_type".into(), json!(channel.channel_type));
        data.insert("channel_display_name".into(), json!(channel.display_name));
        data.insert("channel_name".into(), json!(channel.name));
        data.insert("sender_name".into(), json!(format!("@{}", user.username)));
        data.insert("team_id".into(), json!(channel.team_id));
        data.insert("set_online".into(), json!(!user.is_bot));
        if !mentioned.is_empty() {
            // Mattermost sends the ids as a JSON string, like `post`.
            data.insert(
                "mentions".into(),
                Value::String(serde_json::to_string(&mentioned).unwrap_or_default()),
            );
        }
        self.events.publish(WsEvent {
            event: "posted".into(),
            data,
            broadcast: Broadcast {
                channel_id: channel.id.clone(),
                ..Default::default()
            },
        });
        self.queue_hook(HookEvent::Posted {
            post: Box::new(post.clone()),
            bot_of_plugin,
        });
        Ok(post)
    }

    /// Replaces message, props, type and pinned flag of a post; publishes
    /// `post_edited`.
    pub fn update_post(&self, changes: &Post) -> AppResult<Post> {
        let mut post = self
            .chat
            .post(&changes.id)?
            .filter(|p| p.delete_at == 0)
            .ok_or_else(|| AppError::NotFound("post".into()))?;
        let now = now_ms();
        if post.message != changes.message {
            post.edit_at = now;
        }
        post.message = changes.message.clone();
        post.props = changes.props.clone();
        post.post_type = changes.post_type.clone();
        post.is_pinned = changes.is_pinned;
        post.update_at = now;
        Self::check_post_content(&post)?;
        self.chat.update_post(&post)?;
        // The edit is committed: a failed read of its reactions only leaves
        // them out of the event.
        if let Err(e) = self.attach_reactions(std::slice::from_mut(&mut post)) {
            tracing::warn!(post_id = %post.id, "reading reactions of an edited post: {e}");
        }
        self.publish_post_event("post_edited", &post);
        Ok(post)
    }

    /// Soft-deletes a post; publishes `post_deleted`.
    pub fn delete_post(&self, post_id: &str) -> AppResult<Post> {
        let mut post = self
            .chat
            .post(post_id)?
            .filter(|p| p.delete_at == 0)
            .ok_or_else(|| AppError::NotFound("post".into()))?;
        let now = now_ms();
        self.chat.delete_post(post_id, now)?;
        post.delete_at = now;
        post.update_at = now;
        self.publish_post_event("post_deleted", &post);
        Ok(post)
    }

    /// Shows a post to one user only. Nothing is stored.
    pub fn send_ephemeral(&self, user_id: &str, mut post: Post) -> AppResult<Post> {
        Self::check_post_content(&post)?;
        let now = now_ms();
        post.id = new_id();
        post.create_at = now;
        post.update_at = now;
        if post.post_type.is_empty() {
            post.post_type = "system_ephemeral".into();
        }
        let mut data = serde_json::Map::new();
        data.insert(
            "post".into(),
            Value::String(serde_json::to_string(&post).unwrap_or_default()),
        );
        self.events.publish(WsEvent {
            event: "ephemeral_message".into(),
            data,
            broadcast: Broadcast {
                user_id: user_id.to_string(),
                ..Default::default()
            },
        });
        Ok(post)
    }

    fn publish_post_event(&self, event: &str, post: &Post) {
        let mut data = serde_json::Map::new();
        data.insert(
            "post".into(),
            Value::String(serde_json::to_string(post).unwrap_or_default()),
        );
        self.events.publish(WsEvent {
            event: event.into(),
            data,
            broadcast: Broadcast {
                channel_id: post.channel_id.clone(),
                ..Default::default()
            },
        });
    }
}
