//! The ever-growing parts of a run — its timeline events and status posts —
//! as rows of their own (`run_timeline`, `run_status_posts`), outside the
//! run's row, so a long incident never makes the record grow (issue 11:
//! a record capped in size stopped taking writes; issue 13: rows have no
//! size cap at all).
//!
//! Entry `i` of a run's log is the row with `seq = first + i`: entries are
//! appended or changed in place, never inserted in front. An update never
//! reads the log: it knows where the log stands ([`Tail`], two index
//! lookups) and writes what the change names ([`write`]: new entries
//! appended, an entry with a stored id replaced in place), in the same
//! transaction as the run's row, whose version check guards them. So a
//! change to a run with 10,000 events costs what one with none does. The
//! REST JSON is unchanged:
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
use crate::sql::{MAX_PARAMS, SqlValue, Statement, Taken, placeholders};

/// One kind of log entry: its table and how it maps to columns.
pub trait Entry: Sized + PartialEq + Clone {
    const TABLE: &'static str;
    /// The column holding [`Entry::id`].
    const ID_COLUMN: &'static str;
    /// The entry's columns (after `run_id, seq`).
    const COLUMNS: &'static [&'static str];
    fn values(&self) -> Vec<SqlValue>;
    /// The entry from its [`Entry::COLUMNS`] values, in order, moved out.
    fn from_values(values: &mut Taken) -> Self;
    /// What identifies the entry within its run (a change to an entry
    /// names it by this).
    fn id(&self) -> &str;
}

impl Entry for TimelineEvent {
    const TABLE: &'static str = "run_timeline";
    const ID_COLUMN: &'static str = "id";
    fn id(&self) -> &str {
        &self.id
    }
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
    fn from_values(v: &mut Taken) -> Self {
        TimelineEvent {
            id: v.text(),
            playbook_run_id: v.text(),
            create_at: v.i64(),
            delete_at: v.i64(),
            event_at: v.i64(),
            event_type: v.text(),
            summary: v.text(),
            details: v.text(),
            post_id: v.text(),
            subject_user_id: v.text(),
            creator_user_id: v.text(),
        }
    }
}

impl Entry for StatusPost {
    const TABLE: &'static str = "run_status_posts";
    const ID_COLUMN: &'static str = "post_id";
    fn id(&self) -> &str {
        &self.id
    }
    const COLUMNS: &'static [&'static str] = &["post_id", "create_at", "delete_at"];
    fn values(&self) -> Vec<SqlValue> {
        params![&self.id, self.create_at, self.delete_at]
    }
    fn from_values(v: &mut Taken) -> Self {
        StatusPost {
            id: v.text(),
            create_at: v.i64(),
            delete_at: v.i64(),
        }
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

/// Where a run's log stands without reading it: the `seq` of its first
/// entry and the `seq` the next entry gets (equal when empty). What an
/// update needs to append, however long the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tail {
    pub first: i64,
    pub next: i64,
}

