//! Contract 0.1.0 on top of 0.2.0: every 0.1 import converts its records
//! and calls the 0.2 implementation, so a rule fixed there holds for old
//! plugins too. Where 0.1 meant something 0.2 no longer says (a post update
//! that replaces the type, members by offset, roles as text, commands
//! answering "" when queued) the old meaning is kept here, on the same
//! services.

use super::R as R2;
use crate::runtime::bindings::v0_1::chatops::plugin::{
    channels, clock, commands, config, dialogs, events, http_out, kv, log, posts, random,
    scheduler, teams, types, users,
};
use crate::runtime::bindings::v0_2::chatops::plugin as v2;
use crate::runtime::bindings::wit;
use crate::runtime::convert::{channel_type_from_wit, json_object, post_to_wit};
use crate::runtime::state::{HostState, limits};

type R<T> = Result<T, types::Error>;

fn err(e: wit::Error) -> types::Error {
    match e {
        wit::Error::NotFound => types::Error::NotFound,
        wit::Error::PermissionDenied => types::Error::PermissionDenied,
        wit::Error::Conflict => types::Error::Conflict,
        wit::Error::InvalidInput(m) => types::Error::InvalidInput(m),
        wit::Error::Other(m) => types::Error::Other(m),
    }
}

fn lift<T, U>(r: R2<T>, f: impl FnOnce(T) -> U) -> R<U> {
    r.map(f).map_err(err)
}

/// Moves a post between the versions' identical `post` records.
macro_rules! same_post {
    ($p:expr => $to:path) => {{
        let p = $p;
        $to {
            id: p.id,
            create_at: p.create_at,
            update_at: p.update_at,
            edit_at: p.edit_at,
            delete_at: p.delete_at,
            user_id: p.user_id,
            channel_id: p.channel_id,
            root_id: p.root_id,
            message: p.message,
            type_: p.type_,
            props: p.props,
        }
    }};
}

fn post_up(p: types::Post) -> wit::Post {
    same_post!(p => wit::Post)
}

/// A 0.2 post as 0.1's (also what 0.1 hooks receive).
pub(crate) fn post_down(p: wit::Post) -> types::Post {
    same_post!(p => types::Post)
}

/// 0.1 channel types are Mattermost's letters; an unknown one is refused
/// rather than guessed.
/// `strict`: refuse an unknown letter (a create). An update never changes
/// the type (the service keeps the stored one), so any letter will do there.
fn channel_up(c: types::Channel, strict: bool) -> R<wit::Channel> {
    let type_ = match c.type_.as_str() {
        "O" => wit::ChannelType::Open,
        "P" => wit::ChannelType::Private,
        "D" => wit::ChannelType::Direct,
        "G" => wit::ChannelType::Group,
        _ if strict => {
            return Err(types::Error::InvalidInput("type: \"O\" or \"P\"".into()));
        }
        _ => wit::ChannelType::Private,
    };
    Ok(wit::Channel {
        id: c.id,
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id,
        type_,
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: c.creator_id,
    })
}

fn channel_down(c: wit::Channel) -> types::Channel {
    types::Channel {
        id: c.id,
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id,
        type_: channel_type_from_wit(c.type_).to_string(),
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: c.creator_id,
    }
}

/// Users and teams are read from the model directly: 0.1 carries the
/// roles and the team type as Mattermost's text, including roles 0.2's
/// flags do not name.
fn user_down(u: crate::model::User) -> types::User {
    types::User {
        id: u.id,
        create_at: u.create_at,
        update_at: u.update_at,
        delete_at: u.delete_at,
        username: u.username,
        email: u.email,
        nickname: u.nickname,
        first_name: u.first_name,
        last_name: u.last_name,
        roles: u.roles,
        locale: u.locale,
        is_bot: u.is_bot,
    }
}

fn team_down(t: crate::model::Team) -> types::Team {
    types::Team {
        id: t.id,
        create_at: t.create_at,
        update_at: t.update_at,
        delete_at: t.delete_at,
        name: t.name,
        display_name: t.display_name,
        description: t.description,
        type_: t.team_type,
    }
}

fn store_err(e: chat_store::StoreError) -> types::Error {
    err(e.into())
}

impl types::Host for HostState {}

impl posts::Host for HostState {
    fn create(&mut self, post: types::Post) -> R<types::Post> {
        lift(v2::posts::Host::create(self, post_up(post)), post_down)
    }

    /// 0.1 replaced message, props and type, keeping the pinned flag.
    fn update(&mut self, post: types::Post) -> R<types::Post> {
        let props = json_object(&post.props, "props").map_err(err)?;
        let stored = self
            .services
            .chat
            .post(&post.id)
            .map_err(store_err)?
            .ok_or(types::Error::NotFound)?;
        let mut changed = stored.clone();
        changed.message = post.message;
        changed.props = props;
        changed.post_type = post.type_;
        self.services
            .integrity
            .sign_post_actions(&self.plugin_id, &mut changed)
            .map_err(|e| err(e.into()))?;
        let updated = self
            .services
            .update_post(&changed)
            .map_err(|e| err(e.into()))?;
        Ok(post_down(post_to_wit(updated)))
    }

