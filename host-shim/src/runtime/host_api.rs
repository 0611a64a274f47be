//! The host side of every imported WIT interface, implemented on
//! [`HostState`]. Each function validates sizes, then delegates to the shared
//! services so plugins obey exactly the rules the HTTP API obeys.

use super::bindings::chatops::plugin::{
    channels, clock, commands, config, dialogs, events, http_out, kv, log, posts, random,
    scheduler, teams, types, users,
};
use super::convert::{
    channel_from_wit, channel_to_wit, json_object, post_from_wit, post_to_wit, team_to_wit,
    user_to_wit,
};
use super::state::{HostState, limits};
use crate::model::{CommandRegistration, now_ms};
use crate::services::{Author, Broadcast, WsEvent};
use chat_store::ports::jobs::Job;
use chat_store::ports::kv::{KvExpect, KvOp};
use types::Error;

type R<T> = Result<T, Error>;

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}

fn check_key(key: &str) -> R<()> {
    if key.is_empty() || key.len() > limits::MAX_KV_KEY_BYTES {
        return Err(invalid(format!(
            "key: 1-{} bytes",
            limits::MAX_KV_KEY_BYTES
        )));
    }
    Ok(())
}

fn check_value(value: &[u8]) -> R<()> {
    if value.len() > limits::MAX_KV_VALUE_BYTES {
        return Err(invalid(format!(
            "value: larger than {} bytes",
            limits::MAX_KV_VALUE_BYTES
        )));
    }
    Ok(())
}

impl types::Host for HostState {}

impl posts::Host for HostState {
    fn create(&mut self, post: types::Post) -> R<types::Post> {
        let bot_id = self.bot_id()?;
        let author = Author::Plugin {
            plugin_id: self.plugin_id.clone(),
            bot_id,
        };
        let created = self.services.create_post(post_from_wit(post)?, author)?;
        Ok(post_to_wit(created))
    }

    fn update(&mut self, post: types::Post) -> R<types::Post> {
        let mut post = post_from_wit(post)?;
        // The WIT post has no pinned flag: keep the stored one.
        post.is_pinned = self
            .services
            .chat
            .post(&post.id)?
            .is_some_and(|p| p.is_pinned);
        self.services
            .integrity
            .sign_post_actions(&self.plugin_id, &mut post)?;
        Ok(post_to_wit(self.services.update_post(&post)?))
    }

    fn delete(&mut self, post_id: String) -> R<()> {
        self.services
            .delete_post(&post_id)
            .map(|_| ())
            .map_err(Into::into)
    }

    fn get(&mut self, post_id: String) -> R<Option<types::Post>> {
        Ok(self.services.chat.post(&post_id)?.map(post_to_wit))
    }

    fn send_ephemeral(&mut self, user_id: String, post: types::Post) -> R<types::Post> {
        let mut post = post_from_wit(post)?;
        if post.user_id.is_empty() {
            post.user_id = self.bot_id()?;
        }
        Ok(post_to_wit(self.services.send_ephemeral(&user_id, post)?))
    }
}

impl channels::Host for HostState {
    fn add_to_category(
        &mut self,
        user_id: String,
        team_id: String,
        category: String,
        channel_id: String,
    ) -> R<()> {
        if !self
            .services
            .chat
            .is_channel_member(&channel_id, &user_id)?
        {
            return Err(Error::PermissionDenied);
        }
        self.services
            .add_to_category(&user_id, &team_id, &category, &channel_id)?;
        Ok(())
    }

    fn get(&mut self, channel_id: String) -> R<Option<types::Channel>> {
        Ok(self.services.chat.channel(&channel_id)?.map(channel_to_wit))
    }

    fn get_by_name(&mut self, team_id: String, name: String) -> R<Option<types::Channel>> {
        Ok(self
            .services
            .chat
            .channel_by_name(&team_id, &name)?
            .map(channel_to_wit))
    }

    fn create(&mut self, channel: types::Channel) -> R<types::Channel> {
        let mut channel = channel_from_wit(channel);
        if channel.creator_id.is_empty() {
            channel.creator_id = self.bot_id()?;
        }
        Ok(channel_to_wit(self.services.create_channel(channel)?))
    }