impl Tail {
    pub fn len(&self) -> usize {
        usize::try_from(self.next - self.first).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The tails of run `run_id`'s timeline and status posts: one query of four
/// index lookups (`MIN`/`MAX` of the primary key's `seq` within the run).
pub fn tails<H: Host + ?Sized>(host: &H, run_id: &str) -> RunResult<(Tail, Tail)> {
    let bound = |f: &str, table: &str| format!("(SELECT {f}(seq) FROM {table} WHERE run_id = $1)");
    let sql = format!(
        "SELECT {} AS t_first, {} AS t_last, {} AS s_first, {} AS s_last",
        bound("MIN", TimelineEvent::TABLE),
        bound("MAX", TimelineEvent::TABLE),
        bound("MIN", StatusPost::TABLE),
        bound("MAX", StatusPost::TABLE),
    );
    let rows = host.sql_query(&sql, &params![run_id])?;
    let Some(row) = rows.first() else {
        return Ok((Tail::default(), Tail::default()));
    };
    let tail = |first: &str, last: &str| -> RunResult<Tail> {
        Ok(match (row.opt_i64(first)?, row.opt_i64(last)?) {
            (Some(first), Some(last)) => Tail {
                first,
                next: last + 1,
            },
            _ => Tail::default(),
        })
    };
    Ok((tail("t_first", "t_last")?, tail("s_first", "s_last")?))
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
        // Moved out of the result (a long log is read without a second
        // copy of every string): `run_id, seq`, then the entry's columns.
        for values in host.sql_query(&sql, &params)?.rows {
            let mut v = Taken::new(values);
            let run_id = v.text();
            let seq = v.i64();
            let log = match out.get_mut(&run_id) {
                Some(log) => log,
                None => out.entry(run_id).or_default(),
            };
            if log.entries.is_empty() {
                log.first = seq;
            }
            log.entries.push(T::from_values(&mut v));
        }
    }
    Ok(out)
}

/// The statements that write `entries` into a log standing at `tail`: an
/// entry whose id is already in the log (`existing`) replaces it in place;
/// the others are appended in order. Past `cap` entries the oldest go.
/// Costs what is written, never what the log already holds.
pub fn write<T: Entry>(
    run_id: &str,
    tail: Tail,
    entries: &[T],
    existing: &std::collections::HashSet<String>,
    cap: usize,
    out: &mut Vec<Statement>,
) {
    let columns = T::COLUMNS.join(", ");
    let (replaced, appended): (Vec<&T>, Vec<&T>) =
        entries.iter().partition(|e| existing.contains(e.id()));
    for entry in replaced {
        let sets: Vec<String> = T::COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 3))
            .collect();
        let mut params = params![run_id, entry.id()];
        params.extend(entry.values());
        out.push(Statement::new(
            format!(
                "UPDATE {} SET {} WHERE run_id = $1 AND {} = $2",
                T::TABLE,
                sets.join(", "),
                T::ID_COLUMN
            ),
            params,
        ));
    }
    // Many rows per INSERT (within the host's parameter limit): a run
    // created or imported with thousands of entries needs a few dozen
    // statements, not one per entry.
    let per_row = 1 + T::COLUMNS.len();
    let rows_per_statement = ((MAX_PARAMS - 1) / per_row).max(1);
    let mut seq = tail.next;
    for chunk in appended.chunks(rows_per_statement) {
        let mut params = params![run_id];
        let mut rows = Vec::with_capacity(chunk.len());
        for entry in chunk {
            let first = params.len() + 1;
            params.push(SqlValue::Integer(seq));
            params.extend(entry.values());
            rows.push(format!("($1, {})", placeholders(first, per_row)));
            seq += 1;
        }
        out.push(Statement::new(
            format!(
                "INSERT INTO {} (run_id, seq, {columns}) VALUES {}",
                T::TABLE,
                rows.join(", ")
            ),
            params,
        ));
    }
    let len = usize::try_from(seq - tail.first).unwrap_or(0);
    if len > cap {
        let keep_from = seq - i64::try_from(cap).unwrap_or(i64::MAX);
        out.push(Statement::new(
            format!("DELETE FROM {} WHERE run_id = $1 AND seq < $2", T::TABLE),
            params![run_id, keep_from],
        ));
    }
}

/// The statements that store the log of a new run: its newest `cap`
/// entries (`entries` is trimmed to them), appended from `seq` 0.
pub fn write_new<T: Entry>(
    run_id: &str,
    entries: &mut Vec<T>,
    cap: usize,
    out: &mut Vec<Statement>,
) {
    let drop = entries.len().saturating_sub(cap);
    entries.drain(..drop);
    write(
        run_id,
        Tail::default(),
        entries,
        &std::collections::HashSet::new(),
        cap,
        out,
    );
}

/// Of `entries`, the ids already in run `run_id`'s log (one indexed query
/// when there are entries; none otherwise).
pub fn existing_ids<H: Host + ?Sized, T: Entry>(
    host: &H,
    run_id: &str,
    entries: &[T],
) -> RunResult<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in entries.chunks(crate::sql::MAX_PARAMS - 1) {
        let mut params = params![run_id];
        params.extend(chunk.iter().map(|e| SqlValue::from(e.id())));
        let sql = format!(
            "SELECT {id} AS id FROM {} WHERE run_id = $1 AND {id} IN ({})",
            T::TABLE,
            placeholders(2, chunk.len()),
            id = T::ID_COLUMN,
        );
        for row in host.sql_query(&sql, &params)?.iter() {
            found.insert(row.text("id")?);
        }
    }
    Ok(found)
}

/// One entry of run `run_id`'s log by id.
pub fn entry<H: Host + ?Sized, T: Entry>(host: &H, run_id: &str, id: &str) -> RunResult<Option<T>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE run_id = $1 AND {} = $2 ORDER BY seq LIMIT 1",
        T::COLUMNS.join(", "),
        T::TABLE,
        T::ID_COLUMN
    );
    let rows = host.sql_query(&sql, &params![run_id, id])?;
    Ok(rows
        .rows
        .into_iter()
        .next()
        .map(|values| T::from_values(&mut Taken::new(values))))
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
    fn appends_after_the_tail_replaces_by_id_and_trims_the_oldest() {
        let tail = Tail { first: 5, next: 7 };
        let none = std::collections::HashSet::new();
        let mut out = Vec::new();
        write("r", tail, &[post("c")], &none, 10, &mut out);
        assert_eq!(shapes(&out), ["INSERT Some(Integer(7))"]);

        // An entry whose id is stored is rewritten where it is.
        let mut out = Vec::new();
        let stored: std::collections::HashSet<String> = ["b".to_owned()].into();
        write("r", tail, &[post("b")], &stored, 10, &mut out);
        assert_eq!(shapes(&out), [r#"UPDATE Some(Text("b"))"#]);

        // Over the cap: the oldest go.
        let mut out = Vec::new();
        write("r", tail, &[post("c")], &none, 2, &mut out);
        assert_eq!(
            shapes(&out),
            ["INSERT Some(Integer(7))", "DELETE Some(Integer(6))"]
        );
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod store_tests;