    fn delete(&mut self, post_id: String) -> R<()> {
        v2::posts::Host::delete(self, post_id).map_err(err)
    }

    fn get(&mut self, post_id: String) -> R<Option<types::Post>> {
        lift(v2::posts::Host::get(self, post_id), |p| p.map(post_down))
    }

    fn send_ephemeral(&mut self, user_id: String, post: types::Post) -> R<types::Post> {
        lift(
            v2::posts::Host::send_ephemeral(self, user_id, post_up(post)),
            post_down,
        )
    }
}

impl channels::Host for HostState {
    fn get(&mut self, channel_id: String) -> R<Option<types::Channel>> {
        lift(v2::channels::Host::get(self, channel_id), |c| {
            c.map(channel_down)
        })
    }

    fn get_by_name(&mut self, team_id: String, name: String) -> R<Option<types::Channel>> {
        lift(v2::channels::Host::get_by_name(self, team_id, name), |c| {
            c.map(channel_down)
        })
    }

    fn create(&mut self, channel: types::Channel) -> R<types::Channel> {
        let channel = channel_up(channel, true)?;
        lift(v2::channels::Host::create(self, channel), channel_down)
    }

    fn direct(&mut self, user_a: String, user_b: String) -> R<types::Channel> {
        lift(
            v2::channels::Host::direct(self, user_a, user_b),
            channel_down,
        )
    }

    fn add_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        v2::channels::Host::add_member(self, channel_id, user_id).map_err(err)
    }

    fn remove_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        v2::channels::Host::remove_member(self, channel_id, user_id).map_err(err)
    }

    fn is_member(&mut self, channel_id: String, user_id: String) -> R<bool> {
        v2::channels::Host::is_member(self, channel_id, user_id).map_err(err)
    }

    fn members(&mut self, channel_id: String, offset: u32, limit: u32) -> R<Vec<String>> {
        let limit = limit.min(limits::MAX_MEMBERS_PAGE);
        self.services
            .chat
            .channel_members(&channel_id, offset, limit)
            .map_err(store_err)
    }

    fn update(&mut self, channel: types::Channel) -> R<types::Channel> {
        let channel = channel_up(channel, false)?;
        lift(v2::channels::Host::update(self, channel), channel_down)
    }

    fn add_to_category(
        &mut self,
        user_id: String,
        team_id: String,
        category: String,
        channel_id: String,
    ) -> R<()> {
        v2::channels::Host::add_to_category(self, user_id, team_id, category, channel_id)
            .map_err(err)
    }
}

impl users::Host for HostState {
    fn get(&mut self, user_id: String) -> R<Option<types::User>> {
        let user = self.services.chat.user(&user_id).map_err(store_err)?;
        Ok(user.map(user_down))
    }

    fn get_by_username(&mut self, username: String) -> R<Option<types::User>> {
        let username = username.trim_start_matches('@').to_lowercase();
        let user = self
            .services
            .chat
            .user_by_username(&username)
            .map_err(store_err)?;
        Ok(user.map(user_down))
    }

    fn ensure_bot(
        &mut self,
        username: String,
        display_name: String,
        description: String,
    ) -> R<String> {
        v2::users::Host::ensure_bot(self, username, display_name, description).map_err(err)
    }
}

impl teams::Host for HostState {
    fn get(&mut self, team_id: String) -> R<Option<types::Team>> {
        let team = self.services.chat.team(&team_id).map_err(store_err)?;
        Ok(team.map(team_down))
    }

    fn get_by_name(&mut self, name: String) -> R<Option<types::Team>> {
        let team = self.services.chat.team_by_name(&name).map_err(store_err)?;
        Ok(team.map(team_down))
    }

    fn is_member(&mut self, team_id: String, user_id: String) -> R<bool> {
        v2::teams::Host::is_member(self, team_id, user_id).map_err(err)
    }

    fn add_member(&mut self, team_id: String, user_id: String) -> R<()> {
        v2::teams::Host::add_member(self, team_id, user_id).map_err(err)
    }
}

impl commands::Host for HostState {
    fn register(&mut self, c: commands::Command) -> R<()> {
        let command = v2::commands::Command {
            trigger: c.trigger,
            display_name: c.display_name,
            description: c.description,
            auto_complete: c.auto_complete,
            auto_complete_desc: c.auto_complete_desc,
            auto_complete_hint: c.auto_complete_hint,
            autocomplete_data: c.autocomplete_data,
        };
        v2::commands::Host::register(self, command).map_err(err)
    }

    fn unregister(&mut self, trigger: String) -> R<()> {
        v2::commands::Host::unregister(self, trigger).map_err(err)
    }

