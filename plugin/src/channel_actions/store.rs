//! Channel actions and keyword-ignore flags in the plugin's SQL tables
//! (decision 022), and the per-instance cache of each channel's compiled
//! keyword matcher (decision 011).
//!
//! | table | row |
//! |---|---|
//! | `channel_actions` | `(channel_id, id)` and `data`: the action JSON |
//! | `channel_action_versions` | `channel_id -> version`, bumped with every change of the channel's actions |
//! | `keyword_ignores` | `(thread_id, user_id)`: the user answered "No, ignore thread" |
//!
//! A change upserts the action and increments the version in one
//! transaction, so concurrent edits each get their own version and no
//! cache can keep a matcher for a version that has since changed. The hot
//! path (every post) reads only the version row: absent means "no actions
//! here"; equal to the cached version means the cached automaton is current
//! (another instance may have changed the actions: the version tells).
//! Compiled matchers live per plugin instance in a bounded map. Actions are
//! never deleted (`delete_at` marks them), so a version row never goes
//! away and never goes back.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::matcher::{KeywordSet, Matcher};
use super::model::{ChannelAction, trigger_type};
use crate::host::{Host, HostError, HostResult};
use crate::params;
use crate::sql::{Row, Statement};

/// A channel's enabled actions with their keyword matcher compiled.
#[derive(Debug)]
pub struct Compiled {
    pub version: u64,
    /// Enabled, not deleted actions; the matcher's owners index this.
    pub actions: Vec<ChannelAction>,
    pub matcher: Matcher,
}

/// How many channels' matchers one instance keeps.
const CACHE_CHANNELS: usize = 4096;

thread_local! {
    static CACHE: RefCell<HashMap<String, Rc<Compiled>>> = RefCell::new(HashMap::new());
}

/// Every action of the channel (also disabled ones), in id order.
pub fn list<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<Vec<ChannelAction>> {
    host.sql_query(
        "SELECT data FROM channel_actions WHERE channel_id = $1 ORDER BY id",
        &params![channel_id],
    )?
    .iter()
    .map(|r| decode(&r))
    .collect()
}

