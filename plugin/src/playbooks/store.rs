//! Playbook persistence in the plugin's SQL tables (decision 022).
//!
//! | table | row |
//! |---|---|
//! | `playbooks` | `id`, `team_id`, `title_lower`, `public`, `delete_at`, the run counters (`num_runs`, `active_runs`, `last_run_at`), `version`, and `data`: the [`Playbook`] JSON |
//! | `playbook_members` | `(playbook_id, user_id)` per member: "playbooks this user may see" in SQL |
//! | `playbook_prefixes` | `(team_id, PREFIX) -> playbook_id`: `run_number_prefix` unique per team |
//!
//! - `<PREFIX>` is the run number prefix upper-cased, so uniqueness is
//!   case-insensitive; a playbook without a prefix claims nothing. Claims
//!   are kept while a playbook is archived (its runs keep their numbers).
//! - Create inserts the row, its members and its prefix claim in one
//!   transaction: an existing id or a taken prefix is a constraint
//!   violation, and nothing is written.
//! - Updates are read-modify-write ([`PlaybookStore::update`]): the row is
//!   replaced `WHERE id = $1 AND version = $2` (exactly one change expected),
//!   retried when a concurrent writer got there first, so no update is lost.
//!   Members and the prefix claim change in the same transaction.
//! - The run counters are columns, changed by one `UPDATE … SET n = n + 1`
//!   when runs start and finish (no read-modify-write, so starting a run
//!   never contends with an edit of the playbook); they override the
//!   copies in `data` on read.
//! - `id` and `team_id` never change after create. Playbooks are never
//!   deleted (archiving sets `delete_at`).
//!
//! The store enforces what keeps the rows consistent (ids, team, prefix
//! claims), recomputes `num_stages`/`num_steps`, stamps `create_at` and
//! `update_at` with the host clock and validates every record it writes.
//! Permissions are the caller's business.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::model::Playbook;
use super::validate::{FieldError, validate_playbook};
use crate::host::{Host, HostError, Level};
use crate::params;
use crate::sql::{Row, SqlValue, Statement, placeholders};

/// Ids per `IN (…)` list when loading many records.
pub const PAGE: usize = 500;
/// Attempts of a read-modify-write before giving up on contention.
const MAX_ATTEMPTS: usize = 64;

/// The columns a playbook is read from.
const COLUMNS: &str = "id, version, num_runs, active_runs, last_run_at, data";

fn claim_of(pb: &Playbook) -> Option<String> {
    (!pb.run_number_prefix.is_empty()).then(|| pb.run_number_prefix.to_ascii_uppercase())
}

#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    NotFound,
    /// The playbook breaks a rule (validation, prefix uniqueness).
    Invalid(FieldError),
    /// Contention or an id collision; retrying may succeed.
    Conflict(String),
    Host(HostError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("playbook not found"),
            StoreError::Invalid(e) => e.fmt(f),
            StoreError::Conflict(m) => f.write_str(m),
            StoreError::Host(e) => write!(f, "storage: {e}"),
        }
    }
}

impl From<HostError> for StoreError {
    fn from(e: HostError) -> Self {
        StoreError::Host(e)
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// List sort keys (`sort` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    #[default]
    Title,
    Stages,
    Steps,
    Runs,
    LastRunAt,
    ActiveRuns,
}

impl SortField {
    pub const NAMES: [&str; 6] = [
        "title",
        "stages",
        "steps",
        "runs",
        "last_run_at",
        "active_runs",
    ];

    /// Parses a name of [`Self::NAMES`], case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "title" => SortField::Title,
            "stages" => SortField::Stages,
            "steps" => SortField::Steps,
            "runs" => SortField::Runs,
            "last_run_at" => SortField::LastRunAt,
            "active_runs" => SortField::ActiveRuns,
            _ => return None,
        })
    }

    fn key(self, pb: &Playbook) -> i64 {
        match self {
            SortField::Title => 0,
            SortField::Stages => pb.num_stages,
            SortField::Steps => pb.num_steps,
            SortField::Runs => pb.num_runs,
            SortField::LastRunAt => pb.last_run_at,
            SortField::ActiveRuns => pb.active_runs,
        }
    }
}

