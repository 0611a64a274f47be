//! The ever-growing parts of a run — its timeline events and status posts —
//! under keys of their own, one per entry, outside the run record.
//!
//! Why: when they lived inside the record (`run/<id>`, one KV value capped
//! at 1 MiB by the host), enough legal actions filled it and from then on
//! no task could be checked, no update posted, the run not finished
//! (issue 11, finding 7). Now the record has a fixed maximum size
//! ([`crate::limits`]) and each log entry is its own small value.
//!
//! Layout (decision 007): entry `n` of the timeline of run `r` is
//! `rtl/<r>/<n, 10 digits>`, of its status posts `rsp/<r>/<n>`; the record
//! carries `"_logs": {"timeline": {"first", "next"}, "status_posts": …}`,
//! the live range of each, so reads need no key listing. Entries are
//! written in the same `atomic_write` as the record, which expects the
//! record as read: the record's compare-and-set guards the logs too. The
//! REST JSON is unchanged: [`super::store::RunStore`] assembles
//! `timeline_events` and `status_posts` on read.
//!
//! A record without `_logs` was written before this layout: its entries are
//! inline, read as they are, and moved out on its next write (never
//! dropped).
//!
//! Each log keeps at most its cap of newest entries (never fewer than it
//! held when migrated): the oldest are deleted as new ones arrive, so a
//! run's read cost and memory stay bounded too.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::store::{RunError, RunResult};
use crate::host::{Host, HostError, KvOp, Level};

/// The live entries of one log: sequence numbers `first..next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Span {
    pub first: u64,
    pub next: u64,
}

/// Where a run's logs are (the record's `_logs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    pub timeline: Span,
    pub status_posts: Span,
}

/// Which log: its key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Log {
    Timeline,
    StatusPosts,
}

impl Log {
    pub fn prefix(self, run_id: &str) -> String {
        match self {
            Log::Timeline => format!("rtl/{run_id}/"),
            Log::StatusPosts => format!("rsp/{run_id}/"),
        }
    }

    pub fn key(self, run_id: &str, seq: u64) -> String {
        format!("{}{seq:010}", self.prefix(run_id))
    }
}

/// The entries of `log` in `span`, oldest first. A missing or unreadable
/// entry is logged and skipped (a run stays readable).
pub fn read<H: Host + ?Sized, T: DeserializeOwned>(
    host: &H,
    log: Log,
    run_id: &str,
    span: Span,
) -> RunResult<Vec<T>> {
    let keys: Vec<String> = (span.first..span.next)
        .map(|n| log.key(run_id, n))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(crate::kvjson::PAGE) {
        for (key, value) in chunk.iter().zip(host.kv_get_many(chunk)?) {
            match value.map(|b| serde_json::from_slice::<T>(&b)) {
                Some(Ok(entry)) => out.push(entry),
                Some(Err(e)) => host.log(Level::Warn, &format!("unreadable {key}: {e}")),
                None => host.log(Level::Warn, &format!("missing {key}")),
            }
        }
    }
    Ok(out)
}

/// The writes that turn `stored` (the entries of `log` now under `span`;
/// empty for a record of the old layout) into `next`, keeping at most
/// `cap` newest entries (callers pass at least what the run held, so
/// nothing it had is dropped by a migration): entries
/// are appended or changed in place, never inserted in front. Trims
/// `next` to what is kept and returns the new span.
pub fn diff<T: Serialize + PartialEq>(
    log: Log,
    run_id: &str,
    span: Span,
    stored: &[T],
    next: &mut Vec<T>,
    cap: usize,
    ops: &mut Vec<KvOp>,
) -> RunResult<Span> {
    let drop = next.len().saturating_sub(cap);
    let seq = |i: usize| span.first + i as u64;
    for (i, entry) in next.iter().enumerate().skip(drop) {
        if stored.get(i) != Some(entry) {
            let bytes = serde_json::to_vec(entry)
                .map_err(|e| RunError::Host(HostError::Other(e.to_string())))?;
            ops.push(KvOp::Set(log.key(run_id, seq(i)), bytes));
        }
    }
    for i in 0..stored.len() {
        if i < drop || i >= next.len() {
            ops.push(KvOp::Delete(log.key(run_id, seq(i))));
        }
    }
    next.drain(..drop);
    Ok(Span {
        first: seq(drop),
        next: seq(drop) + next.len() as u64,
    })
}

/// Deletes every entry of `log` in `span`, in batches (after the record
/// is gone: leftovers are unreachable, never wrong).
pub fn delete_all<H: Host + ?Sized>(host: &H, log: Log, run_id: &str, span: Span) -> RunResult<()> {
    let ops: Vec<KvOp> = (span.first..span.next)
        .map(|n| KvOp::Delete(log.key(run_id, n)))
        .collect();
    for chunk in ops.chunks(WRITE_CHUNK) {
        host.kv_atomic_write(&[], chunk)?;
    }
    Ok(())
}

/// Operations per host write when a log is moved or deleted in batches
/// (the host takes at most 1000 per call).
pub const WRITE_CHUNK: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ops: &[KvOp]) -> Vec<String> {
        ops.iter()
            .map(|op| match op {
                KvOp::Set(k, _) => format!("set {k}"),
                KvOp::Delete(k) => format!("del {k}"),
            })
            .collect()
    }

    #[test]
    fn appends_change_in_place_and_trim_oldest() {
        let span = Span { first: 5, next: 7 };
        let stored = vec![1, 2];
        let mut ops = Vec::new();
        let mut next = vec![1, 2, 3];
        let span2 = diff(Log::Timeline, "r", span, &stored, &mut next, 10, &mut ops).unwrap();
        assert_eq!(keys(&ops), ["set rtl/r/0000000007"]);
        assert_eq!(span2, Span { first: 5, next: 8 });

        // A change in place rewrites that entry only.
        let mut ops = Vec::new();
        let mut next = vec![1, 9];
        diff(Log::Timeline, "r", span, &stored, &mut next, 10, &mut ops).unwrap();
        assert_eq!(keys(&ops), ["set rtl/r/0000000006"]);

        // Over the cap: the oldest go.
        let stored = vec![1, 2, 3];
        let span = Span { first: 0, next: 3 };
        let mut ops = Vec::new();
        let mut next = vec![1, 2, 3, 4];
        let span2 = diff(Log::StatusPosts, "r", span, &stored, &mut next, 3, &mut ops).unwrap();
        assert_eq!(next, [2, 3, 4]);
        assert_eq!(span2, Span { first: 1, next: 4 });
        assert_eq!(keys(&ops), ["set rsp/r/0000000003", "del rsp/r/0000000000"]);

        // An old-layout run: nothing stored outside yet, everything moves.
        let mut ops = Vec::new();
        let mut next = vec![1, 2, 3, 4];
        let span2 = diff(
            Log::Timeline,
            "r",
            Span::default(),
            &[],
            &mut next,
            4,
            &mut ops,
        )
        .unwrap();
        assert_eq!(next.len(), 4);
        assert_eq!(ops.len(), 4);
        assert_eq!(span2, Span { first: 0, next: 4 });
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod store_tests;
