//! Run persistence in the plugin's SQL tables (decision 022).
//!
//! | table | row |
//! |---|---|
//! | `runs` | `id`, the columns lists filter and sort on (`team_id`, `channel_id`, `playbook_id`, `owner_user_id`, `current_status`, `name_lower`, `create_at`, `end_at`, `update_at`, `last_status_update_at`), `version`, and `data`: the [`PlaybookRun`] JSON without its timeline and status posts |
//! | `run_participants`, `run_followers` | `(run_id, user_id)`: "runs this user takes part in / follows" in SQL |
//! | `run_timeline`, `run_status_posts` | one row per entry ([`super::logs`]) |
//! | `run_metrics` | filled retrospective metric values, for the playbook dashboard |
//! | `run_numbers` | `(playbook_id, last_number)`: run numbers ([`next_run_number`]) |
//!
//! - Create inserts the row and its child rows in one transaction (an
//!   existing id is a constraint violation: nothing is written).
//! - The indexed identity fields (`team_id`, `channel_id`, `playbook_id`,
//!   `create_at`) never change after create: [`RunStore::update`] keeps
//!   them. An update is read-modify-write: it rewrites the row
//!   `WHERE id = $1 AND version = $2` (exactly one change expected) and
//!   the child rows that differ, in one transaction, retried on conflict,
//!   so no update is lost and the child rows never disagree with the row.
//! - Lists ([`RunStore::list`]) are one `COUNT` and one page query: the
//!   database filters, checks visibility, sorts and pages ([`super::query`]).
//! - Every write checks the run against [`crate::limits`] (400 naming the
//!   field).

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::logs::{self, Tail};
use super::model::{PlaybookRun, StatusPost, TimelineEvent};
use super::query::Query;
use crate::host::{Host, HostError, Level};
use crate::params;
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, Playbook};
use crate::sql::{Row, Rows, SqlValue, Statement, placeholders};

/// Runs per query when loading many (an `IN` list of ids).
pub const PAGE: usize = 500;
const MAX_ATTEMPTS: usize = 64;
/// The columns a run is read from.
const COLUMNS: &str = "id, version, data";
const COLUMN_LIST: [&str; 3] = ["id", "version", "data"];

/// Errors of the run domain, mapped to HTTP statuses by the REST layer.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// 404.
    NotFound(String),
    /// 400, naming the field.
    Invalid(FieldError),
    /// 403.
    Forbidden(String),
    /// 409: contention or an id collision.
    Conflict(String),
    Host(HostError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::NotFound(m) | RunError::Forbidden(m) | RunError::Conflict(m) => {
                f.write_str(m)
            }
            RunError::Invalid(e) => e.fmt(f),
            RunError::Host(e) => write!(f, "host: {e}"),
        }
    }
}

impl From<HostError> for RunError {
    fn from(e: HostError) -> Self {
        RunError::Host(e)
    }
}
impl From<FieldError> for RunError {
    fn from(e: FieldError) -> Self {
        RunError::Invalid(e)
    }
}
impl From<crate::playbooks::store::StoreError> for RunError {
    fn from(e: crate::playbooks::store::StoreError) -> Self {
        use crate::playbooks::store::StoreError;
        match e {
            StoreError::NotFound => RunError::NotFound("Playbook not found.".into()),
            StoreError::Invalid(e) => RunError::Invalid(e),
            StoreError::Conflict(m) => RunError::Conflict(m),
            StoreError::Host(e) => RunError::Host(e),
        }
    }
}

pub type RunResult<T> = Result<T, RunError>;

pub fn run_not_found() -> RunError {
    RunError::NotFound("Playbook run not found.".into())
}

