//! Channel actions in the KV store, and the per-instance cache of each
//! channel's compiled keyword matcher.
//!
//! | key | value |
//! |---|---|
//! | `ca/<channel_id>/<action_id>` | the action JSON |
//! | `cav/<channel_id>` | the channel's action version (decimal), bumped with every change |
//!
//! A change writes the action and the new version in one `atomic_write`
//! that expects the old version, so concurrent edits retry instead of
//! racing. The hot path (every post) reads only `cav/<channel_id>`: absent
//! means "no actions here"; equal to the cached version means the cached
//! automaton is current (another instance may have changed the actions:
//! the version tells). Compiled matchers live per plugin instance in a
//! bounded map.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::matcher::{KeywordSet, Matcher};
use super::model::{ChannelAction, trigger_type};
use crate::host::{Host, HostError, HostResult, KvOp};
use crate::kvjson;

pub fn action_key(channel_id: &str, id: &str) -> String {
    format!("ca/{channel_id}/{id}")
}
pub fn version_key(channel_id: &str) -> String {
    format!("cav/{channel_id}")
}

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

/// Every action of the channel (also disabled ones).
pub fn list<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<Vec<ChannelAction>> {
    let keys = kvjson::all_keys(host, &format!("ca/{channel_id}/"))?;
    kvjson::get_many(host, &keys)
}

pub fn get<H: Host + ?Sized>(
    host: &H,
    channel_id: &str,
    id: &str,
) -> HostResult<Option<ChannelAction>> {
    Ok(host
        .kv_get(&action_key(channel_id, id))?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Stores `action` (create or replace) and bumps the channel's version.
pub fn put<H: Host + ?Sized>(host: &H, action: &ChannelAction) -> HostResult<()> {
    let vkey = version_key(&action.channel_id);
    let bytes = serde_json::to_vec(action).map_err(|e| HostError::Other(e.to_string()))?;
    for _ in 0..64 {
        let old = host.kv_get(&vkey)?;
        let next = parse_version(old.as_deref()) + 1;
        let ops = [
            KvOp::Set(action_key(&action.channel_id, &action.id), bytes.clone()),
            KvOp::Set(vkey.clone(), next.to_string().into_bytes()),
        ];
        if host.kv_atomic_write(&[(vkey.clone(), old)], &ops)? {
            return Ok(());
        }
    }
    Err(HostError::Conflict)
}

fn parse_version(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The channel's compiled actions, from the cache when current; `None`
/// when the channel never had actions (one KV read).
pub fn compiled<H: Host + ?Sized>(host: &H, channel_id: &str) -> HostResult<Option<Rc<Compiled>>> {
    let Some(raw) = host.kv_get(&version_key(channel_id))? else {
        return Ok(None);
    };
    let version = parse_version(Some(&raw));
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