    /// 0.1 answered "" for a queued command.
    fn execute(
        &mut self,
        user_id: String,
        channel_id: String,
        root_id: String,
        command: String,
    ) -> R<String> {
        lift(
            v2::commands::Host::execute(self, user_id, channel_id, root_id, command),
            |done| match done {
                v2::commands::Executed::Ran(text) => text,
                v2::commands::Executed::Queued => String::new(),
            },
        )
    }
}

impl dialogs::Host for HostState {
    fn open(&mut self, trigger_id: String, dialog: String) -> R<()> {
        v2::dialogs::Host::open(self, trigger_id, dialog).map_err(err)
    }
}

impl kv::Host for HostState {
    fn get(&mut self, key: String) -> R<Option<Vec<u8>>> {
        v2::kv::Host::get(self, key).map_err(err)
    }

    fn get_many(&mut self, keys: Vec<String>) -> R<Vec<Option<Vec<u8>>>> {
        v2::kv::Host::get_many(self, keys).map_err(err)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> R<()> {
        v2::kv::Host::set(self, key, value).map_err(err)
    }

    fn delete(&mut self, key: String) -> R<()> {
        v2::kv::Host::delete(self, key).map_err(err)
    }

    fn compare_and_set(
        &mut self,
        key: String,
        old: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
    ) -> R<bool> {
        v2::kv::Host::compare_and_set(self, key, old, new).map_err(err)
    }

    fn set_if_absent(&mut self, key: String, value: Vec<u8>) -> R<bool> {
        v2::kv::Host::set_if_absent(self, key, value).map_err(err)
    }

    fn list_keys(&mut self, prefix: String, cursor: Option<String>, limit: u32) -> R<kv::KeyPage> {
        lift(
            v2::kv::Host::list_keys(self, prefix, cursor, limit),
            |page| kv::KeyPage {
                keys: page.keys,
                next_cursor: page.next_cursor,
            },
        )
    }

    fn atomic_write(
        &mut self,
        expectations: Vec<kv::Expectation>,
        operations: Vec<kv::Operation>,
    ) -> R<bool> {
        let expectations = expectations
            .into_iter()
            .map(|e| v2::kv::Expectation {
                key: e.key,
                value: e.value,
            })
            .collect();
        let operations = operations
            .into_iter()
            .map(|op| match op {
                kv::Operation::Set(kv) => v2::kv::Operation::Set(kv),
                kv::Operation::Delete(key) => v2::kv::Operation::Delete(key),
            })
            .collect();
        v2::kv::Host::atomic_write(self, expectations, operations).map_err(err)
    }
}

impl scheduler::Host for HostState {
    fn schedule_once(&mut self, key: String, at_ms: i64, payload: String) -> R<()> {
        v2::scheduler::Host::schedule_once(self, key, at_ms, payload).map_err(err)
    }

    fn cancel(&mut self, key: String) -> R<bool> {
        v2::scheduler::Host::cancel(self, key).map_err(err)
    }
}

impl clock::Host for HostState {
    fn now_ms(&mut self) -> i64 {
        v2::clock::Host::now_ms(self)
    }
}

impl random::Host for HostState {
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        v2::random::Host::random_bytes(self, len)
    }
}

impl log::Host for HostState {
    fn write(&mut self, level: log::Level, message: String) {
        let level = match level {
            log::Level::Debug => v2::log::Level::Debug,
            log::Level::Info => v2::log::Level::Info,
            log::Level::Warn => v2::log::Level::Warn,
            log::Level::Error => v2::log::Level::Error,
        };
        v2::log::Host::write(self, level, message)
    }
}

impl config::Host for HostState {
    fn get(&mut self) -> String {
        v2::config::Host::get(self)
    }
}

impl events::Host for HostState {
    fn publish(&mut self, event: String, data: String, b: events::Broadcast) -> R<()> {
        let broadcast = v2::events::Broadcast {
            user_id: b.user_id,
            channel_id: b.channel_id,
            team_id: b.team_id,
        };
        v2::events::Host::publish(self, event, data, broadcast).map_err(err)
    }
}

impl http_out::Host for HostState {
    fn post_json(&mut self, url: String, body: String) -> R<()> {
        v2::http_out::Host::post_json(self, url, body).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_letters_map_to_the_enum_and_back() {
        for letter in ["O", "P", "D", "G"] {
            let c = types::Channel {
                id: String::new(),
                create_at: 0,
                update_at: 0,
                delete_at: 0,
                team_id: String::new(),
                type_: letter.into(),
                display_name: String::new(),
                name: String::new(),
                header: String::new(),
                purpose: String::new(),
                creator_id: String::new(),
            };
            let up = channel_up(c, true).map_err(|_| "refused").unwrap();
            assert_eq!(
                crate::runtime::convert::channel_type_to_wit(letter),
                up.type_
            );
            assert_eq!(channel_down(up).type_, letter);
        }
    }
}