/// Allocates the next run number of `playbook_id` (1, 2, …) with one
/// upsert that returns the new number: concurrent starts never get the
/// same number.
pub fn next_run_number<H: Host + ?Sized>(host: &H, playbook_id: &str) -> RunResult<i64> {
    let rows = host.sql_query(
        "INSERT INTO run_numbers (playbook_id, last_number) VALUES ($1, 1) \
         ON CONFLICT (playbook_id) DO UPDATE SET last_number = run_numbers.last_number + 1 \
         RETURNING last_number",
        &params![playbook_id],
    )?;
    Ok(rows
        .first()
        .ok_or_else(|| RunError::Host(HostError::Other("run number: no row".into())))?
        .i64("last_number")?)
}

/// Adjusts a playbook's run counters (`num_runs`, `active_runs`,
/// `last_run_at`) in one statement, touching no other field. A missing
/// playbook is left alone.
pub fn bump_playbook_counters<H: Host + ?Sized>(
    host: &H,
    playbook_id: &str,
    runs: i64,
    active: i64,
    last_run_at: Option<i64>,
) -> RunResult<()> {
    Ok(PlaybookStore::new(host).bump_counters(playbook_id, runs, active, last_run_at)?)
}

/// Who is asking, for visibility checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub is_system_admin: bool,
}

impl Viewer {
    /// Looks the user up; unknown users are plain users.
    pub fn load<H: Host + ?Sized>(host: &H, user_id: &str) -> RunResult<Self> {
        let is_system_admin = host.user(user_id)?.is_some_and(|u| u.is_system_admin());
        Ok(Viewer {
            user_id: user_id.to_owned(),
            is_system_admin,
        })
    }
}

/// Whether `viewer` may see `pb`: system admin, or a team member for whom
/// the playbook is public or who is one of its members (the playbook
/// routes' rule).
pub fn can_view_playbook<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    pb: &Playbook,
) -> RunResult<bool> {
    Ok(viewer.is_system_admin
        || ((pb.public || pb.member(&viewer.user_id).is_some())
            && host.is_team_member(&pb.team_id, &viewer.user_id)?))
}

/// Caches playbooks while checking many runs.
pub struct Access<'a, H: Host + ?Sized> {
    host: &'a H,
    viewer: Viewer,
    playbooks: HashMap<String, bool>,
}

impl<'a, H: Host + ?Sized> Access<'a, H> {
    pub fn new(host: &'a H, viewer: Viewer) -> Self {
        Access {
            host,
            viewer,
            playbooks: HashMap::new(),
        }
    }

    /// View: system admin, participant, or whoever can view the source
    /// playbook. Followers who are none of these do not see the run.
    pub fn can_view(&mut self, run: &PlaybookRun) -> RunResult<bool> {
        if self.viewer.is_system_admin || run.is_participant(&self.viewer.user_id) {
            return Ok(true);
        }
        if run.playbook_id.is_empty() {
            return Ok(false);
        }
        if let Some(ok) = self.playbooks.get(&run.playbook_id) {
            return Ok(*ok);
        }
        let ok = match PlaybookStore::new(self.host).get(&run.playbook_id)? {
            Some(pb) => can_view_playbook(self.host, &self.viewer, &pb)?,
            None => false,
        };
        self.playbooks.insert(run.playbook_id.clone(), ok);
        Ok(ok)
    }

    /// Edit: system admin, owner or participant.
    pub fn can_edit(&self, run: &PlaybookRun) -> bool {
        self.viewer.is_system_admin
            || run.owner_user_id == self.viewer.user_id
            || run.is_participant(&self.viewer.user_id)
    }
}

/// Run list sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunSort {
    #[default]
    CreateAt,
    Id,
    Name,
    OwnerUserId,
    EndAt,
    Status,
    LastStatusUpdateAt,
}

