//! The only module that knows about WIT: bindings, the real [`Host`] over the
//! imports, and the exported hooks forwarding to [`crate::hooks`].

use serde_json::{Map, Value};

use crate::api;
use crate::host::{self, Host, HostError, HostResult, KvOp, Level};

wit_bindgen::generate!({
    path: "../wit",
    world: "chat-plugin",
});

use chatops::plugin::types::{Error as WitError, Post as WitPost};
use chatops::plugin::{
    channels, clock, commands, config, dialogs, events, http_out, kv, log, posts, random,
    scheduler, teams, users,
};
use exports::chatops::plugin::hooks as wit_hooks;

/// Sends panics to the host log before the trap, so the host can say why an
/// instance died. Installed once per instance, on its first hook call.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log::write(log::Level::Error, &format!("panic: {info}"));
        }));
    });
}

impl From<WitError> for HostError {
    fn from(e: WitError) -> Self {
        match e {
            WitError::NotFound => HostError::NotFound,
            WitError::PermissionDenied => HostError::PermissionDenied,
            WitError::Conflict => HostError::Conflict,
            WitError::InvalidInput(m) => HostError::InvalidInput(m),
            WitError::Other(m) => HostError::Other(m),
        }
    }
}

impl From<HostError> for WitError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::NotFound => WitError::NotFound,
            HostError::PermissionDenied => WitError::PermissionDenied,
            HostError::Conflict => WitError::Conflict,
            HostError::InvalidInput(m) => WitError::InvalidInput(m),
            HostError::Other(m) => WitError::Other(m),
        }
    }
}