    fn direct(&mut self, user_a: String, user_b: String) -> R<types::Channel> {
        Ok(channel_to_wit(
            self.services.direct_channel(&user_a, &user_b)?,
        ))
    }

    fn add_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        let actor = self.bot_id().ok();
        Ok(self
            .services
            .add_channel_member(&channel_id, &user_id, actor.as_deref())?)
    }

    fn remove_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        Ok(self.services.remove_channel_member(&channel_id, &user_id)?)
    }

    fn is_member(&mut self, channel_id: String, user_id: String) -> R<bool> {
        Ok(self
            .services
            .chat
            .is_channel_member(&channel_id, &user_id)?)
    }

    fn members(&mut self, channel_id: String, offset: u32, limit: u32) -> R<Vec<String>> {
        let limit = limit.min(limits::MAX_MEMBERS_PAGE);
        Ok(self
            .services
            .chat
            .channel_members(&channel_id, offset, limit)?)
    }

    fn update(&mut self, channel: types::Channel) -> R<types::Channel> {
        Ok(channel_to_wit(
            self.services.update_channel(&channel_from_wit(channel))?,
        ))
    }
}

impl users::Host for HostState {
    fn get(&mut self, user_id: String) -> R<Option<types::User>> {
        Ok(self.services.chat.user(&user_id)?.map(user_to_wit))
    }

    fn get_by_username(&mut self, username: String) -> R<Option<types::User>> {
        let username = username.trim_start_matches('@').to_lowercase();
        Ok(self
            .services
            .chat
            .user_by_username(&username)?
            .map(user_to_wit))
    }

    fn ensure_bot(
        &mut self,
        username: String,
        display_name: String,
        description: String,
    ) -> R<String> {
        let valid = (3..=22).contains(&username.len())
            && username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid {
            return Err(invalid(
                "username: 3-22 characters of letters, digits, '-', '_', '.'",
            ));
        }
        Ok(self.services.ensure_plugin_bot(
            &self.plugin_id,
            &username,
            &display_name,
            &description,
        )?)
    }
}

impl teams::Host for HostState {
    fn get(&mut self, team_id: String) -> R<Option<types::Team>> {
        Ok(self.services.chat.team(&team_id)?.map(team_to_wit))
    }

    fn get_by_name(&mut self, name: String) -> R<Option<types::Team>> {
        Ok(self.services.chat.team_by_name(&name)?.map(team_to_wit))
    }

    fn is_member(&mut self, team_id: String, user_id: String) -> R<bool> {
        Ok(self.services.chat.is_team_member(&team_id, &user_id)?)
    }

    fn add_member(&mut self, team_id: String, user_id: String) -> R<()> {
        Ok(self.services.add_team_member(&team_id, &user_id)?)
    }
}

impl commands::Host for HostState {
    fn register(&mut self, command: commands::Command) -> R<()> {
        let trigger = command.trigger.trim_start_matches('/').to_lowercase();
        let valid =
            !trigger.is_empty() && trigger.len() <= 128 && !trigger.contains(char::is_whitespace);
        if !valid {
            return Err(invalid("trigger: 1-128 characters without spaces"));
        }
        if !command.autocomplete_data.is_empty() {
            json_object(&command.autocomplete_data, "autocomplete-data")?;
        }
        let registration = CommandRegistration {
            plugin_id: self.plugin_id.clone(),
            trigger,
            display_name: command.display_name,
            description: command.description,
            auto_complete: command.auto_complete,
            auto_complete_desc: command.auto_complete_desc,
            auto_complete_hint: command.auto_complete_hint,
            autocomplete_data: command.autocomplete_data,
        };
        Ok(self.services.chat.register_command(&registration)?)
    }

    fn unregister(&mut self, trigger: String) -> R<()> {
        let trigger = trigger.trim_start_matches('/').to_lowercase();
        self.services
            .chat
            .unregister_command(&self.plugin_id, &trigger)?;
        Ok(())
    }

    fn execute(
        &mut self,
        user_id: String,
        channel_id: String,
        root_id: String,
        command: String,
    ) -> R<String> {
        use crate::services::command_exec::Executed;
        match self
            .services
            .execute_command_as(&user_id, &channel_id, &root_id, &command)?
        {
            Executed::Ran(response) => Ok(response.text),
            Executed::Queued => Ok(String::new()),
        }
    }
}

