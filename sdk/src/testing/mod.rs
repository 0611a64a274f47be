//! An in-memory [`Host`] for native unit tests of plugin logic: KV, users,
//! channels, posts and jobs in memory, and a real in-memory SQLite that
//! binds `$N` parameters and refuses what the host refuses.

mod sql;

use std::marker::PhantomData;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::host::*;
use crate::sql::{Rows, SqlValue, Statement};
pub use sql::SqlDb;

/// The schema a fake host's database starts with: a plugin applies its
/// migrations here so every test sees its tables.
pub trait Schema: Default {
    fn apply<H: Host + ?Sized>(host: &H) -> HostResult<()>;
}

/// No tables: the database starts empty.
#[derive(Default)]
pub struct NoSchema;

impl Schema for NoSchema {
    fn apply<H: Host + ?Sized>(_host: &H) -> HostResult<()> {
        Ok(())
    }
}

#[derive(Default)]
pub struct FakeHost<S = NoSchema> {
    pub now: i64,
    pub kv: RefCell<BTreeMap<String, Vec<u8>>>,
    pub users: HashMap<String, User>,
    pub teams: HashMap<String, Team>,
    pub channels: RefCell<HashMap<String, Channel>>,
    pub members: RefCell<Vec<(String, String)>>,
    pub posts: RefCell<Vec<Post>>,
    pub ephemerals: RefCell<Vec<(String, Post)>>,
    pub commands: RefCell<Vec<SlashCommand>>,
    pub dialogs: RefCell<Vec<(String, Value)>>,
    pub jobs: RefCell<BTreeMap<String, (i64, String)>>,
    pub events: RefCell<Vec<(String, Value)>>,
    pub webhooks: RefCell<Vec<(String, String)>>,
    pub logs: RefCell<Vec<String>>,
    pub config: String,
    pub bot: RefCell<Option<String>>,
    /// Sidebar filing: (user, team, category, channel).
    pub categorized: RefCell<Vec<(String, String, String, String)>>,
    /// Commands run through `execute_command`: (user, channel, command).
    pub executed: RefCell<Vec<(String, String, String)>>,
    /// Ids handed out to posts so far (never reused after a delete).
    pub post_seq: std::cell::Cell<u64>,
    /// The plugin's database: a real in-memory SQLite with the plugin's
    /// schema applied on first use (unless `sql.bare`).
    pub sql: SqlDb,
    schema: PhantomData<S>,
}

impl<S: Schema> FakeHost<S> {
    /// A team `t1`, channel `c1` (open) in it, admin `admin` and user `bob`,
    /// both members of the team and the channel.
    pub fn with_basics() -> Self {
        let mut host = FakeHost {
            now: 1_700_000_000_000,
            config: "{}".into(),
            ..Default::default()
        };
        for (id, roles) in [
            ("admin", "system_admin system_user"),
            ("bob", "system_user"),
        ] {
            host.users.insert(
                id.into(),
                User {
                    id: id.into(),
                    username: id.into(),
                    roles: roles.into(),
                    is_bot: false,
                },
            );
            host.members.get_mut().push(("c1".into(), id.into()));
            host.members.get_mut().push(("team:t1".into(), id.into()));
        }
        host.teams.insert(
            "t1".into(),
            Team {
                id: "t1".into(),
                name: "team-one".into(),
                display_name: "Team".into(),
            },
        );
        host.channels.get_mut().insert(
            "c1".into(),
            Channel {
                id: "c1".into(),
                team_id: "t1".into(),
                channel_type: "O".into(),
                name: "town".into(),
                ..Default::default()
            },
        );
        host
    }

    /// A host whose database starts empty (its schema is not applied):
    /// for tests of migrations and data imports.
    pub fn bare() -> Self {
        let mut host = Self::with_basics();
        host.sql.bare = true;
        host
    }

    /// Opens the database on first use and applies the plugin's schema.
    fn sql_db(&self) -> HostResult<&SqlDb> {
        if self.sql.open()? && !self.sql.bare {
            S::apply(self)?;
        }
        Ok(&self.sql)
    }

    fn next_id(&self) -> String {
        self.post_seq.set(self.post_seq.get() + 1);
        format!("id{}", self.post_seq.get())
    }
}

impl<S: Schema> Runtime for FakeHost<S> {
    fn now_ms(&self) -> i64 {
        self.now
    }
    fn random_bytes(&self, len: u32) -> Vec<u8> {
        (1..=len as u8).collect()
    }
    fn log(&self, _level: Level, message: &str) {
        self.logs.borrow_mut().push(message.into())
    }
    fn config(&self) -> String {
        self.config.clone()
    }
}

