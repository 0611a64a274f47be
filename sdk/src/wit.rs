//! The only module that knows the WIT contract (0.2.0): the bindings (one
//! `generate!`), [`WitHost`], the real host over the imports, and the hook
//! adapters [`crate::export_plugin!`] wires to a [`crate::Plugin`]. Built
//! for wasm32 only; native builds test plugins against [`crate::testing`].

use serde_json::{Map, Value};

use crate::Plugin;
use crate::api;
use crate::host::{self, HostError, HostResult, KvOp, Level};
use crate::host::{Channels, Commands, Events, Http, Jobs, Kv, Posts, Runtime, Sql, Teams, Users};
use crate::sql::{Rows, SqlValue, Statement};

/// The generated bindings. Public so that [`crate::export_plugin!`] can name
/// them from the plugin's crate.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit/v0.2",
        world: "chat-plugin",
        pub_export_macro: true,
        export_macro_name: "export_hooks",
        default_bindings_module: "chatops_plugin_sdk::wit::bindings",
    });
}

use bindings::chatops::plugin::types::{
    ChannelType, Error as WitError, Post as WitPost, PostPatch, Roles,
};
use bindings::chatops::plugin::{
    channels, clock, commands, config, dialogs, events, http_out, kv, log, posts, random,
    scheduler, sql, teams, users,
};
use bindings::exports::chatops::plugin::hooks as wit_hooks;

/// Sends panics to the host log before the trap, so the host can say why an
/// instance died. Installed once per instance, on its first hook call.
pub fn install_panic_hook() {
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

fn channel_in(c: bindings::chatops::plugin::types::Channel) -> host::Channel {
    host::Channel {
        id: c.id,
        team_id: c.team_id,
        channel_type: channel_letter(c.type_).to_owned(),
        name: c.name,
        display_name: c.display_name,
        header: c.header,
        purpose: c.purpose,
        delete_at: c.delete_at,
    }
}

fn channel_out(c: host::Channel) -> bindings::chatops::plugin::types::Channel {
    bindings::chatops::plugin::types::Channel {
        id: c.id,
        create_at: 0,
        update_at: 0,
        delete_at: c.delete_at,
        team_id: c.team_id,
        type_: channel_type(&c.channel_type),
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: String::new(),
    }
}

fn user_in(u: bindings::chatops::plugin::types::User) -> host::User {
    host::User {
        id: u.id,
        username: u.username,
        roles: role_names(u.roles),
        is_bot: u.is_bot,
    }
}

/// Mattermost's one-letter channel types, which the plain-Rust port keeps.
fn channel_letter(t: ChannelType) -> &'static str {
    match t {
        ChannelType::Open => "O",
        ChannelType::Private => "P",
        ChannelType::Direct => "D",
        ChannelType::Group => "G",
    }
}

fn channel_type(letter: &str) -> ChannelType {
    match letter {
        "O" => ChannelType::Open,
        "D" => ChannelType::Direct,
        "G" => ChannelType::Group,
        _ => ChannelType::Private,
    }
}

/// Mattermost's space-separated role names.
fn role_names(roles: Roles) -> String {
    [
        (Roles::SYSTEM_ADMIN, "system_admin"),
        (Roles::SYSTEM_USER, "system_user"),
        (Roles::SYSTEM_GUEST, "system_guest"),
        (Roles::SYSTEM_USER_MANAGER, "system_user_manager"),
        (Roles::SYSTEM_MANAGER, "system_manager"),
        (Roles::SYSTEM_READ_ONLY_ADMIN, "system_read_only_admin"),
    ]
    .iter()
    .filter(|(flag, _)| roles.contains(*flag))
    .map(|(_, name)| *name)
    .collect::<Vec<_>>()
    .join(" ")
}

fn sql_in(v: sql::Value) -> SqlValue {
    match v {
        sql::Value::Null => SqlValue::Null,
        sql::Value::Integer(i) => SqlValue::Integer(i),
        sql::Value::Real(f) => SqlValue::Real(f),
        sql::Value::Text(t) => SqlValue::Text(t),
        sql::Value::Blob(b) => SqlValue::Blob(b),
    }
}

fn sql_out(v: &SqlValue) -> sql::Value {
    match v {
        SqlValue::Null => sql::Value::Null,
        SqlValue::Integer(i) => sql::Value::Integer(*i),
        SqlValue::Real(f) => sql::Value::Real(*f),
        SqlValue::Text(t) => sql::Value::Text(t.clone()),
        SqlValue::Blob(b) => sql::Value::Blob(b.clone()),
    }
}

fn rows_in(r: sql::Rows) -> Rows {
    Rows {
        columns: r.columns,
        rows: r
            .rows
            .into_iter()
            .map(|row| row.into_iter().map(sql_in).collect())
            .collect(),
    }
}

/// The real host: every call is a WIT import.
pub struct WitHost;

impl Runtime for WitHost {
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
}

impl Kv for WitHost {
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
}

