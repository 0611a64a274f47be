//! A trigram index of run names, so a search (`name contains <term>`) reads
//! the runs that can match instead of every name of the team: `LIKE
//! '%term%'` can use no B-tree, and at 1,000,000 runs it took 230–330 ms
//! (decision 022). The same idea as PostgreSQL's `pg_trgm`, in plain
//! tables, so it works on both backends.
//!
//! `run_name_grams (gram, g_team, g_run)`: one row per distinct three-
//! character window of a run's lower-cased name. A search for a term of
//! three characters or more reads the postings of the term's rarest gram —
//! each gram's postings counted up to a cap, so the choice costs little
//! however common a gram is — keeps those that also have the next two
//! rarest grams (primary-key probes, before any run is read), and checks
//! `name_lower LIKE` on those runs only ([`plan`], [`super::query`]). Shorter terms, and a database whose index is not
//! complete yet, scan as before.
//!
//! The store writes a run's grams with the run (create, rename, delete:
//! [`statements`]). Runs written another way (the KV importer, runs
//! stored before this index existed) are indexed resumably, in pages: a
//! little inline in `activate`, the rest by a scheduled job
//! ([`build_in_background`]); until it finished, searches scan.

use std::collections::BTreeSet;

use super::model::PlaybookRun;
use crate::host::{Host, HostResult};
use crate::params;
use crate::progress;
use crate::sql::{SqlValue, Statement};

/// Postings counted per gram when choosing the rarest.
pub const PROBE: usize = 2000;
/// Postings counted per gram when every gram has [`PROBE`] or more.
pub const DEEP_PROBE: usize = 20_000;
/// Grams of a term probed at most.
const MAX_PROBED: usize = 8;
/// Grams checked per posting besides the driver's.
const FILTERS: usize = 2;
/// A gram with fewer postings is taken without probing the others.
const GOOD_ENOUGH: usize = 50;
/// Runs indexed per transaction by [`ensure`]: names of up to 1,024
/// characters make at most ~300 insert statements.
pub(crate) const PAGE: usize = 100;
/// The progress row ([`crate::progress`]) of the index's build.
const MARKER: &str = "run_name_grams";