impl dialogs::Host for HostState {
    fn open(&mut self, trigger_id: String, dialog: String) -> R<()> {
        let trigger = self
            .services
            .triggers
            .lookup(&trigger_id)
            .filter(|t| t.plugin_id == self.plugin_id)
            .ok_or_else(|| invalid("trigger-id: unknown or expired"))?;
        let mut dialog = json_object(&dialog, "dialog")?;
        self.services
            .integrity
            .seal_dialog(&self.plugin_id, &trigger.user_id, &mut dialog)?;
        let mut data = serde_json::Map::new();
        let payload = serde_json::json!({
            "trigger_id": trigger_id,
            "url": format!("/plugins/{}/dialog", self.plugin_id),
            "dialog": dialog,
        });
        data.insert(
            "dialog".into(),
            serde_json::Value::String(payload.to_string()),
        );
        self.services.events.publish(WsEvent {
            event: "open_dialog".into(),
            data,
            broadcast: Broadcast {
                user_id: trigger.user_id,
                ..Default::default()
            },
        });
        Ok(())
    }
}

impl kv::Host for HostState {
    fn get(&mut self, key: String) -> R<Option<Vec<u8>>> {
        check_key(&key)?;
        Ok(self.services.kv.get(&self.plugin_id, &key)?)
    }

    fn get_many(&mut self, keys: Vec<String>) -> R<Vec<Option<Vec<u8>>>> {
        if keys.len() > limits::MAX_KV_BATCH_ITEMS {
            return Err(invalid(format!(
                "keys: at most {} per call",
                limits::MAX_KV_BATCH_ITEMS
            )));
        }
        keys.iter().try_for_each(|k| check_key(k))?;
        let budget = limits::result_budget(self.memory.limit_bytes);
        Ok(self.services.kv.get_many(&self.plugin_id, &keys, budget)?)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> R<()> {
        check_key(&key)?;
        check_value(&value)?;
        Ok(self.services.kv.set(&self.plugin_id, &key, &value)?)
    }

    fn delete(&mut self, key: String) -> R<()> {
        check_key(&key)?;
        Ok(self.services.kv.delete(&self.plugin_id, &key)?)
    }

    fn compare_and_set(
        &mut self,
        key: String,
        old: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
    ) -> R<bool> {
        check_key(&key)?;
        if let Some(value) = &new {
            check_value(value)?;
        }
        Ok(self.services.kv.compare_and_set(
            &self.plugin_id,
            &key,
            old.as_deref(),
            new.as_deref(),
        )?)
    }

    fn set_if_absent(&mut self, key: String, value: Vec<u8>) -> R<bool> {
        check_key(&key)?;
        check_value(&value)?;
        Ok(self
            .services
            .kv
            .set_if_absent(&self.plugin_id, &key, &value)?)
    }

    fn list_keys(&mut self, prefix: String, cursor: Option<String>, limit: u32) -> R<kv::KeyPage> {
        if prefix.len() > limits::MAX_KV_KEY_BYTES {
            return Err(invalid("prefix: longer than a key may be"));
        }
        let limit = limit.clamp(1, limits::MAX_KV_LIST_LIMIT);
        let page =
            self.services
                .kv
                .list_keys(&self.plugin_id, &prefix, cursor.as_deref(), limit)?;
        Ok(kv::KeyPage {
            keys: page.keys,
            next_cursor: page.next_cursor,
        })
    }

    fn atomic_write(
        &mut self,
        expectations: Vec<kv::Expectation>,
        operations: Vec<kv::Operation>,
    ) -> R<bool> {
        if expectations.len() + operations.len() > limits::MAX_KV_BATCH_ITEMS {
            return Err(invalid(format!(
                "batch: at most {} items",
                limits::MAX_KV_BATCH_ITEMS
            )));
        }
        let mut total = 0usize;
        let mut expect = Vec::with_capacity(expectations.len());
        for e in expectations {
            check_key(&e.key)?;
            total += e.value.as_ref().map_or(0, Vec::len);
            expect.push(KvExpect {
                key: e.key,
                value: e.value,
            });
        }
        let mut ops = Vec::with_capacity(operations.len());
        for op in operations {
            ops.push(match op {
                kv::Operation::Set((key, value)) => {
                    check_key(&key)?;
                    check_value(&value)?;
                    total += value.len();
                    KvOp::Set(key, value)
                }
                kv::Operation::Delete(key) => {
                    check_key(&key)?;
                    KvOp::Delete(key)
                }
            });
        }
        if total > limits::MAX_KV_BATCH_BYTES {
            return Err(invalid(format!(
                "batch: larger than {} bytes",
                limits::MAX_KV_BATCH_BYTES
            )));
        }
        Ok(self
            .services
            .kv
            .atomic_write(&self.plugin_id, &expect, &ops)?)
    }
}

impl scheduler::Host for HostState {
    fn schedule_once(&mut self, key: String, at_ms: i64, payload: String) -> R<()> {
        if key.is_empty() || key.len() > limits::MAX_JOB_KEY_BYTES {
            return Err(invalid(format!(
                "key: 1-{} bytes",
                limits::MAX_JOB_KEY_BYTES
            )));
        }
        if payload.len() > limits::MAX_JOB_PAYLOAD_BYTES {
            return Err(invalid(format!(
                "payload: larger than {} bytes",
                limits::MAX_JOB_PAYLOAD_BYTES
            )));
        }
        let job = Job {
            plugin_id: self.plugin_id.clone(),
            key,
            at_ms,
            payload,
        };
        self.services.jobs.schedule(&job)?;
        self.services.scheduler_wake.notify_one();
        Ok(())
    }