/// What [`PlaybookStore::list`] returns, and in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    /// Case-insensitive substring of the title; empty matches all.
    pub search_term: String,
    pub with_archived: bool,
    pub sort: SortField,
    pub descending: bool,
    /// 0-based.
    pub page: usize,
    pub per_page: usize,
    /// Only playbooks that are public or have this user as a member;
    /// `None` for no restriction (system admins).
    pub visible_to: Option<String>,
}

impl Default for ListFilter {
    fn default() -> Self {
        ListFilter {
            search_term: String::new(),
            with_archived: false,
            sort: SortField::Title,
            descending: false,
            page: 0,
            per_page: 20,
            visible_to: None,
        }
    }
}

impl ListFilter {
    fn compare(&self, a: &Playbook, b: &Playbook) -> Ordering {
        let order = self
            .sort
            .key(a)
            .cmp(&self.sort.key(b))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

/// One page of playbooks, in the JSON shape of the list API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookPage {
    pub total_count: usize,
    pub page_count: usize,
    pub has_more: bool,
    pub items: Vec<Playbook>,
}

pub struct PlaybookStore<'a, H: Host + ?Sized> {
    host: &'a H,
}

impl<'a, H: Host + ?Sized> PlaybookStore<'a, H> {
    pub fn new(host: &'a H) -> Self {
        PlaybookStore { host }
    }

    pub fn get(&self, id: &str) -> StoreResult<Option<Playbook>> {
        Ok(self.get_versioned(id)?.map(|(pb, _)| pb))
    }

    /// The playbook and its row version.
    fn get_versioned(&self, id: &str) -> StoreResult<Option<(Playbook, i64)>> {
        let rows = self.host.sql_query(
            &format!("SELECT {COLUMNS} FROM playbooks WHERE id = $1"),
            &params![id],
        )?;
        rows.first()
            .map(|row| Ok((decode(&row)?, row.i64("version")?)))
            .transpose()
    }

