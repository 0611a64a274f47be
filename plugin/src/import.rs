//! The one-time move of the KV records of earlier releases (decision 007,
//! keys in [`crate::legacy`]) into the SQL tables (decision 022), run from
//! `activate` after the schema migrations.
//!
//! - **Resumable.** Each phase walks its KV prefix in key order. A batch of
//!   records is one transaction that also stores the last key imported in
//!   `kv_import(name, cursor, done)`, so a crash (or the hook's deadline)
//!   loses nothing and the next start continues after the cursor; a
//!   finished phase is `done = 1` and costs one query afterwards.
//! - **Idempotent.** Every insert is `ON CONFLICT … DO NOTHING`: a batch
//!   repeated (two instances starting at once) changes nothing.
//! - **Flat memory.** Keys are listed a page at a time and records loaded
//!   [`RECORDS_PER_GET`] at a time; a transaction is cut after
//!   [`STATEMENTS_PER_TX`] statements (runs with long timelines), so no
//!   step holds more than a few records.
//! - Phases: playbooks (`pb/`), run numbers (`pbseq/`), runs (`run/`),
//!   channel actions (`ca/`) and their versions (`cav/`), keyword ignore
//!   flags (`kwignore/`). The hourly prompt stamps (`kwprompt/`) stay in KV.
//! - Both run layouts are read: logs inline in `run/<id>` (oldest), and
//!   `_logs` ranges with one key per entry under `rtl/`/`rsp/`.
//! - **Derived tables after.** Imported runs skip the store, so the run
//!   counts and the name index are marked stale when the runs phase
//!   starts and rebuilt once every phase is done
//!   ([`crate::runs::counts::ensure`]; the name index in the background,
//!   [`crate::runs::name_index::build_in_background`]); on a database that
//!   never had them they are built the same way.
//! - The KV records are left in place (nothing reads them any more): a
//!   downgrade still finds its data, and the space is small next to the
//!   risk of deleting something a bug failed to import.

use serde::de::DeserializeOwned;

use crate::channel_actions::{self, model::ChannelAction};
use crate::host::{Host, HostResult, Level};
use crate::legacy::{self, Layout};
use crate::params;
use crate::playbooks::Playbook;
use crate::runs::PlaybookRun;
use crate::sql::{MAX_STATEMENTS, Statement};

/// Keys listed per page.
pub const BATCH: u32 = 500;
/// Records loaded per `kv_get_many` (a record is at most 1 MiB).
const RECORDS_PER_GET: usize = 25;
/// Statements per transaction before it is cut, below the host's limit
/// ([`MAX_STATEMENTS`]) with room for the cursor.
const STATEMENTS_PER_TX: usize = 900;

/// One phase: a name (its progress row), a KV prefix, and how a record
/// becomes statements (`None`: skipped, logged).
struct Phase {
    name: &'static str,
    prefix: &'static str,
}

const PHASES: [Phase; 6] = [
    Phase {
        name: "playbooks",
        prefix: legacy::PLAYBOOK_PREFIX,
    },
    Phase {
        name: "run_numbers",
        prefix: legacy::SEQ_PREFIX,
    },
    Phase {
        name: "runs",
        prefix: legacy::RUN_PREFIX,
    },
    Phase {
        name: "channel_actions",
        prefix: legacy::ACTION_PREFIX,
    },
    Phase {
        name: "channel_action_versions",
        prefix: legacy::ACTION_VERSION_PREFIX,
    },
    Phase {
        name: "keyword_ignores",
        prefix: legacy::IGNORE_PREFIX,
    },
];

/// Imports whatever is left to import. Returns the records imported now.
pub fn run<H: Host + ?Sized>(host: &H) -> HostResult<usize> {
    let mut total = 0;
    for phase in &PHASES {
        while let Some(n) = step(host, phase.name)? {
            total += n;
        }
    }
    if total > 0 {
        host.log(
            Level::Info,
            &format!("imported {total} KV records into the SQL tables"),
        );
    }
    crate::runs::counts::ensure(host)?;
    crate::runs::name_index::build_in_background(host)?;
    Ok(total)
}

