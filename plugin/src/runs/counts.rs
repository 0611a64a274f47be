//! Run counts kept as the runs change, so `total_count` of a list filtered
//! by team, playbook, owner and status is a sum over a few counter rows
//! instead of a walk over every matching run (SQLite's B-trees are not
//! counted: an exact `COUNT(*)` reads each index entry, which made a
//! 1,000,000-run team's first page ten times slower than a 100,000-run
//! one; decision 022).
//!
//! - `run_counts (team_id, playbook_id, owner_user_id, current_status, n)`:
//!   every run counts once (visibility branch A and admins);
//! - `run_participant_counts (user_id, …the same…, n)`: every participation
//!   counts once (branch B: runs a member takes part in outside the
//!   playbooks they can view).
//!
//! The store writes the deltas of each create, change and delete in the
//! same transaction as the run ([`statements`]), so the counts are exactly
//! the runs. Imported runs arrive through `ON CONFLICT DO NOTHING`
//! inserts, whose effect a statement list cannot know: the counts are
//! rebuilt from the tables once an import wrote anything ([`ensure`]).

use std::collections::BTreeMap;

use super::model::PlaybookRun;
use crate::host::{Host, HostResult};
use crate::params;
use crate::progress;
use crate::sql::Statement;

/// The columns a counter is keyed by, besides the participant.
pub const KEY_COLUMNS: [&str; 4] = ["team_id", "playbook_id", "owner_user_id", "current_status"];

/// `(participant, team, playbook, owner, status)`; no participant for the
/// run's own count.
type Key = (Option<String>, String, String, String, String);

fn contributions(run: &PlaybookRun) -> Vec<Key> {
    let key = |user: Option<&String>| {
        (
            user.cloned(),
            run.team_id.clone(),
            run.playbook_id.clone(),
            run.owner_user_id.clone(),
            run.current_status.clone(),
        )
    };
    let mut out = vec![key(None)];
    let unique: std::collections::BTreeSet<&String> = run.participant_ids.iter().collect();
    out.extend(unique.into_iter().map(|u| key(Some(u))));
    out
}

/// The counter changes taking the counts from `old` to `new` (`None`: the
/// run does not exist on that side). Nothing when the counted fields did
/// not change.
pub fn statements(old: Option<&PlaybookRun>, new: Option<&PlaybookRun>) -> Vec<Statement> {
    // Most changes touch none of the counted fields: nothing to compute.
    if let (Some(a), Some(b)) = (old, new)
        && (
            &a.team_id,
            &a.playbook_id,
            &a.owner_user_id,
            &a.current_status,
            &a.participant_ids,
        ) == (
            &b.team_id,
            &b.playbook_id,
            &b.owner_user_id,
            &b.current_status,
            &b.participant_ids,
        )
    {
        return Vec::new();
    }
    let mut delta: BTreeMap<Key, i64> = BTreeMap::new();
    for key in old.map(contributions).unwrap_or_default() {
        *delta.entry(key).or_default() -= 1;
    }
    for key in new.map(contributions).unwrap_or_default() {
        *delta.entry(key).or_default() += 1;
    }
    let keys = KEY_COLUMNS.join(", ");
    let (mut runs, mut people) = (Vec::new(), Vec::new());
    for ((user, team, playbook, owner, status), n) in delta {
        if n == 0 {
            continue;
        }
        match user {
            None => runs.push(params![team, playbook, owner, status, n]),
            Some(user) => people.push(params![user, team, playbook, owner, status, n]),
        }
    }
    // Many rows per statement: a run with 1,000 participants is a few
    // statements, within what one transaction may hold.
    let mut out = crate::sql::insert_rows(
        "run_counts",
        &[
            "team_id",
            "playbook_id",
            "owner_user_id",
            "current_status",
            "n",
        ],
        runs,
        &format!("ON CONFLICT ({keys}) DO UPDATE SET n = run_counts.n + excluded.n"),
    );
    out.extend(crate::sql::insert_rows(
        "run_participant_counts",
        &[
            "user_id",
            "team_id",
            "playbook_id",
            "owner_user_id",
            "current_status",
            "n",
        ],
        people,
        &format!(
            "ON CONFLICT (user_id, {keys}) DO UPDATE SET n = run_participant_counts.n + excluded.n"
        ),
    ));
    out
}

/// The statements that recount everything from the tables.
pub fn rebuild_statements() -> Vec<Statement> {
    let keys = KEY_COLUMNS.join(", ");
    let r_keys = KEY_COLUMNS.map(|c| format!("r.{c}")).join(", ");
    vec![
        Statement::new("DELETE FROM run_counts", vec![]),
        Statement::new(
            format!(
                "INSERT INTO run_counts ({keys}, n) SELECT {keys}, COUNT(*) FROM runs \
                 GROUP BY {keys}"
            ),
            vec![],
        ),
        Statement::new("DELETE FROM run_participant_counts", vec![]),
        Statement::new(
            format!(
                "INSERT INTO run_participant_counts (user_id, {keys}, n) \
                 SELECT p.user_id, {r_keys}, COUNT(*) FROM run_participants p \
                 JOIN runs r ON r.id = p.run_id GROUP BY p.user_id, {r_keys}"
            ),
            vec![],
        ),
    ]
}

/// The progress row ([`crate::progress`]) that says the counts match the
/// runs.
const MARKER: &str = "run_counts";

/// Says the counts may no longer match the runs (an import wrote rows).
pub fn invalidate<H: Host + ?Sized>(host: &H) -> HostResult<()> {
    progress::restart(host, MARKER)
}

/// Recounts unless the counts are known to match the runs: once on a
/// database that never had them, and after an import wrote rows. The
/// recount and its marker are one transaction, so a crash between them
/// recounts again at the next start.
pub fn ensure<H: Host + ?Sized>(host: &H) -> HostResult<bool> {
    if progress::is_done(host, MARKER)? {
        return Ok(false);
    }
    let mut tx = rebuild_statements();
    tx.push(progress::record(MARKER, None, true));
    host.sql_transaction(&tx)?;
    Ok(true)
}

#[cfg(test)]
#[path = "counts_tests.rs"]
mod tests;