fn props_of(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn post_in(p: WitPost) -> host::Post {
    host::Post {
        props: props_of(&p.props),
        id: p.id,
        create_at: p.create_at,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        message: p.message,
        post_type: p.type_,
        delete_at: p.delete_at,
    }
}

fn post_out(p: host::Post) -> WitPost {
    WitPost {
        props: Value::Object(p.props).to_string(),
        id: p.id,
        create_at: p.create_at,
        update_at: 0,
        edit_at: 0,
        delete_at: p.delete_at,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        message: p.message,
        type_: p.post_type,
    }
}

fn channel_in(c: chatops::plugin::types::Channel) -> host::Channel {
    host::Channel {
        id: c.id,
        team_id: c.team_id,
        channel_type: c.type_,
        name: c.name,
        display_name: c.display_name,
        header: c.header,
        purpose: c.purpose,
        delete_at: c.delete_at,
    }
}

fn channel_out(c: host::Channel) -> chatops::plugin::types::Channel {
    chatops::plugin::types::Channel {
        id: c.id,
        create_at: 0,
        update_at: 0,
        delete_at: c.delete_at,
        team_id: c.team_id,
        type_: c.channel_type,
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: String::new(),
    }
}

fn user_in(u: chatops::plugin::types::User) -> host::User {
    host::User {
        id: u.id,
        username: u.username,
        roles: u.roles,
        is_bot: u.is_bot,
    }
}

/// The real host: every call is a WIT import.
struct WitHost;

impl Host for WitHost {
    fn now_ms(&self) -> i64 {
        clock::now_ms()
    }
    fn random_bytes(&self, len: u32) -> Vec<u8> {
        random::random_bytes(len)
    }
    fn log(&self, level: Level, message: &str) {
        let level = match level {
            Level::Debug => log::Level::Debug,
            Level::Info => log::Level::Info,
            Level::Warn => log::Level::Warn,
            Level::Error => log::Level::Error,
        };
        log::write(level, message)
    }
    fn config(&self) -> String {
        config::get()
    }
    fn kv_get(&self, key: &str) -> HostResult<Option<Vec<u8>>> {
        Ok(kv::get(key)?)
    }
    fn kv_get_many(&self, keys: &[String]) -> HostResult<Vec<Option<Vec<u8>>>> {
        Ok(kv::get_many(keys)?)
    }
    fn kv_set(&self, key: &str, value: &[u8]) -> HostResult<()> {
        Ok(kv::set(key, value)?)
    }
    fn kv_delete(&self, key: &str) -> HostResult<()> {
        Ok(kv::delete(key)?)
    }
    fn kv_compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> HostResult<bool> {
        Ok(kv::compare_and_set(key, old, new)?)
    }
    fn kv_set_if_absent(&self, key: &str, value: &[u8]) -> HostResult<bool> {
        Ok(kv::set_if_absent(key, value)?)
    }
    fn kv_list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> HostResult<(Vec<String>, Option<String>)> {
        let page = kv::list_keys(prefix, cursor, limit)?;
        Ok((page.keys, page.next_cursor))
    }
    fn kv_atomic_write(
        &self,
        expect: &[(String, Option<Vec<u8>>)],
        ops: &[KvOp],
    ) -> HostResult<bool> {
        let expect: Vec<kv::Expectation> = expect
            .iter()
            .map(|(key, value)| kv::Expectation {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        let ops: Vec<kv::Operation> = ops
            .iter()
            .map(|op| match op {
                KvOp::Set(k, v) => kv::Operation::Set((k.clone(), v.clone())),
                KvOp::Delete(k) => kv::Operation::Delete(k.clone()),
            })
            .collect();
        Ok(kv::atomic_write(&expect, &ops)?)
    }
    fn user(&self, id: &str) -> HostResult<Option<host::User>> {
        Ok(users::get(id)?.map(user_in))
    }
    fn user_by_username(&self, username: &str) -> HostResult<Option<host::User>> {
        Ok(users::get_by_username(username)?.map(user_in))
    }
    fn ensure_bot(
        &self,
        username: &str,
        display_name: &str,
        description: &str,
    ) -> HostResult<String> {
        Ok(users::ensure_bot(username, display_name, description)?)
    }
    fn team(&self, id: &str) -> HostResult<Option<host::Team>> {
        Ok(teams::get(id)?.map(|t| host::Team {
            id: t.id,
            name: t.name,
            display_name: t.display_name,
        }))
    }
    fn is_team_member(&self, team_id: &str, user_id: &str) -> HostResult<bool> {
        Ok(teams::is_member(team_id, user_id)?)
    }
    fn add_team_member(&self, team_id: &str, user_id: &str) -> HostResult<()> {
        Ok(teams::add_member(team_id, user_id)?)
    }
    fn channel(&self, id: &str) -> HostResult<Option<host::Channel>> {
        Ok(channels::get(id)?.map(channel_in))
    }
    fn channel_by_name(&self, team_id: &str, name: &str) -> HostResult<Option<host::Channel>> {
        Ok(channels::get_by_name(team_id, name)?.map(channel_in))
    }
    fn create_channel(&self, channel: host::Channel) -> HostResult<host::Channel> {
        Ok(channel_in(channels::create(&channel_out(channel))?))
    }
    fn update_channel(&self, channel: host::Channel) -> HostResult<host::Channel> {
        Ok(channel_in(channels::update(&channel_out(channel))?))
    }
    fn direct_channel(&self, user_a: &str, user_b: &str) -> HostResult<host::Channel> {
        Ok(channel_in(channels::direct(user_a, user_b)?))
    }
    fn add_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        Ok(channels::add_member(channel_id, user_id)?)
    }
    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        Ok(channels::remove_member(channel_id, user_id)?)
    }
    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<bool> {
        Ok(channels::is_member(channel_id, user_id)?)
    }
    fn add_channel_to_category(
        &self,
        user_id: &str,
        team_id: &str,
        category: &str,
        channel_id: &str,
    ) -> HostResult<()> {
        Ok(channels::add_to_category(
            user_id, team_id, category, channel_id,
        )?)
    }
    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> HostResult<Vec<String>> {
        Ok(channels::members(channel_id, offset, limit)?)
    }
    fn create_post(&self, post: host::Post) -> HostResult<host::Post> {
        Ok(post_in(posts::create(&post_out(post))?))
    }
    fn update_post(&self, post: host::Post) -> HostResult<host::Post> {
        Ok(post_in(posts::update(&post_out(post))?))
    }
    fn delete_post(&self, post_id: &str) -> HostResult<()> {
        Ok(posts::delete(post_id)?)
    }
    fn post(&self, post_id: &str) -> HostResult<Option<host::Post>> {
        Ok(posts::get(post_id)?.map(post_in))
    }
    fn send_ephemeral(&self, user_id: &str, post: host::Post) -> HostResult<host::Post> {
        Ok(post_in(posts::send_ephemeral(user_id, &post_out(post))?))
    }
    fn register_command(&self, c: &host::SlashCommand) -> HostResult<()> {
        Ok(commands::register(&commands::Command {
            trigger: c.trigger.clone(),
            display_name: c.display_name.clone(),
            description: c.description.clone(),
            auto_complete: c.auto_complete,
            auto_complete_desc: c.auto_complete_desc.clone(),
            auto_complete_hint: c.auto_complete_hint.clone(),
            autocomplete_data: if c.autocomplete_data.is_null() {
                String::new()
            } else {
                c.autocomplete_data.to_string()
            },
        })?)
    }
    fn open_dialog(&self, trigger_id: &str, dialog: &Value) -> HostResult<()> {
        Ok(dialogs::open(trigger_id, &dialog.to_string())?)
    }
    fn execute_command(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
        command: &str,
    ) -> HostResult<String> {
        Ok(commands::execute(user_id, channel_id, root_id, command)?)
    }
    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()> {
        Ok(scheduler::schedule_once(key, at_ms, payload)?)
    }
    fn cancel_job(&self, key: &str) -> HostResult<bool> {
        Ok(scheduler::cancel(key)?)
    }
    fn publish_event(&self, event: &str, data: &Value, b: &host::Broadcast) -> HostResult<()> {
        let broadcast = events::Broadcast {
            user_id: b.user_id.clone(),
            channel_id: b.channel_id.clone(),
            team_id: b.team_id.clone(),
        };
        Ok(events::publish(event, &data.to_string(), &broadcast)?)
    }
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()> {
        Ok(http_out::post_json(url, body)?)
    }
    // Compile-fixing stubs until the lead wires the `sql` imports of
    // contract 0.2.0 (helper branch h/tables does not touch the WIT).
    fn sql_query(
        &self,
        _sql: &str,
        _params: &[crate::sql::SqlValue],
    ) -> HostResult<crate::sql::Rows> {
        Err(HostError::Other("sql: not wired".into()))
    }
    fn sql_execute(&self, _sql: &str, _params: &[crate::sql::SqlValue]) -> HostResult<u64> {
        Err(HostError::Other("sql: not wired".into()))
    }
    fn sql_transaction(&self, _statements: &[crate::sql::Statement]) -> HostResult<Vec<u64>> {
        Err(HostError::Other("sql: not wired".into()))
    }
}

struct Plugin;

impl wit_hooks::Guest for Plugin {
    fn activate() -> Result<(), WitError> {
        install_panic_hook();
        Ok(crate::hooks::activate(&WitHost)?)
    }

    fn deactivate() {
        install_panic_hook();
        crate::hooks::deactivate(&WitHost)
    }

    fn configuration_changed(config: String) -> Result<(), WitError> {
        install_panic_hook();
        Ok(crate::hooks::configuration_changed(&WitHost, &config)?)
    }

    fn execute_command(
        args: wit_hooks::CommandArgs,
    ) -> Result<wit_hooks::CommandResponse, WitError> {
        install_panic_hook();
        let args = api::CommandArgs {
            user_id: args.user_id,
            channel_id: args.channel_id,
            team_id: args.team_id,
            root_id: args.root_id,
            command: args.command,
            trigger_id: args.trigger_id,
        };
        let r = crate::hooks::execute_command(&WitHost, &args)?;
        Ok(wit_hooks::CommandResponse {
            response_type: r.response_type,
            text: r.text,
            username: String::new(),
            icon_url: String::new(),
            type_: String::new(),
            props: String::new(),
            goto_location: String::new(),
            attachments: if r.attachments.is_null() {
                String::new()
            } else {
                r.attachments.to_string()
            },
        })
    }

    fn message_has_been_posted(post: WitPost) {
        install_panic_hook();
        crate::hooks::message_has_been_posted(&WitHost, &post_in(post))
    }

    fn user_has_joined_channel(channel_id: String, user_id: String, actor_id: Option<String>) {
        install_panic_hook();
        crate::hooks::user_has_joined_channel(&WitHost, &channel_id, &user_id, actor_id.as_deref())
    }

    fn serve_http(request: wit_hooks::HttpRequest) -> wit_hooks::HttpResponse {
        install_panic_hook();
        let request = api::HttpRequest {
            method: request.method,
            path: request.path,
            query: request.query,
            headers: request.headers,
            body: request.body,
            user_id: request.user_id,
        };
        let r = crate::hooks::serve_http(&WitHost, &request);
        wit_hooks::HttpResponse {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }

    fn post_action(
        request: wit_hooks::ActionRequest,
    ) -> Result<wit_hooks::ActionResponse, WitError> {
        install_panic_hook();
        let request = api::ActionRequest {
            user_id: request.user_id,
            channel_id: request.channel_id,
            team_id: request.team_id,
            post_id: request.post_id,
            trigger_id: request.trigger_id,
            action_type: request.type_,
            context: serde_json::from_str(&request.context).unwrap_or(Value::Null),
            selected_option: request.selected_option,
        };
        let r = crate::hooks::post_action(&WitHost, &request)?;
        Ok(wit_hooks::ActionResponse {
            update: r.update.map(post_out),
            ephemeral_text: r.ephemeral_text,
        })
    }

    fn dialog_submit(
        s: wit_hooks::DialogSubmission,
    ) -> Result<wit_hooks::DialogResponse, WitError> {
        install_panic_hook();
        let submission = api::DialogSubmission {
            callback_id: s.callback_id,
            state: s.state,
            user_id: s.user_id,
            channel_id: s.channel_id,
            team_id: s.team_id,
            submission: serde_json::from_str(&s.submission).unwrap_or(Value::Null),
            cancelled: s.cancelled,
        };
        let r = crate::hooks::dialog_submit(&WitHost, &submission)?;
        Ok(wit_hooks::DialogResponse {
            errors: r.errors,
            error: r.error,
        })
    }

    fn scheduled_job(key: String, payload: String) {
        install_panic_hook();
        crate::hooks::scheduled_job(&WitHost, &key, &payload)
    }
}

export!(Plugin);