impl<S: Schema> Kv for FakeHost<S> {
    fn kv_get(&self, key: &str) -> HostResult<Option<Vec<u8>>> {
        Ok(self.kv.borrow().get(key).cloned())
    }
    fn kv_get_many(&self, keys: &[String]) -> HostResult<Vec<Option<Vec<u8>>>> {
        Ok(keys
            .iter()
            .map(|k| self.kv.borrow().get(k).cloned())
            .collect())
    }
    fn kv_set(&self, key: &str, value: &[u8]) -> HostResult<()> {
        self.kv.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    fn kv_delete(&self, key: &str) -> HostResult<()> {
        self.kv.borrow_mut().remove(key);
        Ok(())
    }
    fn kv_compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> HostResult<bool> {
        let mut kv = self.kv.borrow_mut();
        if kv.get(key).map(Vec::as_slice) != old {
            return Ok(false);
        }
        match new {
            Some(v) => kv.insert(key.into(), v.into()),
            None => kv.remove(key),
        };
        Ok(true)
    }
    fn kv_set_if_absent(&self, key: &str, value: &[u8]) -> HostResult<bool> {
        self.kv_compare_and_set(key, None, Some(value))
    }
    fn kv_list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> HostResult<(Vec<String>, Option<String>)> {
        let kv = self.kv.borrow();
        let mut keys: Vec<String> = kv
            .keys()
            .filter(|k| k.starts_with(prefix) && cursor.is_none_or(|c| k.as_str() > c))
            .take(limit as usize + 1)
            .cloned()
            .collect();
        let more = keys.len() > limit as usize;
        keys.truncate(limit as usize);
        let next = if more { keys.last().cloned() } else { None };
        Ok((keys, next))
    }
    fn kv_atomic_write(
        &self,
        expect: &[(String, Option<Vec<u8>>)],
        ops: &[KvOp],
    ) -> HostResult<bool> {
        let mut kv = self.kv.borrow_mut();
        if expect.iter().any(|(k, v)| kv.get(k) != v.as_ref()) {
            return Ok(false);
        }
        for op in ops {
            match op {
                KvOp::Set(k, v) => kv.insert(k.clone(), v.clone()),
                KvOp::Delete(k) => kv.remove(k),
            };
        }
        Ok(true)
    }
}

impl<S: Schema> Users for FakeHost<S> {
    fn user(&self, id: &str) -> HostResult<Option<User>> {
        Ok(self.users.get(id).cloned())
    }
    fn user_by_username(&self, username: &str) -> HostResult<Option<User>> {
        Ok(self
            .users
            .values()
            .find(|u| u.username == username)
            .cloned())
    }
    fn ensure_bot(
        &self,
        _username: &str,
        _display_name: &str,
        _description: &str,
    ) -> HostResult<String> {
        Ok(self
            .bot
            .borrow_mut()
            .get_or_insert_with(|| "bot".into())
            .clone())
    }
}

impl<S: Schema> Teams for FakeHost<S> {
    fn team(&self, id: &str) -> HostResult<Option<Team>> {
        Ok(self.teams.get(id).cloned())
    }
    fn is_team_member(&self, team_id: &str, user_id: &str) -> HostResult<bool> {
        Ok(self
            .members
            .borrow()
            .contains(&(format!("team:{team_id}"), user_id.into())))
    }
    fn add_team_member(&self, team_id: &str, user_id: &str) -> HostResult<()> {
        self.add_channel_member(&format!("team:{team_id}"), user_id)
    }
}

impl<S: Schema> Channels for FakeHost<S> {
    fn channel(&self, id: &str) -> HostResult<Option<Channel>> {
        Ok(self.channels.borrow().get(id).cloned())
    }
    fn channel_by_name(&self, team_id: &str, name: &str) -> HostResult<Option<Channel>> {
        Ok(self
            .channels
            .borrow()
            .values()
            .find(|c| c.team_id == team_id && c.name == name)
            .cloned())
    }
    fn create_channel(&self, mut channel: Channel) -> HostResult<Channel> {
        channel.id = format!("ch{}", self.channels.borrow().len() + 1);
        self.channels
            .borrow_mut()
            .insert(channel.id.clone(), channel.clone());
        Ok(channel)
    }
    fn update_channel(&self, channel: Channel) -> HostResult<Channel> {
        self.channels
            .borrow_mut()
            .insert(channel.id.clone(), channel.clone());
        Ok(channel)
    }
    fn direct_channel(&self, a: &str, b: &str) -> HostResult<Channel> {
        Ok(Channel {
            id: format!("{a}__{b}"),
            channel_type: "D".into(),
            ..Default::default()
        })
    }
    fn add_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        let pair = (channel_id.to_string(), user_id.to_string());
        if !self.members.borrow().contains(&pair) {
            self.members.borrow_mut().push(pair);
        }
        Ok(())
    }
    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        self.members
            .borrow_mut()
            .retain(|(c, u)| !(c == channel_id && u == user_id));
        Ok(())
    }
    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<bool> {
        Ok(self
            .members
            .borrow()
            .contains(&(channel_id.into(), user_id.into())))
    }
    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> HostResult<Vec<String>> {
        Ok(self
            .members
            .borrow()
            .iter()
            .filter(|(c, _)| c == channel_id)
            .map(|(_, u)| u.clone())
            .skip(offset as usize)
            .take(limit as usize)
            .collect())
    }
    fn add_channel_to_category(
        &self,
        user_id: &str,
        team_id: &str,
        category: &str,
        channel_id: &str,
    ) -> HostResult<()> {
        if !self.is_channel_member(channel_id, user_id)? {
            return Err(HostError::PermissionDenied);
        }
        self.categorized.borrow_mut().push((
            user_id.into(),
            team_id.into(),
            category.into(),
            channel_id.into(),
        ));
        Ok(())
    }
}

