//! Test-only [`Host`]: the [`FakeHost`] with distinct random bytes per call
//! (so ids differ) and a one-shot hook run just before the next
//! compare-and-set or atomic write (to simulate a concurrent writer between
//! a read and its write). Everything else is delegated.

use std::cell::{Cell, RefCell};

use serde_json::Value;

use crate::fake::FakeHost;
use crate::host::*;
use crate::sql::{Rows, SqlValue, Statement};

type Hook = Box<dyn FnOnce(&FakeHost)>;

pub struct TestHost {
    pub inner: FakeHost,
    counter: Cell<u64>,
    before_write: RefCell<Option<Hook>>,
    /// Compare-and-set and atomic writes attempted so far.
    pub writes: Cell<u32>,
    /// Who each published event went to, in order.
    pub broadcasts: RefCell<Vec<Broadcast>>,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// [`FakeHost::with_basics`] (team `t1`, users `admin` and `bob`) plus
    /// `carol` (team member) and `dave` (not in the team), plain users.
    pub fn new() -> Self {
        let mut inner = FakeHost::with_basics();
        for id in ["carol", "dave"] {
            inner.users.insert(
                id.into(),
                User {
                    id: id.into(),
                    username: id.into(),
                    roles: "system_user".into(),
                    is_bot: false,
                },
            );
        }
        inner
            .members
            .get_mut()
            .push(("team:t1".into(), "carol".into()));
        inner.teams.insert(
            "t2".into(),
            Team {
                id: "t2".into(),
                name: "team-two".into(),
                display_name: "Two".into(),
            },
        );
        inner
            .members
            .get_mut()
            .push(("team:t2".into(), "dave".into()));
        TestHost {
            inner,
            counter: Cell::new(0),
            before_write: RefCell::new(None),
            writes: Cell::new(0),
            broadcasts: RefCell::new(Vec::new()),
        }
    }

    /// Runs `hook` on the stored data just before the next write.
    pub fn before_next_write(&self, hook: impl FnOnce(&FakeHost) + 'static) {
        *self.before_write.borrow_mut() = Some(Box::new(hook));
    }

    fn on_write(&self) {
        self.writes.set(self.writes.get() + 1);
        let hook = self.before_write.borrow_mut().take();
        if let Some(hook) = hook {
            hook(&self.inner);
        }
    }

    pub fn events(&self) -> Vec<(String, Value)> {
        self.inner.events.borrow().clone()
    }

    /// The last event published with its data decoded: for
    /// `playbook_run_updated_incremental`, the `PlaybookRunUpdate` its
    /// `payload` carries as JSON text; otherwise the data as published.
    pub fn last_event(&self) -> (String, Value) {
        let (event, data) = self.events().last().cloned().unwrap_or_default();
        match data["payload"].as_str() {
            Some(text) => (event, serde_json::from_str(text).unwrap_or(Value::Null)),
            None => (event, data),
        }
    }
}

impl Runtime for TestHost {
    fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }
    fn random_bytes(&self, len: u32) -> Vec<u8> {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        let mut bytes = vec![0u8; len as usize];
        let be = n.to_be_bytes();
        let start = bytes.len().saturating_sub(be.len());
        for (slot, b) in bytes[start..]
            .iter_mut()
            .zip(be.iter().skip(be.len().saturating_sub(len as usize)))
        {
            *slot = *b;
        }
        bytes
    }
    fn log(&self, level: Level, message: &str) {
        self.inner.log(level, message)
    }
    fn config(&self) -> String {
        self.inner.config()
    }
}

impl Kv for TestHost {
    fn kv_get(&self, key: &str) -> HostResult<Option<Vec<u8>>> {
        self.inner.kv_get(key)
    }
    fn kv_get_many(&self, keys: &[String]) -> HostResult<Vec<Option<Vec<u8>>>> {
        assert!(keys.len() <= 1000, "get_many of {} keys", keys.len());
        self.inner.kv_get_many(keys)
    }
    fn kv_set(&self, key: &str, value: &[u8]) -> HostResult<()> {
        self.inner.kv_set(key, value)
    }
    fn kv_delete(&self, key: &str) -> HostResult<()> {
        self.inner.kv_delete(key)
    }
    fn kv_compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> HostResult<bool> {
        self.on_write();
        self.inner.kv_compare_and_set(key, old, new)
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
        assert!(limit <= 1000, "list of {limit} keys");
        self.inner.kv_list(prefix, cursor, limit)
    }
    fn kv_atomic_write(
        &self,
        expect: &[(String, Option<Vec<u8>>)],
        ops: &[KvOp],
    ) -> HostResult<bool> {
        self.on_write();
        self.inner.kv_atomic_write(expect, ops)
    }
}