impl RunSort {
    pub const NAMES: [&str; 7] = [
        "create_at",
        "id",
        "name",
        "owner_user_id",
        "end_at",
        "status",
        "last_status_update_at",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "create_at" => RunSort::CreateAt,
            "id" => RunSort::Id,
            "name" => RunSort::Name,
            "owner_user_id" => RunSort::OwnerUserId,
            "end_at" => RunSort::EndAt,
            "status" | "current_status" => RunSort::Status,
            "last_status_update_at" => RunSort::LastStatusUpdateAt,
            _ => return None,
        })
    }

    /// The column runs are ordered by (ties: `create_at`, then `id`).
    pub(crate) fn column(self) -> &'static str {
        match self {
            RunSort::CreateAt => "create_at",
            RunSort::Id => "id",
            RunSort::Name => "name_lower",
            RunSort::OwnerUserId => "owner_user_id",
            RunSort::EndAt => "end_at",
            RunSort::Status => "current_status",
            RunSort::LastStatusUpdateAt => "last_status_update_at",
        }
    }
}

/// The filters of `GET /runs`, with `me` already resolved to user ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFilter {
    /// Empty: every team the viewer belongs to (all for system admins).
    pub team_id: String,
    /// Empty: any status.
    pub statuses: Vec<String>,
    pub owner_user_id: String,
    pub participant_id: String,
    pub participant_or_follower_id: String,
    pub playbook_id: String,
    pub channel_id: String,
    /// Case-insensitive substring of the name.
    pub search_term: String,
    pub started_gte: i64,
    pub started_lt: i64,
    /// Running at or after: `end_at == 0 || end_at >= active_gte`.
    pub active_gte: i64,
    /// Started before: `create_at < active_lt`.
    pub active_lt: i64,
    /// `update_at >= since`.
    pub since: i64,
    pub omit_ended: bool,
    pub sort: RunSort,
    pub descending: bool,
    pub page: usize,
    pub per_page: usize,
}

pub const DEFAULT_PER_PAGE: usize = 1000;
pub const MAX_PER_PAGE: usize = 1000;

impl Default for RunFilter {
    fn default() -> Self {
        RunFilter {
            team_id: String::new(),
            statuses: Vec::new(),
            owner_user_id: String::new(),
            participant_id: String::new(),
            participant_or_follower_id: String::new(),
            playbook_id: String::new(),
            channel_id: String::new(),
            search_term: String::new(),
            started_gte: 0,
            started_lt: 0,
            active_gte: 0,
            active_lt: 0,
            since: 0,
            omit_ended: false,
            sort: RunSort::CreateAt,
            descending: false,
            page: 0,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// One page of runs, in the JSON shape of `GET /runs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunPage {
    pub total_count: usize,
    pub page_count: usize,
    pub per_page: usize,
    pub has_more: bool,
    pub items: Vec<PlaybookRun>,
}

pub struct RunStore<'a, H: Host + ?Sized> {
    host: &'a H,
}

/// What [`RunStore::update_reporting`] did: the run before and after,
/// both **without** their logs, except that `after` carries the log
/// entries the change wrote (what an incremental event sends).
#[derive(Debug, Clone, PartialEq)]
pub struct Updated {
    pub before: PlaybookRun,
    pub after: PlaybookRun,
    pub changed: bool,
}

/// A run's row as read for an update: the run **without** its logs, the
/// row version, and where the logs stand (an update appends to them
/// without reading them).
struct Head {
    run: PlaybookRun,
    version: i64,
    timeline: Tail,
    status_posts: Tail,
}

impl<'a, H: Host + ?Sized> RunStore<'a, H> {
    pub fn new(host: &'a H) -> Self {
        RunStore { host }
    }

    /// Run `id`, whole (with its timeline and status posts).
    pub fn get(&self, id: &str) -> RunResult<Option<PlaybookRun>> {
        let Some((run, _)) = self.row(id)? else {
            return Ok(None);
        };
        Ok(self.with_logs(vec![run])?.pop())
    }

    /// Run `id` **without** its timeline and status posts (everything else
    /// is there): what permission checks, commands and jobs need, at a
    /// cost that does not grow with the logs.
    pub fn get_head(&self, id: &str) -> RunResult<Option<PlaybookRun>> {
        Ok(self.row(id)?.map(|(run, _)| run))
    }