/// The distinct grams of `name` (lower-cased), in order.
pub fn grams(name: &str) -> BTreeSet<String> {
    let chars: Vec<char> = name.to_lowercase().chars().collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

/// The statements that take the index from `old` to `new` (`None`: the
/// run does not exist on that side); nothing unless the name or team
/// changed.
pub fn statements(old: Option<&PlaybookRun>, new: Option<&PlaybookRun>) -> Vec<Statement> {
    // Most changes keep the name: no grams to compute.
    if let (Some(a), Some(b)) = (old, new)
        && (&a.team_id, &a.id, &a.name) == (&b.team_id, &b.id, &b.name)
    {
        return Vec::new();
    }
    let key = |r: &PlaybookRun| (r.team_id.clone(), r.id.clone(), grams(&r.name));
    let (before, after) = (old.map(key), new.map(key));
    if before == after {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some((team, run, grams)) = &before
        && !grams.is_empty()
    {
        let mut p = params![team, run];
        p.extend(grams.iter().map(SqlValue::from));
        out.push(Statement::new(
            format!(
                "DELETE FROM run_name_grams WHERE g_team = $1 AND g_run = $2 AND gram IN ({})",
                crate::sql::placeholders(3, grams.len())
            ),
            p,
        ));
    }
    if let Some((team, run, grams)) = after {
        out.extend(insert(&team, &run, &grams));
    }
    out
}

fn insert(team: &str, run: &str, grams: &BTreeSet<String>) -> Vec<Statement> {
    crate::sql::insert_rows(
        "run_name_grams",
        &["gram", "g_team", "g_run"],
        grams.iter().map(|g| params![g, team, run]).collect(),
        "ON CONFLICT (gram, g_team, g_run) DO NOTHING",
    )
}

/// Whether every run is indexed (searches may use the index).
pub fn complete<H: Host + ?Sized>(host: &H) -> HostResult<bool> {
    progress::is_done(host, MARKER)
}

/// Says runs were written without their grams (an import started): the
/// index is rebuilt by the next [`ensure`] and unused until then.
pub fn invalidate<H: Host + ?Sized>(host: &H) -> HostResult<()> {
    progress::restart(host, MARKER)
}

/// Indexes every run not known to be indexed, [`PAGE`] runs per
/// transaction with the cursor in the same transaction, so a crash or the
/// hook's deadline loses nothing and the next call goes on. Returns the
/// runs indexed now.
pub fn ensure<H: Host + ?Sized>(host: &H) -> HostResult<usize> {
    let mut indexed = 0;
    while let Some(n) = step(host)? {
        indexed += n;
    }
    Ok(indexed)
}

/// The scheduler key of the background build ([`build_in_background`]).
pub const JOB: &str = "name-index";
/// How long one firing of [`JOB`] indexes before it hands over to the next
/// (far inside the hook's deadline, so a slow page never traps).
const JOB_BUDGET_MS: i64 = 500;
/// Runs indexed inline by `activate` before the rest goes to [`JOB`]: a
/// small database is complete at once.
pub(crate) const INLINE_PAGES: usize = 20;

/// Indexes what `activate` can afford ([`INLINE_PAGES`]) and leaves the
/// rest to the scheduler: a large import (100,000 runs: ~40 s through the
/// server) must not hold `activate`. Searches scan until the index is
/// complete.
pub fn build_in_background<H: Host + ?Sized>(host: &H) -> HostResult<()> {
    for _ in 0..INLINE_PAGES {
        if step(host)?.is_none() {
            return Ok(());
        }
    }
    host.schedule_once(JOB, host.now_ms(), "")
}

/// One firing of [`JOB`]: indexes for [`JOB_BUDGET_MS`], then schedules
/// the next firing unless the index is complete. Repeating a firing is
/// harmless (the cursor is stored with each page).
pub fn on_job<H: Host + ?Sized>(host: &H) -> HostResult<()> {
    let started = host.now_ms();
    while host.now_ms() - started < JOB_BUDGET_MS {
        if step(host)?.is_none() {
            return Ok(());
        }
    }
    host.schedule_once(JOB, host.now_ms(), "")
}

/// One page: the runs indexed, or `None` when the index is complete.
fn step<H: Host + ?Sized>(host: &H) -> HostResult<Option<usize>> {
    let cursor = match progress::read(host, MARKER)? {
        (_, true) => return Ok(None),
        (cursor, false) => cursor.unwrap_or_default(),
    };
    let rows = host.sql_query(
        "SELECT id, team_id, name_lower FROM runs WHERE id > $1 ORDER BY id LIMIT $2",
        &params![&cursor, PAGE as i64],
    )?;
    // One multi-row insert for the page (a statement per run would pass
    // the host's statements-per-transaction limit).
    let mut postings = Vec::new();
    let mut last = cursor;
    for row in rows.iter() {
        last = row.text("id")?;
        let team = row.str("team_id")?;
        for gram in grams(row.str("name_lower")?) {
            postings.push(params![gram, team, &last]);
        }
    }
    let mut tx = crate::sql::insert_rows(
        "run_name_grams",
        &["gram", "g_team", "g_run"],
        postings,
        "ON CONFLICT (gram, g_team, g_run) DO NOTHING",
    );
    let done = rows.len() < PAGE;
    tx.push(progress::record(MARKER, Some(&last), done));
    host.sql_transaction(&tx)?;
    Ok(Some(rows.len()))
}

/// Which postings a search reads: the `driver` gram's, each checked for
/// the `filters` grams (primary-key probes) before its run is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub driver: String,
    pub filters: Vec<String>,
}

/// How a search for `term` (in `team`, if given) reads the index: the
/// term's grams ranked by their postings, counted up to [`PROBE`] (again up
/// to [`DEEP_PROBE`] when every gram is that common), at most
/// [`MAX_PROBED`] of them; the rarest drives, the next [`FILTERS`] filter.
/// A gram under [`GOOD_ENOUGH`] postings drives at once. `None` for a term
/// shorter than three characters.
pub fn plan<H: Host + ?Sized>(host: &H, term: &str, team: &str) -> HostResult<Option<Plan>> {
    // Any gram gives the right answer (the `LIKE` decides); a few probed
    // bound the choice's cost for a long term.
    let candidates: Vec<String> = grams(term).into_iter().take(MAX_PROBED).collect();
    let mut ranked: Vec<(usize, String)> = Vec::new();
    for gram in candidates {
        let n = postings(host, &gram, team, PROBE)?;
        if n < GOOD_ENOUGH {
            return Ok(Some(Plan {
                driver: gram,
                filters: Vec::new(),
            }));
        }
        ranked.push((n, gram));
    }
    if ranked.iter().all(|(n, _)| *n >= PROBE) {
        for (n, gram) in &mut ranked {
            *n = postings(host, gram, team, DEEP_PROBE)?;
        }
    }
    ranked.sort();
    let mut grams = ranked.into_iter().map(|(_, g)| g);
    Ok(grams.next().map(|driver| Plan {
        driver,
        filters: grams.take(FILTERS).collect(),
    }))
}

/// The postings of `gram` (in `team`, if given), counted up to `cap`.
fn postings<H: Host + ?Sized>(host: &H, gram: &str, team: &str, cap: usize) -> HostResult<usize> {
    let (sql, p) = if team.is_empty() {
        (
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM run_name_grams WHERE gram = $1 LIMIT $2) s",
            params![gram, cap as i64],
        )
    } else {
        (
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM run_name_grams \
             WHERE gram = $1 AND g_team = $3 LIMIT $2) s",
            params![gram, cap as i64, team],
        )
    };
    Ok(host
        .sql_query(sql, &p)?
        .first()
        .map(|r| r.i64("n"))
        .transpose()?
        .unwrap_or(0)
        .max(0) as usize)
}

#[cfg(test)]
#[path = "name_index_tests.rs"]
mod tests;