    /// Stores a new playbook (its `id` set by the caller), with its members
    /// and prefix claim, in one transaction. Stamps `create_at`/`update_at`,
    /// recomputes the counts, validates. Fails with `Invalid` on
    /// `run_number_prefix` when another playbook of the team has the prefix.
    pub fn create(&self, mut pb: Playbook) -> StoreResult<Playbook> {
        check_key_part("id", &pb.id)?;
        check_key_part("team_id", &pb.team_id)?;
        let now = self.host.now_ms();
        pb.create_at = now;
        pb.update_at = now;
        pb.update_counts();
        validate_playbook(&pb)?;
        match self.host.sql_transaction(&insert_statements(&pb)?) {
            Ok(_) => Ok(pb),
            Err(HostError::Conflict) => {
                // Say which constraint failed.
                if let Some(claim) = claim_of(&pb)
                    && self.prefix_owner(&pb.team_id, &claim)?.is_some()
                {
                    return Err(prefix_taken(&pb.run_number_prefix));
                }
                if self.get_versioned(&pb.id).ok().flatten().is_some() {
                    return Err(StoreError::Conflict(format!(
                        "playbook {} already exists",
                        pb.id
                    )));
                }
                Err(StoreError::Conflict("concurrent change, try again".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Which playbook holds prefix claim `claim` (upper-cased) in the team.
    fn prefix_owner(&self, team_id: &str, claim: &str) -> StoreResult<Option<String>> {
        let rows = self.host.sql_query(
            "SELECT playbook_id FROM playbook_prefixes WHERE team_id = $1 AND prefix = $2",
            &params![team_id, claim],
        )?;
        Ok(rows.first().map(|r| r.text("playbook_id")).transpose()?)
    }

    /// Read-modify-write of playbook `id`: `change` edits a copy of the
    /// stored playbook and the result replaces it if nobody wrote in
    /// between; otherwise `change` runs again on the fresh record. So
    /// `change` must be repeatable, and is the place for checks that depend
    /// on the current state (permissions, archived).
    ///
    /// `id`, `team_id` and `create_at` are kept whatever `change` does;
    /// `update_at` is the host time; an unchanged playbook is not written.
    /// Returns the stored playbook.
    pub fn update<E, F>(&self, id: &str, mut change: F) -> Result<Playbook, E>
    where
        E: From<StoreError>,
        F: FnMut(&mut Playbook) -> Result<(), E>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let (current, version) = self.get_versioned(id)?.ok_or(StoreError::NotFound)?;
            let mut next = current.clone();
            change(&mut next)?;
            next.id = current.id.clone();
            next.team_id = current.team_id.clone();
            next.create_at = current.create_at;
            next.update_at = current.update_at;
            next.num_runs = current.num_runs;
            next.active_runs = current.active_runs;
            next.last_run_at = current.last_run_at;
            next.update_counts();
            if next == current {
                return Ok(current);
            }
            next.update_at = self.host.now_ms();
            validate_playbook(&next).map_err(StoreError::from)?;
            if self.replace(&current, version, &next)? {
                return Ok(next);
            }
        }
        Err(StoreError::Conflict(format!(
            "playbook {id} is being changed concurrently, try again"
        ))
        .into())
    }

    /// Replaces the row at `version` with `next`, moving the prefix claim
    /// and members in the same transaction. `false` when something changed
    /// in between (the caller reads again).
    fn replace(&self, current: &Playbook, version: i64, next: &Playbook) -> StoreResult<bool> {
        let (old_claim, new_claim) = (claim_of(current), claim_of(next));
        let mut tx = vec![
            Statement::new(
                "UPDATE playbooks SET title_lower = $3, public = $4, delete_at = $5, \
                 data = $6, version = version + 1 WHERE id = $1 AND version = $2",
                params![
                    &next.id,
                    version,
                    next.title.to_lowercase(),
                    next.public,
                    next.delete_at,
                    encode(next)?
                ],
            )
            .expect(1),
        ];
        if current.members != next.members {
            tx.push(Statement::new(
                "DELETE FROM playbook_members WHERE playbook_id = $1",
                params![&next.id],
            ));
            tx.extend(member_statements(next));
        }
        if old_claim != new_claim {
            if let Some(claim) = old_claim {
                tx.push(Statement::new(
                    "DELETE FROM playbook_prefixes WHERE team_id = $1 AND prefix = $2 \
                     AND playbook_id = $3",
                    params![&next.team_id, claim, &next.id],
                ));
            }
            if let Some(claim) = new_claim {
                match self.prefix_owner(&next.team_id, &claim)? {
                    Some(owner) if owner != next.id => {
                        return Err(prefix_taken(&next.run_number_prefix));
                    }
                    Some(_) => {}
                    None => tx.push(Statement::new(
                        "INSERT INTO playbook_prefixes (team_id, prefix, playbook_id) \
                         VALUES ($1, $2, $3)",
                        params![&next.team_id, claim, &next.id],
                    )),
                }
            }
        }
        match self.host.sql_transaction(&tx) {
            Ok(_) => Ok(true),
            // A concurrent edit, or a prefix claimed meanwhile: the next
            // attempt reads again and says which.
            Err(HostError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Adjusts the run counters (`num_runs`, `active_runs`, `last_run_at`)
    /// in one statement (never below 0; `last_run_at` set when given).
    /// A missing playbook is left alone.
    pub fn bump_counters(
        &self,
        id: &str,
        runs: i64,
        active: i64,
        last_run_at: Option<i64>,
    ) -> StoreResult<()> {
        self.host.sql_execute(
            "UPDATE playbooks SET \
             num_runs = CASE WHEN num_runs + $2 < 0 THEN 0 ELSE num_runs + $2 END, \
             active_runs = CASE WHEN active_runs + $3 < 0 THEN 0 ELSE active_runs + $3 END, \
             last_run_at = CASE WHEN $5 = 1 THEN $4 ELSE last_run_at END \
             WHERE id = $1",
            &params![
                id,
                runs,
                active,
                last_run_at.unwrap_or(0),
                last_run_at.is_some()
            ],
        )?;
        Ok(())
    }

    /// The ids of the playbooks of `team_id`.
    pub fn ids_in_team(&self, team_id: &str) -> StoreResult<Vec<String>> {
        let rows = self.host.sql_query(
            "SELECT id FROM playbooks WHERE team_id = $1 ORDER BY id",
            &params![team_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| r.text("id"))
            .collect::<Result<_, _>>()?)
    }

    /// The teams that have at least one playbook, sorted.
    pub fn team_ids(&self) -> StoreResult<Vec<String>> {
        let rows = self.host.sql_query(
            "SELECT DISTINCT team_id FROM playbooks ORDER BY team_id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| r.text("team_id"))
            .collect::<Result<_, _>>()?)
    }

    /// The playbooks with these ids, [`PAGE`] per query; missing ones are
    /// skipped, unreadable ones logged and skipped.
    pub fn get_many(&self, ids: &[String]) -> StoreResult<Vec<Playbook>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE) {
            let params: Vec<SqlValue> = chunk.iter().map(SqlValue::from).collect();
            let rows = self.host.sql_query(
                &format!(
                    "SELECT {COLUMNS} FROM playbooks WHERE id IN ({})",
                    placeholders(1, chunk.len())
                ),
                &params,
            )?;
            self.decode_rows(&rows, &mut out)?;
        }
        Ok(out)
    }

    fn decode_rows(&self, rows: &crate::sql::Rows, out: &mut Vec<Playbook>) -> StoreResult<()> {
        for row in rows.iter() {
            match decode(&row) {
                Ok(pb) => out.push(pb),
                Err(e) => self.host.log(
                    Level::Warn,
                    &format!(
                        "skipping unreadable playbook {}: {e}",
                        row.str("id").unwrap_or("")
                    ),
                ),
            }
        }
        Ok(())
    }

    /// The playbooks of `team_ids` that pass `filter`, sorted and paged.
    /// The database filters (team, archived, title, visibility); a team's
    /// playbooks are few, so sorting and paging happen here.
    pub fn list(&self, team_ids: &[String], filter: &ListFilter) -> StoreResult<PlaybookPage> {
        let teams: BTreeSet<&String> = team_ids.iter().collect();
        let teams: Vec<&String> = teams.into_iter().collect();
        let mut all = Vec::new();
        for chunk in teams.chunks(PAGE) {
            let mut params: Vec<SqlValue> = chunk.iter().map(|t| SqlValue::from(*t)).collect();
            let mut sql = format!(
                "SELECT {COLUMNS} FROM playbooks WHERE team_id IN ({})",
                placeholders(1, chunk.len())
            );
            if !filter.with_archived {
                sql.push_str(" AND delete_at = 0");
            }
            if !filter.search_term.is_empty() {
                params
                    .push(crate::sql::contains_pattern(&filter.search_term.to_lowercase()).into());
                sql.push_str(&format!(
                    " AND title_lower LIKE ${} ESCAPE '\\'",
                    params.len()
                ));
            }
            if let Some(user) = &filter.visible_to {
                params.push(user.into());
                sql.push_str(&format!(
                    " AND (public = 1 OR EXISTS (SELECT 1 FROM playbook_members m \
                     WHERE m.playbook_id = playbooks.id AND m.user_id = ${}))",
                    params.len()
                ));
            }
            let rows = self.host.sql_query(&sql, &params)?;
            self.decode_rows(&rows, &mut all)?;
        }
        all.sort_by(|a, b| filter.compare(a, b));
        let total_count = all.len();
        let per_page = filter.per_page.max(1);
        let start = filter.page.saturating_mul(per_page).min(total_count);
        let end = start.saturating_add(per_page).min(total_count);
        Ok(PlaybookPage {
            total_count,
            page_count: total_count.div_ceil(per_page),
            has_more: end < total_count,
            items: all.drain(start..end).collect(),
        })
    }

    /// Stores `pb` exactly as given (no stamping, counting or validation;
    /// counters included): the importer's, and tests' way to set up state.
    /// An existing row with this id is left alone (`false`).
    pub fn put_raw(&self, pb: &Playbook) -> StoreResult<bool> {
        let changed = self.host.sql_transaction(&raw_statements(pb)?)?;
        Ok(changed.first().copied() == Some(1))
    }
}

/// The statements inserting a new playbook row, its members and claim.
fn insert_statements(pb: &Playbook) -> StoreResult<Vec<Statement>> {
    let mut tx = vec![Statement::new(
        "INSERT INTO playbooks (id, team_id, title_lower, public, delete_at, num_runs, \
         active_runs, last_run_at, version, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        row_params(pb)?,
    )];
    tx.extend(member_statements(pb));
    if let Some(claim) = claim_of(pb) {
        tx.push(Statement::new(
            "INSERT INTO playbook_prefixes (team_id, prefix, playbook_id) VALUES ($1, $2, $3)",
            params![&pb.team_id, claim, &pb.id],
        ));
    }
    Ok(tx)
}

/// Like [`insert_statements`], but each is `ON CONFLICT DO NOTHING`, so a
/// repeated import is harmless (and a prefix already claimed stays with
/// its owner).
pub(crate) fn raw_statements(pb: &Playbook) -> StoreResult<Vec<Statement>> {
    Ok(insert_statements(pb)?
        .into_iter()
        .map(|mut s| {
            let target = if s.sql.starts_with("INSERT INTO playbooks ") {
                Some(" ON CONFLICT (id) DO NOTHING")
            } else if s.sql.starts_with("INSERT INTO playbook_prefixes ") {
                Some(" ON CONFLICT (team_id, prefix) DO NOTHING")
            } else {
                None // members already say ON CONFLICT
            };
            s.sql.push_str(target.unwrap_or(""));
            s
        })
        .collect())
}

fn row_params(pb: &Playbook) -> StoreResult<Vec<SqlValue>> {
    Ok(params![
        &pb.id,
        &pb.team_id,
        pb.title.to_lowercase(),
        pb.public,
        pb.delete_at,
        pb.num_runs,
        pb.active_runs,
        pb.last_run_at,
        encode(pb)?
    ])
}

fn member_statements(pb: &Playbook) -> Vec<Statement> {
    let users: BTreeSet<&str> = pb.members.iter().map(|m| m.user_id.as_str()).collect();
    crate::sql::insert_rows(
        "playbook_members",
        &["playbook_id", "user_id"],
        users
            .into_iter()
            .map(|user| params![&pb.id, user])
            .collect(),
        "ON CONFLICT (playbook_id, user_id) DO NOTHING",
    )
}

fn prefix_taken(prefix: &str) -> StoreError {
    StoreError::Invalid(FieldError::new(
        "run_number_prefix",
        format!("{prefix:?} is already used by another playbook of this team"),
    ))
}

/// Ids and team ids must be present, short and slash-free (they were key
/// parts in the KV layout, and the rule keeps ids plain).
fn check_key_part(field: &str, value: &str) -> StoreResult<()> {
    Ok(crate::kvjson::check_key_part(field, value)?)
}

/// A playbook from its row: the JSON document, with the counters from
/// their columns.
fn decode(row: &Row<'_>) -> StoreResult<Playbook> {
    let mut pb: Playbook = serde_json::from_str(row.str("data")?).map_err(|e| {
        StoreError::Host(HostError::Other(format!("unreadable playbook record: {e}")))
    })?;
    pb.num_runs = row.i64("num_runs")?;
    pb.active_runs = row.i64("active_runs")?;
    pb.last_run_at = row.i64("last_run_at")?;
    Ok(pb)
}

fn encode(pb: &Playbook) -> StoreResult<String> {
    serde_json::to_string(pb).map_err(|e| StoreError::Host(HostError::Other(e.to_string())))
}

#[cfg(any(test, feature = "fuzzing"))]
#[path = "store_test_host.rs"]
pub mod test_host;

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
