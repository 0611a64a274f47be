//! The ever-growing parts of a run — its timeline events and status posts —
//! as rows of their own (`run_timeline`, `run_status_posts`), outside the
//! run's row, so a long incident never makes the record grow (issue 11:
//! a record capped in size stopped taking writes; issue 13: rows have no
//! size cap at all).
//!
//! Entry `i` of a run's log is the row with `seq = first + i`: entries are
//! appended or changed in place, never inserted in front, so an update
//! writes only the entries that differ from what it read (one upsert per
//! changed entry), in the same transaction as the run's row, whose
//! version check guards them. The REST JSON is unchanged:
//! [`super::store::RunStore`] assembles `timeline_events` and
//! `status_posts` on read. Each log keeps its newest
//! [`crate::limits::TIMELINE_EVENTS`] / [`crate::limits::STATUS_POSTS`]
//! entries, a bound on what one read of a run costs in the plugin's
//! memory, far above what incidents produce.

use std::collections::HashMap;

use super::model::{StatusPost, TimelineEvent};
use super::store::RunResult;
use crate::host::Host;
use crate::params;
use crate::sql::{MAX_PARAMS, Row, SqlValue, Statement, placeholders};

/// One kind of log entry: its table and how it maps to columns.
pub trait Entry: Sized + PartialEq + Clone {
    const TABLE: &'static str;
    /// The entry's columns (after `run_id, seq`).
    const COLUMNS: &'static [&'static str];
    fn values(&self) -> Vec<SqlValue>;
    fn from_row(row: &Row<'_>) -> RunResult<Self>;
}

impl Entry for TimelineEvent {
    const TABLE: &'static str = "run_timeline";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "playbook_run_id",
        "create_at",
        "delete_at",
        "event_at",
        "event_type",
        "summary",
        "details",
        "post_id",
        "subject_user_id",
        "creator_user_id",
    ];
    fn values(&self) -> Vec<SqlValue> {
        params![
            &self.id,
            &self.playbook_run_id,
            self.create_at,
            self.delete_at,
            self.event_at,
            &self.event_type,
            &self.summary,
            &self.details,
            &self.post_id,
            &self.subject_user_id,
            &self.creator_user_id
        ]
    }
    fn from_row(row: &Row<'_>) -> RunResult<Self> {
        Ok(TimelineEvent {
            id: row.text("id")?,
            playbook_run_id: row.text("playbook_run_id")?,
            create_at: row.i64("create_at")?,
            delete_at: row.i64("delete_at")?,
            event_at: row.i64("event_at")?,
            event_type: row.text("event_type")?,
            summary: row.text("summary")?,
            details: row.text("details")?,
            post_id: row.text("post_id")?,
            subject_user_id: row.text("subject_user_id")?,
            creator_user_id: row.text("creator_user_id")?,
        })
    }
}

impl Entry for StatusPost {
    const TABLE: &'static str = "run_status_posts";
    const COLUMNS: &'static [&'static str] = &["post_id", "create_at", "delete_at"];
    fn values(&self) -> Vec<SqlValue> {
        params![&self.id, self.create_at, self.delete_at]
    }
    fn from_row(row: &Row<'_>) -> RunResult<Self> {
        Ok(StatusPost {
            id: row.text("post_id")?,
            create_at: row.i64("create_at")?,
            delete_at: row.i64("delete_at")?,
        })
    }
}

/// A run's log as read: its entries, oldest first, and the `seq` of the
/// first (0 when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    pub first: i64,
    pub entries: Vec<T>,
}

impl<T> Default for Stored<T> {
    fn default() -> Self {
        Stored {
            first: 0,
            entries: Vec::new(),
        }
    }
}