impl Users for TestHost {
    fn user(&self, id: &str) -> HostResult<Option<User>> {
        self.inner.user(id)
    }
    fn user_by_username(&self, username: &str) -> HostResult<Option<User>> {
        self.inner.user_by_username(username)
    }
    fn ensure_bot(
        &self,
        username: &str,
        display_name: &str,
        description: &str,
    ) -> HostResult<String> {
        self.inner.ensure_bot(username, display_name, description)
    }
}

impl Teams for TestHost {
    fn team(&self, id: &str) -> HostResult<Option<Team>> {
        self.inner.team(id)
    }
    fn is_team_member(&self, team_id: &str, user_id: &str) -> HostResult<bool> {
        self.inner.is_team_member(team_id, user_id)
    }
    fn add_team_member(&self, team_id: &str, user_id: &str) -> HostResult<()> {
        self.inner.add_team_member(team_id, user_id)
    }
}

impl Channels for TestHost {
    fn channel(&self, id: &str) -> HostResult<Option<Channel>> {
        self.inner.channel(id)
    }
    fn channel_by_name(&self, team_id: &str, name: &str) -> HostResult<Option<Channel>> {
        self.inner.channel_by_name(team_id, name)
    }
    fn create_channel(&self, channel: Channel) -> HostResult<Channel> {
        self.inner.create_channel(channel)
    }
    fn update_channel(&self, channel: Channel) -> HostResult<Channel> {
        self.inner.update_channel(channel)
    }
    fn direct_channel(&self, user_a: &str, user_b: &str) -> HostResult<Channel> {
        self.inner.direct_channel(user_a, user_b)
    }
    fn add_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        self.inner.add_channel_member(channel_id, user_id)
    }
    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<()> {
        self.inner.remove_channel_member(channel_id, user_id)
    }
    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> HostResult<bool> {
        self.inner.is_channel_member(channel_id, user_id)
    }
    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> HostResult<Vec<String>> {
        self.inner.channel_members(channel_id, offset, limit)
    }
    fn add_channel_to_category(
        &self,
        user_id: &str,
        team_id: &str,
        category: &str,
        channel_id: &str,
    ) -> HostResult<()> {
        self.inner
            .add_channel_to_category(user_id, team_id, category, channel_id)
    }
}

impl Posts for TestHost {
    fn create_post(&self, post: Post) -> HostResult<Post> {
        self.inner.create_post(post)
    }
    fn update_post(&self, post: Post) -> HostResult<Post> {
        self.inner.update_post(post)
    }
    fn delete_post(&self, post_id: &str) -> HostResult<()> {
        self.inner.delete_post(post_id)
    }
    fn post(&self, post_id: &str) -> HostResult<Option<Post>> {
        self.inner.post(post_id)
    }
    fn send_ephemeral(&self, user_id: &str, post: Post) -> HostResult<Post> {
        self.inner.send_ephemeral(user_id, post)
    }
}

impl Commands for TestHost {
    fn register_command(&self, command: &SlashCommand) -> HostResult<()> {
        self.inner.register_command(command)
    }
    fn execute_command(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
        command: &str,
    ) -> HostResult<String> {
        self.inner
            .execute_command(user_id, channel_id, root_id, command)
    }
    fn open_dialog(&self, trigger_id: &str, dialog: &Value) -> HostResult<()> {
        self.inner.open_dialog(trigger_id, dialog)
    }
}

impl Jobs for TestHost {
    fn schedule_once(&self, key: &str, at_ms: i64, payload: &str) -> HostResult<()> {
        self.inner.schedule_once(key, at_ms, payload)
    }
    fn cancel_job(&self, key: &str) -> HostResult<bool> {
        self.inner.cancel_job(key)
    }
}

impl Events for TestHost {
    fn publish_event(&self, event: &str, data: &Value, broadcast: &Broadcast) -> HostResult<()> {
        self.broadcasts.borrow_mut().push(broadcast.clone());
        self.inner.publish_event(event, data, broadcast)
    }
}

impl Http for TestHost {
    fn post_webhook(&self, url: &str, body: &str) -> HostResult<()> {
        self.inner.post_webhook(url, body)
    }
}

impl Sql for TestHost {
    /// A query that writes (`RETURNING`) counts as a write.
    fn sql_query(&self, sql: &str, params: &[SqlValue]) -> HostResult<Rows> {
        let head = sql.trim_start().get(..6).unwrap_or("");
        if !head.eq_ignore_ascii_case("select") {
            self.on_write();
        }
        self.inner.sql_query(sql, params)
    }
    fn sql_execute(&self, sql: &str, params: &[SqlValue]) -> HostResult<u64> {
        self.on_write();
        self.inner.sql_execute(sql, params)
    }
    fn sql_transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>> {
        self.on_write();
        self.inner.sql_transaction(statements)
    }
}