/// How many actions the channel has (also disabled and deleted ones).
pub fn count<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<usize> {
    let rows = host.sql_query(
        "SELECT COUNT(*) AS n FROM channel_actions WHERE channel_id = $1",
        &params![channel_id],
    )?;
    let n = match rows.first() {
        Some(r) => r.i64("n")?,
        None => 0,
    };
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn get<H: Host + ?Sized>(
    host: &H,
    channel_id: &str,
    id: &str,
) -> HostResult<Option<ChannelAction>> {
    let rows = host.sql_query(
        "SELECT data FROM channel_actions WHERE channel_id = $1 AND id = $2",
        &params![channel_id, id],
    )?;
    rows.first().map(|r| decode(&r)).transpose()
}

fn decode(row: &Row<'_>) -> HostResult<ChannelAction> {
    serde_json::from_str(row.str("data")?)
        .map_err(|e| HostError::Other(format!("channel action data: {e}")))
}

/// The statements that store `action` as it is (insert, or replace the
/// stored one) and bump its channel's version: one transaction.
fn put_statements(action: &ChannelAction) -> HostResult<Vec<Statement>> {
    let data = serde_json::to_string(action).map_err(|e| HostError::Other(e.to_string()))?;
    Ok(vec![
        Statement::new(
            "INSERT INTO channel_actions (channel_id, id, data) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id, id) DO UPDATE SET data = excluded.data",
            params![&action.channel_id, &action.id, data],
        ),
        bump_version(&action.channel_id),
    ])
}

/// Increments the channel's version (1 for its first action).
fn bump_version(channel_id: &str) -> Statement {
    Statement::new(
        "INSERT INTO channel_action_versions (channel_id, version) VALUES ($1, 1) \
         ON CONFLICT (channel_id) DO UPDATE SET version = channel_action_versions.version + 1",
        params![channel_id],
    )
}

/// Stores `action` (create or replace) and bumps the channel's version, in
/// one transaction.
pub fn put<H: Host + ?Sized>(host: &H, action: &ChannelAction) -> HostResult<()> {
    host.sql_transaction(&put_statements(action)?)?;
    Ok(())
}

/// The importer's statements for an action of the KV layout: the row
/// unless one exists (a repeated import never undoes a later edit), and
/// the channel's version bumped as for any change, so no instance keeps a
/// matcher compiled without it (a repeated import costs one recompile).
pub fn import_statements(action: &ChannelAction) -> HostResult<Vec<Statement>> {
    let data = serde_json::to_string(action).map_err(|e| HostError::Other(e.to_string()))?;
    Ok(vec![
        Statement::new(
            "INSERT INTO channel_actions (channel_id, id, data) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id, id) DO NOTHING",
            params![&action.channel_id, &action.id, data],
        ),
        bump_version(&action.channel_id),
    ])
}

/// The importer's statement for a KV version: raises the stored version to
/// `version`, never lowers it (a lower one could equal a version some
/// instance cached for other actions).
pub fn import_version_statement(channel_id: &str, version: i64) -> Statement {
    Statement::new(
        "INSERT INTO channel_action_versions (channel_id, version) VALUES ($1, $2) \
         ON CONFLICT (channel_id) DO UPDATE SET version = CASE \
         WHEN excluded.version > channel_action_versions.version THEN excluded.version \
         ELSE channel_action_versions.version END",
        params![channel_id, version],
    )
}

/// Remembers an ignore flag (also what the importer writes).
pub fn ignore_statement(thread_id: &str, user_id: &str) -> Statement {
    Statement::new(
        "INSERT INTO keyword_ignores (thread_id, user_id) VALUES ($1, $2) \
         ON CONFLICT (thread_id, user_id) DO NOTHING",
        params![thread_id, user_id],
    )
}

/// The channel's action version; `None` when it never had actions.
pub fn version<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<Option<u64>> {
    let rows = host.sql_query(
        "SELECT version FROM channel_action_versions WHERE channel_id = $1",
        &params![channel_id],
    )?;
    match rows.first() {
        Some(r) => Ok(Some(u64::try_from(r.i64("version")?).unwrap_or(0))),
        None => Ok(None),
    }
}

/// Whether `user_id` asked not to be prompted in `thread_id` any more.
pub fn is_ignored<H: Host + ?Sized>(host: &H, thread_id: &str, user_id: &str) -> HostResult<bool> {
    let rows = host.sql_query(
        "SELECT 1 AS one FROM keyword_ignores WHERE thread_id = $1 AND user_id = $2",
        &params![thread_id, user_id],
    )?;
    Ok(!rows.is_empty())
}

/// Remembers "No, ignore thread" for `user_id` in `thread_id` (repeating
/// it is harmless).
pub fn ignore<H: Host + ?Sized>(host: &H, thread_id: &str, user_id: &str) -> HostResult<()> {
    host.sql_transaction(&[ignore_statement(thread_id, user_id)])?;
    Ok(())
}

/// The channel's compiled actions, from the cache when current; `None`
/// when the channel never had actions (one indexed read).
pub fn compiled<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<Option<Rc<Compiled>>> {
    let Some(version) = version(host, channel_id)? else {
        return Ok(None);
    };
    let cached = CACHE.with(|c| c.borrow().get(channel_id).cloned());
    if let Some(hit) = cached.filter(|c| c.version == version) {
        return Ok(Some(hit));
    }
    let actions: Vec<ChannelAction> = list(host, channel_id)?
        .into_iter()
        .filter(|a| a.enabled && a.delete_at == 0)
        .collect();
    let sets: Vec<KeywordSet> = actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.trigger_type == trigger_type::KEYWORDS)
        .filter_map(|(i, a)| {
            a.prompt().map(|p| KeywordSet {
                owner: i,
                keywords: p.keywords,
                mode: p.match_mode,
            })
        })
        .collect();
    let compiled = Rc::new(Compiled {
        version,
        matcher: Matcher::new(&sets),
        actions,
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_CHANNELS {
            c.clear();
        }
        c.insert(channel_id.to_owned(), compiled.clone());
    });
    Ok(Some(compiled))
}