    /// The run's row: the run without its logs, and the row version.
    fn row(&self, id: &str) -> RunResult<Option<(PlaybookRun, i64)>> {
        let rows = self.host.sql_query(
            &format!("SELECT {COLUMNS} FROM runs WHERE id = $1"),
            &params![id],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        Ok(Some((decode(&row)?, row.i64("version")?)))
    }

    /// The row and where its logs stand.
    fn head(&self, id: &str) -> RunResult<Option<Head>> {
        let Some((run, version)) = self.row(id)? else {
            return Ok(None);
        };
        let (timeline, status_posts) = logs::tails(self.host, id)?;
        Ok(Some(Head {
            run,
            version,
            timeline,
            status_posts,
        }))
    }

    /// Timeline event `event_id` of run `run_id`.
    pub fn timeline_event(&self, run_id: &str, event_id: &str) -> RunResult<Option<TimelineEvent>> {
        logs::entry(self.host, run_id, event_id)
    }

    /// Stores a new run (id, team, channel and `create_at` set by the
    /// caller) with its child rows, in one transaction.
    pub fn create(&self, mut run: PlaybookRun) -> RunResult<PlaybookRun> {
        for (field, value) in [
            ("id", &run.id),
            ("team_id", &run.team_id),
            ("channel_id", &run.channel_id),
        ] {
            check_key_part(field, value)?;
        }
        if !run.playbook_id.is_empty() {
            check_key_part("playbook_id", &run.playbook_id)?;
        }
        if run.update_at == 0 {
            run.update_at = run.create_at;
        }
        run.update_counts();
        crate::limits::run_change(None, &run)?;
        let mut tx = insert_statements(&mut run, crate::limits::TIMELINE_EVENTS)?;
        tx.extend(super::counts::statements(None, Some(&run)));
        tx.extend(super::name_index::statements(None, Some(&run)));
        match self.host.sql_transaction(&tx) {
            Ok(_) => Ok(run),
            Err(HostError::Conflict) => {
                Err(RunError::Conflict(format!("run {} already exists", run.id)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes run `id` and its child rows in one transaction that expects
    /// the row as read (retried if it changed meanwhile), after `check`
    /// approves the current record. Returns the deleted run.
    pub fn delete<E, F>(&self, id: &str, mut check: F) -> Result<PlaybookRun, E>
    where
        E: From<RunError>,
        F: FnMut(&PlaybookRun) -> Result<(), E>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let (run, version) = self.row(id)?.ok_or_else(run_not_found)?;
            check(&run)?;
            let mut tx = vec![
                Statement::new(
                    "DELETE FROM runs WHERE id = $1 AND version = $2",
                    params![id, version],
                )
                .expect(1),
            ];
            for table in CHILD_TABLES {
                tx.push(Statement::new(
                    format!("DELETE FROM {table} WHERE run_id = $1"),
                    params![id],
                ));
            }
            tx.extend(super::counts::statements(Some(&run), None));
            tx.extend(super::name_index::statements(Some(&run), None));
            match self.host.sql_transaction(&tx) {
                Ok(_) => return Ok(run),
                Err(HostError::Conflict) => continue,
                Err(e) => return Err(RunError::from(e).into()),
            }
        }
        Err(RunError::Conflict(format!("run {id} is being changed concurrently, try again")).into())
    }

    /// Read-modify-write of run `id`, retried when a concurrent writer got
    /// there first (`change` then runs again on the fresh record, so it
    /// must be repeatable and is the place for state checks). The indexed
    /// fields are kept; `update_at` is the host time; an unchanged run is
    /// not written.
    ///
    /// `change` sees the run **without** its logs: the `timeline_events`
    /// and `status_posts` it leaves are what to write — new entries are
    /// appended, an entry with the id of a stored one replaces it in place
    /// ([`logs::write`]). The logs are never read, so an update costs the
    /// same for a run with 10,000 events as for one with none. Returns the
    /// run as stored without its logs, except the entries just written.
    pub fn update<E, F>(&self, id: &str, change: F) -> Result<PlaybookRun, E>
    where
        E: From<RunError>,
        F: FnMut(&mut PlaybookRun) -> Result<(), E>,
    {
        self.update_reporting(id, change).map(|u| u.after)
    }

    /// [`update`](Self::update), also giving the run as it was (callers
    /// publish only real changes, and what changed, without reading the
    /// run once more).
    pub fn update_reporting<E, F>(&self, id: &str, mut change: F) -> Result<Updated, E>
    where
        E: From<RunError>,
        F: FnMut(&mut PlaybookRun) -> Result<(), E>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let head = self.head(id)?.ok_or_else(run_not_found)?;
            let current = &head.run;
            let mut next = current.clone();
            change(&mut next)?;
            next.id.clone_from(&current.id);
            next.team_id.clone_from(&current.team_id);
            next.channel_id.clone_from(&current.channel_id);
            next.playbook_id.clone_from(&current.playbook_id);
            next.create_at = current.create_at;
            next.update_at = current.update_at;
            next.update_counts();
            if next == *current {
                return Ok(Updated {
                    after: head.run.clone(),
                    before: head.run,
                    changed: false,
                });
            }
            next.update_at = self.host.now_ms();
            crate::limits::run_change(Some(current), &next).map_err(RunError::from)?;
            let existing = (
                logs::existing_ids(self.host, id, &next.timeline_events)?,
                logs::existing_ids(self.host, id, &next.status_posts)?,
            );
            let tx = update_statements(&head, &mut next, &existing)?;
            match self.host.sql_transaction(&tx) {
                Ok(_) => {
                    return Ok(Updated {
                        before: head.run,
                        after: next,
                        changed: true,
                    });
                }
                Err(HostError::Conflict) => continue,
                Err(e) => return Err(RunError::from(e).into()),
            }
        }
        Err(RunError::Conflict(format!("run {id} is being changed concurrently, try again")).into())
    }

    /// The runs with these ids, whole (with their logs), in the order
    /// given; missing ones are skipped, unreadable ones logged and skipped.
    pub fn get_many(&self, ids: &[String]) -> RunResult<Vec<PlaybookRun>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE) {
            let params: Vec<SqlValue> = chunk.iter().map(SqlValue::from).collect();
            let rows = self.host.sql_query(
                &format!(
                    "SELECT {COLUMNS} FROM runs WHERE id IN ({})",
                    placeholders(1, chunk.len())
                ),
                &params,
            )?;
            let mut found: HashMap<String, PlaybookRun> = self
                .with_logs(self.decode_rows(&rows))?
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect();
            out.extend(chunk.iter().filter_map(|id| found.remove(id)));
        }
        Ok(out)
    }