/// The logs of `run_ids`, one query per [`crate::sql::MAX_PARAMS`] runs.
pub fn read<H: Host + ?Sized, T: Entry>(
    host: &H,
    run_ids: &[String],
) -> RunResult<HashMap<String, Stored<T>>> {
    let mut out: HashMap<String, Stored<T>> = HashMap::new();
    for chunk in run_ids.chunks(crate::sql::MAX_PARAMS) {
        let params: Vec<SqlValue> = chunk.iter().map(SqlValue::from).collect();
        let sql = format!(
            "SELECT run_id, seq, {} FROM {} WHERE run_id IN ({}) ORDER BY run_id, seq",
            T::COLUMNS.join(", "),
            T::TABLE,
            placeholders(1, chunk.len())
        );
        let rows = host.sql_query(&sql, &params)?;
        for row in rows.iter() {
            let log = out.entry(row.text("run_id")?).or_default();
            if log.entries.is_empty() {
                log.first = row.i64("seq")?;
            }
            log.entries.push(T::from_row(&row)?);
        }
    }
    Ok(out)
}

/// The statements that turn `stored` into `next` (keeping at most `cap`
/// newest entries; callers pass at least what the run held): upserts of
/// new and changed entries, deletes of dropped ones. Trims `next` to
/// what is kept.
pub fn diff<T: Entry>(
    run_id: &str,
    stored: &Stored<T>,
    next: &mut Vec<T>,
    cap: usize,
    out: &mut Vec<Statement>,
) {
    let drop = next.len().saturating_sub(cap);
    let seq = |i: usize| stored.first + i as i64;
    let columns = T::COLUMNS.join(", ");
    let updates = T::COLUMNS
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // Many rows per INSERT (within the host's parameter limit): a run
    // created or imported with thousands of entries needs a few dozen
    // statements, not one per entry.
    let per_row = 1 + T::COLUMNS.len();
    let rows_per_statement = ((MAX_PARAMS - 1) / per_row).max(1);
    let changed: Vec<usize> = (drop..next.len())
        .filter(|&i| stored.entries.get(i) != Some(&next[i]))
        .collect();
    for chunk in changed.chunks(rows_per_statement) {
        let mut params = params![run_id];
        let mut rows = Vec::with_capacity(chunk.len());
        for &i in chunk {
            let first = params.len() + 1;
            params.push(SqlValue::Integer(seq(i)));
            params.extend(next[i].values());
            rows.push(format!("($1, {})", placeholders(first, per_row)));
        }
        out.push(Statement::new(
            format!(
                "INSERT INTO {} (run_id, seq, {columns}) VALUES {} \
                 ON CONFLICT (run_id, seq) DO UPDATE SET {updates}",
                T::TABLE,
                rows.join(", ")
            ),
            params,
        ));
    }
    if drop > 0 {
        out.push(Statement::new(
            format!("DELETE FROM {} WHERE run_id = $1 AND seq < $2", T::TABLE),
            params![run_id, seq(drop)],
        ));
    }
    if next.len() < stored.entries.len() {
        out.push(Statement::new(
            format!("DELETE FROM {} WHERE run_id = $1 AND seq >= $2", T::TABLE),
            params![run_id, seq(next.len())],
        ));
    }
    next.drain(..drop);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str) -> StatusPost {
        StatusPost {
            id: id.into(),
            ..Default::default()
        }
    }

    fn shapes(out: &[Statement]) -> Vec<String> {
        out.iter()
            .map(|s| {
                let verb = s.sql.split_whitespace().next().unwrap_or("");
                format!("{verb} {:?}", s.params.get(1))
            })
            .collect()
    }

    #[test]
    fn appends_change_in_place_and_trim_oldest() {
        let stored = Stored {
            first: 5,
            entries: vec![post("a"), post("b")],
        };
        let mut out = Vec::new();
        let mut next = vec![post("a"), post("b"), post("c")];
        diff("r", &stored, &mut next, 10, &mut out);
        assert_eq!(shapes(&out), ["INSERT Some(Integer(7))"]);

        // A change in place rewrites that entry only.
        let mut out = Vec::new();
        let mut next = vec![post("a"), post("x")];
        diff("r", &stored, &mut next, 10, &mut out);
        assert_eq!(shapes(&out), ["INSERT Some(Integer(6))"]);

        // Over the cap: the oldest go.
        let mut out = Vec::new();
        let mut next = vec![post("a"), post("b"), post("c")];
        diff("r", &stored, &mut next, 2, &mut out);
        assert_eq!(next, [post("b"), post("c")]);
        assert_eq!(
            shapes(&out),
            ["INSERT Some(Integer(7))", "DELETE Some(Integer(6))"]
        );
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod store_tests;