/// One page of phase `name`: `None` once the phase is done, else the
/// records imported.
pub fn step<H: Host + ?Sized>(host: &H, name: &str) -> HostResult<Option<usize>> {
    let Some(phase) = PHASES.iter().find(|p| p.name == name) else {
        return Ok(None);
    };
    let (cursor, done) = crate::progress::read(host, name)?;
    if done {
        return Ok(None);
    }
    if phase.name == "runs" {
        // Before any run row is written: the counts are recounted after.
        crate::runs::counts::invalidate(host)?;
        crate::runs::name_index::invalidate(host)?;
    }
    let (keys, _) = host.kv_list(phase.prefix, cursor.as_deref(), BATCH)?;
    let last_page = keys.len() < BATCH as usize;
    let mut tx: Vec<Statement> = Vec::new();
    let mut imported = 0;
    for (i, chunk) in keys.chunks(RECORDS_PER_GET).enumerate() {
        let values = host.kv_get_many(chunk)?;
        for (j, (key, value)) in chunk.iter().zip(values).enumerate() {
            let Some(bytes) = value else { continue };
            let statements = match phase.name {
                "playbooks" => playbook(host, key, &bytes),
                "run_numbers" => run_number(key, &bytes),
                "runs" => run_record(host, key, &bytes)?,
                "channel_actions" => channel_action(host, key, &bytes)?,
                "channel_action_versions" => action_version(key, &bytes),
                _ => keyword_ignore(host, key),
            };
            if !statements.is_empty() {
                imported += 1;
            }
            tx.extend(statements);
            let is_last = (i * RECORDS_PER_GET + j + 1) == keys.len();
            if tx.len() >= STATEMENTS_PER_TX && !is_last {
                commit(host, name, key, false, std::mem::take(&mut tx))?;
            }
        }
    }
    match keys.last() {
        Some(last) => commit(host, name, last, last_page, tx)?,
        None => commit(host, name, cursor.as_deref().unwrap_or(""), true, tx)?,
    }
    Ok(Some(imported))
}

/// Applies `tx` and moves the phase's cursor to `key` in one transaction.
/// One record may need more statements than the host takes at once (a run
/// with thousands of timeline events): those go first in transactions of
/// their own, and only the last one moves the cursor. That is safe because
/// every import statement is idempotent: after a crash in between, the
/// record is imported again over what is already there.
fn commit<H: Host + ?Sized>(
    host: &H,
    name: &str,
    key: &str,
    done: bool,
    mut tx: Vec<Statement>,
) -> HostResult<()> {
    while tx.len() >= MAX_STATEMENTS {
        let rest = tx.split_off(MAX_STATEMENTS - 1);
        host.sql_transaction(&tx)?;
        tx = rest;
    }
    tx.push(crate::progress::record(name, Some(key), done));
    host.sql_transaction(&tx)?;
    Ok(())
}

fn parse<H: Host + ?Sized, T: DeserializeOwned>(host: &H, key: &str, bytes: &[u8]) -> Option<T> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            host.log(
                Level::Warn,
                &format!("import: skipping unreadable {key}: {e}"),
            );
            None
        }
    }
}

fn playbook<H: Host + ?Sized>(host: &H, key: &str, bytes: &[u8]) -> Vec<Statement> {
    let Some(pb) = parse::<_, Playbook>(host, key, bytes) else {
        return Vec::new();
    };
    crate::playbooks::store::raw_statements(&pb).unwrap_or_default()
}

fn run_number(key: &str, bytes: &[u8]) -> Vec<Statement> {
    let Some(playbook_id) = key.strip_prefix(legacy::SEQ_PREFIX) else {
        return Vec::new();
    };
    let Some(last) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    else {
        return Vec::new();
    };
    vec![Statement::new(
        "INSERT INTO run_numbers (playbook_id, last_number) VALUES ($1, $2) \
         ON CONFLICT (playbook_id) DO UPDATE SET last_number = CASE \
         WHEN excluded.last_number > run_numbers.last_number THEN excluded.last_number \
         ELSE run_numbers.last_number END",
        params![playbook_id, last],
    )]
}