    /// Decodes run rows; an unreadable one is logged and skipped, so one
    /// bad record never hides the others from a list.
    fn decode_rows(&self, rows: &Rows) -> Vec<PlaybookRun> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows.iter() {
            match decode(&row) {
                Ok(run) => out.push(run),
                Err(e) => self.host.log(
                    Level::Warn,
                    &format!(
                        "skipping unreadable run {}: {e}",
                        row.str("id").unwrap_or("")
                    ),
                ),
            }
        }
        out
    }

    /// Fills in the logs of `runs` (two queries).
    fn with_logs(&self, mut runs: Vec<PlaybookRun>) -> RunResult<Vec<PlaybookRun>> {
        if runs.is_empty() {
            return Ok(runs);
        }
        let ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
        let mut timelines = logs::read::<_, TimelineEvent>(self.host, &ids)?;
        let mut posts = logs::read::<_, StatusPost>(self.host, &ids)?;
        for run in &mut runs {
            run.timeline_events = timelines.remove(&run.id).unwrap_or_default().entries;
            run.status_posts = posts.remove(&run.id).unwrap_or_default().entries;
        }
        Ok(runs)
    }

    /// The runs in channel `channel_id`, **without** their logs (what
    /// commands, task buttons and channel hooks need; [`get`](Self::get)
    /// reads one whole).
    pub fn in_channel(&self, channel_id: &str) -> RunResult<Vec<PlaybookRun>> {
        let rows = self.host.sql_query(
            &format!("SELECT {COLUMNS} FROM runs WHERE channel_id = $1 ORDER BY create_at, id"),
            &params![channel_id],
        )?;
        Ok(self.decode_rows(&rows))
    }