impl<S: Schema> Posts for FakeHost<S> {
    fn create_post(&self, mut post: Post) -> HostResult<Post> {
        post.id = self.next_id();
        if post.user_id.is_empty() {
            post.user_id = "bot".into();
        }
        self.posts.borrow_mut().push(post.clone());
        Ok(post)
    }
    fn update_post(&self, post: Post) -> HostResult<Post> {
        let mut posts = self.posts.borrow_mut();
        let slot = posts
            .iter_mut()
            .find(|p| p.id == post.id)
            .ok_or(HostError::NotFound)?;
        *slot = post.clone();
        Ok(post)
    }
    fn delete_post(&self, post_id: &str) -> HostResult<()> {
        self.posts.borrow_mut().retain(|p| p.id != post_id);
        Ok(())
    }
    fn post(&self, post_id: &str) -> HostResult<Option<Post>> {
        Ok(self
            .posts
            .borrow()
            .iter()
            .find(|p| p.id == post_id)
            .cloned())
    }
    fn send_ephemeral(&self, user_id: &str, mut post: Post) -> HostResult<Post> {
        post.id = self.next_id();
        self.ephemerals
            .borrow_mut()
            .push((user_id.into(), post.clone()));
        Ok(post)
    }
}

impl<S: Schema> Commands for FakeHost<S> {
    fn register_command(&self, command: &SlashCommand) -> HostResult<()> {
        self.commands.borrow_mut().push(command.clone());
        Ok(())
    }
    /// Records the command; like the server, refuses non-members.
    fn execute_command(
        &self,
        user_id: &str,
        channel_id: &str,
        _root_id: &str,
        command: &str,
    ) -> HostResult<String> {
        if !self.is_channel_member(channel_id, user_id)? {
            return Err(HostError::PermissionDenied);
        }
        self.executed
            .borrow_mut()
            .push((user_id.into(), channel_id.into(), command.into()));
        Ok(String::new())
    }
    fn open_dialog(&self, trigger_id: &str, dialog: &Value) -> HostResult<()> {
        if trigger_id.is_empty() {
            return Err(HostError::InvalidInput("trigger-id".into()));
        }
        self.dialogs
            .borrow_mut()
            .push((trigger_id.into(), dialog.clone()));
        Ok(())
    }
}

impl<S: Schema> Jobs for FakeHost<S> {
    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()> {
        self.jobs
            .borrow_mut()
            .insert(key.into(), (at_ms, payload.into()));
        Ok(())
    }
    fn cancel_job(&self, key: &str) -> HostResult<bool> {
        Ok(self.jobs.borrow_mut().remove(key).is_some())
    }
}

impl<S: Schema> Events for FakeHost<S> {
    fn publish_event(&self, event: &str, data: &Value, _b: &Broadcast) -> HostResult<()> {
        self.events.borrow_mut().push((event.into(), data.clone()));
        Ok(())
    }
}

impl<S: Schema> Http for FakeHost<S> {
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()> {
        self.webhooks.borrow_mut().push((url.into(), body.into()));
        Ok(())
    }
}

impl<S: Schema> Sql for FakeHost<S> {
    fn sql_query(&self, sql: &str, params: &[SqlValue]) -> HostResult<Rows> {
        self.sql_db()?.query(sql, params)
    }
    fn sql_execute(&self, sql: &str, params: &[SqlValue]) -> HostResult<u64> {
        self.sql_db()?.execute(sql, params)
    }
    fn sql_transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>> {
        self.sql_db()?.transaction(statements)
    }
}