/// `ca/<channel>/<id>`: the action, placed under the key's channel and id
/// (what the old store listed and fetched it by).
fn channel_action<H: Host + ?Sized>(
    host: &H,
    key: &str,
    bytes: &[u8],
) -> HostResult<Vec<Statement>> {
    let Some((channel_id, id)) = key_parts(host, key, legacy::ACTION_PREFIX) else {
        return Ok(Vec::new());
    };
    let Some(mut action) = parse::<_, ChannelAction>(host, key, bytes) else {
        return Ok(Vec::new());
    };
    action.channel_id = channel_id.to_owned();
    action.id = id.to_owned();
    channel_actions::store::import_statements(&action)
}

/// `cav/<channel>`: the version, so a channel's numbers continue (never
/// lowered).
fn action_version(key: &str, bytes: &[u8]) -> Vec<Statement> {
    let Some(channel_id) = key.strip_prefix(legacy::ACTION_VERSION_PREFIX) else {
        return Vec::new();
    };
    let Some(version) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    else {
        return Vec::new();
    };
    vec![channel_actions::store::import_version_statement(
        channel_id, version,
    )]
}

/// `kwignore/<thread>/<user>`: present means ignored, whatever the value.
fn keyword_ignore<H: Host + ?Sized>(host: &H, key: &str) -> Vec<Statement> {
    match key_parts(host, key, legacy::IGNORE_PREFIX) {
        Some((thread_id, user_id)) => {
            vec![channel_actions::store::ignore_statement(thread_id, user_id)]
        }
        None => Vec::new(),
    }
}

/// `<prefix><a>/<b>` with both parts present and slash-free; otherwise
/// logged and `None`.
fn key_parts<'k, H: Host + ?Sized>(
    host: &H,
    key: &'k str,
    prefix: &str,
) -> Option<(&'k str, &'k str)> {
    let parts = key
        .strip_prefix(prefix)
        .and_then(|rest| rest.split_once('/'))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('/'));
    if parts.is_none() {
        host.log(
            Level::Warn,
            &format!("import: skipping malformed key {key}"),
        );
    }
    parts
}

/// A run record of either layout, with its logs gathered.
fn run_record<H: Host + ?Sized>(host: &H, key: &str, bytes: &[u8]) -> HostResult<Vec<Statement>> {
    #[derive(serde::Deserialize)]
    struct LayoutField {
        #[serde(rename = "_logs")]
        logs: Option<Layout>,
    }
    let Some(mut run) = parse::<_, PlaybookRun>(host, key, bytes) else {
        return Ok(Vec::new());
    };
    if let Some(layout) = parse::<_, LayoutField>(host, key, bytes).and_then(|l| l.logs) {
        let keys = |f: fn(&str, u64) -> String, span: legacy::Span| -> Vec<String> {
            (span.first..span.next).map(|n| f(&run.id, n)).collect()
        };
        let timeline = keys(legacy::timeline_key, layout.timeline);
        let posts = keys(legacy::status_post_key, layout.status_posts);
        run.timeline_events = entries(host, &timeline)?;
        run.status_posts = entries(host, &posts)?;
    }
    Ok(crate::runs::store::raw_statements(&run).unwrap_or_default())
}

/// The log entries under `keys`, 1000 per host call; missing or unreadable
/// ones are logged and skipped.
fn entries<H: Host + ?Sized, T: DeserializeOwned>(host: &H, keys: &[String]) -> HostResult<Vec<T>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(1000) {
        for (key, value) in chunk.iter().zip(host.kv_get_many(chunk)?) {
            match value {
                Some(bytes) => out.extend(parse(host, key, &bytes)),
                None => host.log(Level::Warn, &format!("import: missing {key}")),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