    /// Calls `each` with every run `viewer` may see that passes `filter`
    /// (paging and sorting ignored), **without** its timeline and status
    /// posts (everything else is there), [`SCAN_CHUNK`] runs per query, so
    /// memory stays flat however many runs match.
    pub fn scan(
        &self,
        viewer: &Viewer,
        filter: &RunFilter,
        mut each: impl FnMut(&PlaybookRun),
    ) -> RunResult<()> {
        let Some(q) = Query::build(self.host, viewer, filter)? else {
            return Ok(());
        };
        let mut after = String::new();
        loop {
            let (sql, params) = q.keyset_page(&COLUMN_LIST, &after, SCAN_CHUNK);
            let rows = self.host.sql_query(&sql, &params)?;
            for row in rows.iter() {
                after = row.text("id")?;
            }
            for run in self.decode_rows(&rows) {
                each(&run);
            }
            if rows.len() < SCAN_CHUNK {
                return Ok(());
            }
        }
    }

    /// Every run [`scan`](Self::scan) would yield, whole, sorted by
    /// `filter` (no paging): for callers that need them all (`todo`,
    /// digests).
    pub fn all(&self, viewer: &Viewer, filter: &RunFilter) -> RunResult<Vec<PlaybookRun>> {
        let Some(q) = Query::build(self.host, viewer, filter)? else {
            return Ok(Vec::new());
        };
        let (sql, params) = q.ordered(&["id"], None);
        let ids: Vec<String> = self
            .host
            .sql_query(&sql, &params)?
            .iter()
            .map(|r| r.text("id"))
            .collect::<Result<_, _>>()?;
        self.get_many(&ids)
    }

    /// The runs `viewer` may see that pass `filter`, sorted and paged, with
    /// the total: a `COUNT`, the page's ids, then those runs (whole), all
    /// in the database.
    pub fn list(&self, viewer: &Viewer, filter: &RunFilter) -> RunResult<RunPage> {
        let per_page = filter.per_page.clamp(1, MAX_PER_PAGE);
        let Some(q) = Query::build(self.host, viewer, filter)? else {
            return Ok(RunPage {
                total_count: 0,
                page_count: 0,
                per_page,
                has_more: false,
                items: Vec::new(),
            });
        };
        let (sql, params) = q.count();
        let total_count = self
            .host
            .sql_query(&sql, &params)?
            .first()
            .map(|r| r.i64("n"))
            .transpose()?
            .unwrap_or(0)
            .max(0) as usize;
        let start = filter.page.saturating_mul(per_page).min(total_count);
        let end = start.saturating_add(per_page).min(total_count);
        let items = if start < end {
            let (sql, params) = q.ordered(&["id"], Some((per_page, start)));
            let ids: Vec<String> = self
                .host
                .sql_query(&sql, &params)?
                .iter()
                .map(|r| r.text("id"))
                .collect::<Result<_, _>>()?;
            self.get_many(&ids)?
        } else {
            Vec::new()
        };
        Ok(RunPage {
            total_count,
            page_count: total_count.div_ceil(per_page),
            per_page,
            has_more: end < total_count,
            items,
        })
    }

    /// Stores `run` as given (no stamping or limit checks; logs kept
    /// whole): the importer's way in. An existing run is left alone
    /// (`false`); so is every child row already there.
    pub fn put_raw(&self, run: &PlaybookRun) -> RunResult<bool> {
        let changed = self.host.sql_transaction(&raw_statements(run)?)?;
        Ok(changed.first().copied() == Some(1))
    }
}