impl Sql for WitHost {
    fn sql_query(&self, sql_text: &str, params: &[SqlValue]) -> HostResult<Rows> {
        let params: Vec<sql::Value> = params.iter().map(sql_out).collect();
        Ok(rows_in(sql::query(sql_text, &params)?))
    }
    fn sql_execute(&self, sql_text: &str, params: &[SqlValue]) -> HostResult<u64> {
        let params: Vec<sql::Value> = params.iter().map(sql_out).collect();
        Ok(sql::execute(sql_text, &params)?)
    }
    fn sql_transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>> {
        let statements: Vec<sql::Statement> = statements
            .iter()
            .map(|s| sql::Statement {
                sql: s.sql.clone(),
                params: s.params.iter().map(sql_out).collect(),
                expect_changes: s.expect_changes,
            })
            .collect();
        Ok(sql::transaction(&statements)?)
    }
}

impl Users for WitHost {
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
}

impl Teams for WitHost {
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
}

impl Channels for WitHost {
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
    /// The port pages by offset, the contract by cursor: pages are read
    /// until `offset` members are skipped and `limit` collected.
    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> HostResult<Vec<String>> {
        let (mut skip, want) = (offset as usize, limit as usize);
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        while out.len() < want {
            let page = channels::members(channel_id, cursor.as_deref(), 1000)?;
            for id in page.ids {
                if skip > 0 {
                    skip -= 1;
                } else if out.len() < want {
                    out.push(id);
                }
            }
            match page.next_cursor {
                Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
                _ => break,
            }
        }
        Ok(out)
    }
}

impl Posts for WitHost {
    fn create_post(&self, post: host::Post) -> HostResult<host::Post> {
        Ok(post_in(posts::create(&post_out(post))?))
    }
    /// Only the message and props change (the 0.2 patch).
    fn update_post(&self, post: host::Post) -> HostResult<host::Post> {
        let patch = PostPatch {
            message: Some(post.message),
            props: Some(Value::Object(post.props).to_string()),
        };
        Ok(post_in(posts::update(&post.id, &patch)?))
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
}

impl Commands for WitHost {
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
        Ok(
            match commands::execute(user_id, channel_id, root_id, command)? {
                commands::Executed::Ran(text) => text,
                commands::Executed::Queued => String::new(),
            },
        )
    }
}

impl Jobs for WitHost {
    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()> {
        Ok(scheduler::schedule_once(key, at_ms, payload)?)
    }
    fn cancel_job(&self, key: &str) -> HostResult<bool> {
        Ok(scheduler::cancel(key)?)
    }
}

impl Events for WitHost {
    fn publish_event(&self, event: &str, data: &Value, b: &host::Broadcast) -> HostResult<()> {
        let broadcast = events::Broadcast {
            user_id: b.user_id.clone(),
            channel_id: b.channel_id.clone(),
            team_id: b.team_id.clone(),
        };
        Ok(events::publish(event, &data.to_string(), &broadcast)?)
    }
}

impl Http for WitHost {
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()> {
        Ok(http_out::post_json(url, body)?)
    }
}

/// The hooks, converted and forwarded to `P`; [`crate::export_plugin!`]
/// implements the generated `Guest` trait with these.
pub struct Exports<P>(std::marker::PhantomData<P>);

impl<P: Plugin + 'static> wit_hooks::Guest for Exports<P> {
    fn activate() -> Result<(), WitError> {
        install_panic_hook();
        Ok(P::activate(&WitHost)?)
    }

    fn deactivate() {
        install_panic_hook();
        P::deactivate(&WitHost)
    }

    fn configuration_changed(config: String) -> Result<(), WitError> {
        install_panic_hook();
        Ok(P::configuration_changed(&WitHost, &config)?)
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
        let r = P::execute_command(&WitHost, &args)?;
        Ok(wit_hooks::CommandResponse {
            response_type: if r.response_type == "in_channel" {
                wit_hooks::ResponseType::InChannel
            } else {
                wit_hooks::ResponseType::Ephemeral
            },
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
        P::message_has_been_posted(&WitHost, &post_in(post))
    }

    fn user_has_joined_channel(channel_id: String, user_id: String, actor_id: Option<String>) {
        install_panic_hook();
        P::user_has_joined_channel(&WitHost, &channel_id, &user_id, actor_id.as_deref())
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
        let r = P::serve_http(&WitHost, &request);
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
            action_type: match request.type_ {
                wit_hooks::ActionType::Button => "button".into(),
                wit_hooks::ActionType::Select => "select".into(),
            },
            context: serde_json::from_str(&request.context).unwrap_or(Value::Null),
            selected_option: request.selected_option,
        };
        let r = P::post_action(&WitHost, &request)?;
        Ok(wit_hooks::ActionResponse {
            // A post's message and props are what an action may change.
            update: r.update.map(|p| PostPatch {
                message: Some(p.message),
                props: Some(Value::Object(p.props).to_string()),
            }),
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
        let r = P::dialog_submit(&WitHost, &submission)?;
        Ok(wit_hooks::DialogResponse {
            errors: r.errors,
            error: r.error,
        })
    }

    fn scheduled_job(key: String, payload: String) {
        install_panic_hook();
        P::scheduled_job(&WitHost, &key, &payload)
    }
}

/// Exports `$plugin` (a type implementing [`crate::Plugin`]) as the
/// component's hooks, with the panic hook installed on every entry.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        type __ChatopsPluginExports = $crate::wit::Exports<$plugin>;
        $crate::wit::bindings::export_hooks!(
            __ChatopsPluginExports with_types_in $crate::wit::bindings
        );
    };
}