    fn cancel(&mut self, key: String) -> R<bool> {
        Ok(self.services.jobs.cancel(&self.plugin_id, &key)?)
    }
}

impl clock::Host for HostState {
    fn now_ms(&mut self) -> i64 {
        now_ms()
    }
}

impl random::Host for HostState {
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        let len = len.min(limits::MAX_RANDOM_BYTES) as usize;
        let mut bytes = vec![0u8; len];
        rand::fill(&mut bytes[..]);
        bytes
    }
}

impl log::Host for HostState {
    fn write(&mut self, level: log::Level, message: String) {
        let mut message = message;
        if message.len() > limits::MAX_LOG_BYTES {
            let mut cut = limits::MAX_LOG_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let plugin = self.plugin_id.as_str();
        match level {
            log::Level::Debug => tracing::debug!(plugin, "{message}"),
            log::Level::Info => tracing::info!(plugin, "{message}"),
            log::Level::Warn => tracing::warn!(plugin, "{message}"),
            log::Level::Error => {
                tracing::error!(plugin, "{message}");
                // The guest's panic hook reports through here right before
                // it traps; keep the text for the trap report.
                if message.starts_with("panic") {
                    self.last_panic = Some(message);
                }
            }
        }
    }
}

impl config::Host for HostState {
    fn get(&mut self) -> String {
        self.settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|_| "{}".into())
    }
}

impl events::Host for HostState {
    fn publish(&mut self, event: String, data: String, broadcast: events::Broadcast) -> R<()> {
        let valid = !event.is_empty()
            && event.len() <= 64
            && event
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(invalid(
                "event: 1-64 characters of letters, digits, '_', '-'",
            ));
        }
        if data.len() > limits::MAX_EVENT_BYTES {
            return Err(invalid(format!(
                "data: larger than {} bytes",
                limits::MAX_EVENT_BYTES
            )));
        }
        let data = json_object(&data, "data")?;
        self.services.events.publish(WsEvent {
            event: format!("custom_{}_{}", self.plugin_id, event),
            data,
            broadcast: Broadcast {
                user_id: broadcast.user_id.unwrap_or_default(),
                channel_id: broadcast.channel_id.unwrap_or_default(),
                team_id: broadcast.team_id.unwrap_or_default(),
                omit_users: None,
                ..Default::default()
            },
        });
        Ok(())
    }
}

impl http_out::Host for HostState {
    fn post_json(&mut self, url: String, body: String) -> R<()> {
        Ok(self
            .services
            .webhooks
            .post_json(&self.plugin_id, &url, body)?)
    }
}