/// Runs decoded per query while scanning.
const SCAN_CHUNK: usize = 200;

/// The tables whose rows belong to one run.
const CHILD_TABLES: [&str; 5] = [
    "run_participants",
    "run_followers",
    "run_timeline",
    "run_status_posts",
    "run_metrics",
];

/// The values of the `runs` columns that change with the run.
fn mutable_columns(run: &mut PlaybookRun) -> RunResult<Vec<SqlValue>> {
    Ok(params![
        &run.owner_user_id,
        &run.current_status,
        run.name.to_lowercase(),
        run.end_at,
        run.update_at,
        run.last_status_update_at,
        encode(run)?
    ])
}

/// The statements that insert `run` (logs capped at `cap` entries; trims
/// `run`'s logs to what is kept).
fn insert_statements(run: &mut PlaybookRun, cap: usize) -> RunResult<Vec<Statement>> {
    let mut params = params![
        &run.id,
        &run.team_id,
        &run.channel_id,
        &run.playbook_id,
        run.create_at
    ];
    params.extend(mutable_columns(run)?);
    let mut tx = vec![Statement::new(
        "INSERT INTO runs (id, team_id, channel_id, playbook_id, create_at, owner_user_id, \
         current_status, name_lower, end_at, update_at, last_status_update_at, data, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)",
        params,
    )];
    tx.extend(participant_statements(run));
    tx.extend(people_statements("run_followers", &run.id, &run.followers));
    tx.extend(metric_statements(run));
    logs::write_new(&run.id, &mut run.timeline_events, cap, &mut tx);
    logs::write_new(&run.id, &mut run.status_posts, cap, &mut tx);
    Ok(tx)
}

/// [`insert_statements`] with every insert `ON CONFLICT DO NOTHING` and no
/// cap, so a repeated import is harmless and drops nothing.
pub(crate) fn raw_statements(run: &PlaybookRun) -> RunResult<Vec<Statement>> {
    let mut run = run.clone();
    let tx = insert_statements(&mut run, usize::MAX)?;
    Ok(tx
        .into_iter()
        .map(|mut s| {
            if s.sql.starts_with("INSERT INTO runs ") {
                s.sql.push_str(" ON CONFLICT (id) DO NOTHING");
            } else if let Some(i) = s.sql.find(" DO UPDATE SET") {
                s.sql.truncate(i);
                s.sql.push_str(" DO NOTHING");
            } else if s.sql.starts_with("INSERT ") && !s.sql.contains(" ON CONFLICT ") {
                s.sql.push_str(" ON CONFLICT DO NOTHING");
            }
            s
        })
        .collect())
}

/// The statements that write `next` over `head`: the row (expecting the
/// version read), the child rows that differ, and the log entries `next`
/// carries (`existing`: those of their ids already stored, per log).
fn update_statements(
    head: &Head,
    next: &mut PlaybookRun,
    existing: &(HashSet<String>, HashSet<String>),
) -> RunResult<Vec<Statement>> {
    let current = &head.run;
    let mut params = params![&next.id, head.version];
    params.extend(mutable_columns(next)?);
    let mut tx = vec![
        Statement::new(
            "UPDATE runs SET owner_user_id = $3, current_status = $4, name_lower = $5, \
             end_at = $6, update_at = $7, last_status_update_at = $8, data = $9, \
             version = version + 1 WHERE id = $1 AND version = $2",
            params,
        )
        .expect(1),
    ];
    for (table, old, new) in [
        (
            "run_participants",
            &current.participant_ids,
            &next.participant_ids,
        ),
        ("run_followers", &current.followers, &next.followers),
    ] {
        if old != new {
            tx.push(Statement::new(
                format!("DELETE FROM {table} WHERE run_id = $1"),
                params![&next.id],
            ));
            if table == "run_participants" {
                tx.extend(participant_statements(next));
            } else {
                tx.extend(people_statements(table, &next.id, new));
            }
        }
    }
    if current.metrics_data != next.metrics_data {
        tx.push(Statement::new(
            "DELETE FROM run_metrics WHERE run_id = $1",
            params![&next.id],
        ));
        tx.extend(metric_statements(next));
    }
    tx.extend(super::counts::statements(Some(current), Some(next)));
    tx.extend(super::name_index::statements(Some(current), Some(next)));
    // Never fewer than the run holds (an imported run may hold more).
    let cap = crate::limits::TIMELINE_EVENTS.max(head.timeline.len());
    logs::write(
        &next.id,
        head.timeline,
        &next.timeline_events,
        &existing.0,
        cap,
        &mut tx,
    );
    let cap = crate::limits::STATUS_POSTS.max(head.status_posts.len());
    logs::write(
        &next.id,
        head.status_posts,
        &next.status_posts,
        &existing.1,
        cap,
        &mut tx,
    );
    Ok(tx)
}

/// A participant row carries the run's `team_id`, `playbook_id` and
/// `create_at` (never changed after create), so a member's list answers
/// "runs I take part in" from this table alone ([`super::query`]).
fn participant_statements(run: &PlaybookRun) -> Vec<Statement> {
    let unique: std::collections::BTreeSet<&String> = run.participant_ids.iter().collect();
    crate::sql::insert_rows(
        "run_participants",
        &["run_id", "user_id", "team_id", "playbook_id", "create_at"],
        unique
            .into_iter()
            .map(|user| params![&run.id, user, &run.team_id, &run.playbook_id, run.create_at])
            .collect(),
        "ON CONFLICT (run_id, user_id) DO NOTHING",
    )
}

fn people_statements(table: &str, run_id: &str, users: &[String]) -> Vec<Statement> {
    let unique: std::collections::BTreeSet<&String> = users.iter().collect();
    crate::sql::insert_rows(
        table,
        &["run_id", "user_id"],
        unique
            .into_iter()
            .map(|user| params![run_id, user])
            .collect(),
        "ON CONFLICT (run_id, user_id) DO NOTHING",
    )
}

/// One row per filled metric value (the dashboard's statistics).
fn metric_statements(run: &PlaybookRun) -> Vec<Statement> {
    let mut seen = std::collections::BTreeSet::new();
    run.metrics_data
        .iter()
        .filter_map(|m| Some((m, m.value?)))
        .filter(|(m, _)| seen.insert(m.metric_config_id.clone()))
        .map(|(m, value)| {
            Statement::new(
                "INSERT INTO run_metrics (run_id, metric_id, playbook_id, create_at, value) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, metric_id) DO NOTHING",
                params![
                    &run.id,
                    &m.metric_config_id,
                    &run.playbook_id,
                    run.create_at,
                    value
                ],
            )
        })
        .collect()
}

fn check_key_part(field: &str, value: &str) -> RunResult<()> {
    Ok(crate::kvjson::check_key_part(field, value)?)
}

/// A run from its row (its logs are read separately).
fn decode(row: &Row<'_>) -> RunResult<PlaybookRun> {
    serde_json::from_str(row.str("data")?)
        .map_err(|e| RunError::Host(HostError::Other(format!("unreadable run record: {e}"))))
}

/// The row's `data`: the run without its logs (they are rows; taken out
/// for the encoding and put back, so a long timeline is never copied).
pub(crate) fn encode(run: &mut PlaybookRun) -> RunResult<String> {
    let timeline = std::mem::take(&mut run.timeline_events);
    let status_posts = std::mem::take(&mut run.status_posts);
    let text = serde_json::to_string(&*run);
    run.timeline_events = timeline;
    run.status_posts = status_posts;
    text.map_err(|e| RunError::Host(HostError::Other(e.to_string())))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "store_bench.rs"]
mod bench;
