//! Run persistence over the host's key-value store.
//!
//! # Key layout
//!
//! | key | value | purpose |
//! |---|---|---|
//! | `run/<id>` | the [`PlaybookRun`] as JSON (followers inline), without its timeline and status posts, plus `_logs` | the record |
//! | `rtl/<id>/<n>`, `rsp/<id>/<n>` | one timeline event, one status post | the run's logs ([`super::logs`]) |
//! | `rt/<team_id>/<create_at, 13 digits>/<id>` | the run's [`RunSummary`] as JSON | team index, in start order |
//! | `rc/<channel_id>/<id>` | `""` | runs in a channel |
//! | `rp/<playbook_id>/<id>` | `""` | runs of a playbook (not for standalone runs) |
//! | `pbseq/<playbook_id>` | last run number, decimal text | run numbers (see [`next_run_number`]) |
//!
//! - Create writes the record and its three index entries in one
//!   `atomic_write` expecting `run/<id>` to be absent.
//! - The indexed fields (`team_id`, `channel_id`, `playbook_id`,
//!   `create_at`) never change after create: [`RunStore::update`] keeps
//!   them. An update writes the record and the team index entry's summary
//!   in one `atomic_write` that expects the record as read (retried on
//!   contention, so no update is lost and the summary never goes stale).
//! - The team index carries a [`RunSummary`] (status, owner, participants,
//!   followers, name, times): everything the list filters, visibility
//!   checks and sort keys need. Team-wide lists read these small values
//!   instead of decoding whole runs (whose timelines grow without bound)
//!   and load only the page asked for. An entry without a summary (written
//!   before summaries existed) falls back to the record.
//! - Channel and playbook lists (narrow indexes) decode the runs, [`SCAN_CHUNK`]
//!   at a time.
//! - Every write checks the run against [`crate::limits`] (400 naming the
//!   field), so a record never outgrows its fixed maximum size; timeline
//!   events and status posts are written to their own keys in the same
//!   `atomic_write` and assembled on read, so the REST JSON is unchanged.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::logs::{self, Layout, Log, Span};
use super::model::{PlaybookRun, status};
use crate::host::{Host, HostError, KvOp};
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, Playbook};

pub use crate::kvjson::PAGE;
const MAX_ATTEMPTS: usize = 64;

pub fn record_key(id: &str) -> String {
    format!("run/{id}")
}
pub fn team_key(team_id: &str, create_at: i64, id: &str) -> String {
    format!("rt/{team_id}/{:013}/{id}", create_at.max(0))
}
pub fn channel_key(channel_id: &str, id: &str) -> String {
    format!("rc/{channel_id}/{id}")
}
pub fn playbook_key(playbook_id: &str, id: &str) -> String {
    format!("rp/{playbook_id}/{id}")
}
pub fn seq_key(playbook_id: &str) -> String {
    format!("pbseq/{playbook_id}")
}

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

/// Allocates the next run number of `playbook_id` (1, 2, …) with a
/// compare-and-set retry loop on `pbseq/<playbook_id>`: concurrent starts
/// never get the same number.
pub fn next_run_number<H: Host + ?Sized>(host: &H, playbook_id: &str) -> RunResult<i64> {
    let key = seq_key(playbook_id);
    for _ in 0..MAX_ATTEMPTS {
        let old = host.kv_get(&key)?;
        let current = old
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(0);
        let next = current + 1;
        if host.kv_compare_and_set(&key, old.as_deref(), Some(next.to_string().as_bytes()))? {
            return Ok(next);
        }
    }
    Err(RunError::Conflict(
        "run numbers are being allocated concurrently, try again".into(),
    ))
}

/// Adjusts a playbook's run counters (`num_runs`, `active_runs`,
/// `last_run_at`) with compare-and-set on its record, touching no other
/// field (so no validation: counters are the store's bookkeeping). A
/// missing playbook is left alone.
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

    /// The value runs are ordered by (kept per candidate while listing,
    /// instead of the whole run).
    fn key(self, run: &PlaybookRun) -> SortKey {
        match self {
            RunSort::CreateAt => SortKey::Int(run.create_at),
            RunSort::Id => SortKey::Text(run.id.clone()),
            RunSort::Name => SortKey::Text(run.name.to_lowercase()),
            RunSort::OwnerUserId => SortKey::Text(run.owner_user_id.clone()),
            RunSort::EndAt => SortKey::Int(run.end_at),
            RunSort::Status => SortKey::Text(run.current_status.clone()),
            RunSort::LastStatusUpdateAt => SortKey::Int(run.last_status_update_at),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Int(i64),
    Text(String),
}

/// A run that passed the filters: just what ordering and paging need.
/// Ordered by sort key, then start time, then id.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    key: SortKey,
    create_at: i64,
    id: String,
}

/// The fields of a run that lists filter, check and sort on; stored as the
/// value of its team index entry.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Default)]
#[serde(default)]
pub struct RunSummary {
    pub id: String,
    pub name: String,
    pub team_id: String,
    pub channel_id: String,
    pub playbook_id: String,
    pub owner_user_id: String,
    pub current_status: String,
    pub create_at: i64,
    pub end_at: i64,
    pub update_at: i64,
    pub last_status_update_at: i64,
    pub participant_ids: Vec<String>,
    pub followers: Vec<String>,
}

impl RunSummary {
    pub fn of(run: &PlaybookRun) -> Self {
        RunSummary {
            id: run.id.clone(),
            name: run.name.clone(),
            team_id: run.team_id.clone(),
            channel_id: run.channel_id.clone(),
            playbook_id: run.playbook_id.clone(),
            owner_user_id: run.owner_user_id.clone(),
            current_status: run.current_status.clone(),
            create_at: run.create_at,
            end_at: run.end_at,
            update_at: run.update_at,
            last_status_update_at: run.last_status_update_at,
            participant_ids: run.participant_ids.clone(),
            followers: run.followers.clone(),
        }
    }

    /// A run with only the summary's fields (enough for filters, access
    /// checks and sort keys; never for display).
    pub fn skeleton(self) -> PlaybookRun {
        PlaybookRun {
            id: self.id,
            name: self.name,
            team_id: self.team_id,
            channel_id: self.channel_id,
            playbook_id: self.playbook_id,
            owner_user_id: self.owner_user_id,
            current_status: self.current_status,
            create_at: self.create_at,
            end_at: self.end_at,
            update_at: self.update_at,
            last_status_update_at: self.last_status_update_at,
            participant_ids: self.participant_ids,
            followers: self.followers,
            ..PlaybookRun::default()
        }
    }
}

fn summary_bytes(run: &PlaybookRun) -> RunResult<Vec<u8>> {
    serde_json::to_vec(&RunSummary::of(run))
        .map_err(|e| RunError::Host(HostError::Other(e.to_string())))
}

/// Runs decoded per host call while scanning: small enough that a page of
/// large runs (long timelines) stays far below the plugin's memory cap.
const SCAN_CHUNK: usize = 200;

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

impl RunFilter {
    fn matches(&self, run: &PlaybookRun, term: &str) -> bool {
        let eq = |want: &str, have: &str| want.is_empty() || want == have;
        eq(&self.team_id, &run.team_id)
            && eq(&self.owner_user_id, &run.owner_user_id)
            && eq(&self.playbook_id, &run.playbook_id)
            && eq(&self.channel_id, &run.channel_id)
            && (self.statuses.is_empty() || self.statuses.contains(&run.current_status))
            && (self.participant_id.is_empty() || run.is_participant(&self.participant_id))
            && (self.participant_or_follower_id.is_empty()
                || run.is_participant(&self.participant_or_follower_id)
                || run.is_follower(&self.participant_or_follower_id))
            && (term.is_empty() || run.name.to_lowercase().contains(term))
            && (self.started_gte == 0 || run.create_at >= self.started_gte)
            && (self.started_lt == 0 || run.create_at < self.started_lt)
            && (self.active_gte == 0 || run.end_at == 0 || run.end_at >= self.active_gte)
            && (self.active_lt == 0 || run.create_at < self.active_lt)
            && (self.since == 0 || run.update_at >= self.since)
            && (!self.omit_ended || (run.end_at == 0 && run.current_status != status::FINISHED))
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

impl<'a, H: Host + ?Sized> RunStore<'a, H> {
    pub fn new(host: &'a H) -> Self {
        RunStore { host }
    }

    pub fn get(&self, id: &str) -> RunResult<Option<PlaybookRun>> {
        self.host
            .kv_get(&record_key(id))?
            .map(|b| self.load(&b).map(|(run, _)| run))
            .transpose()
    }

    /// A record with its logs read back in: the whole run, and where its
    /// logs are (`None`: old layout, logs inline).
    fn load(&self, bytes: &[u8]) -> RunResult<(PlaybookRun, Option<Layout>)> {
        let (mut run, layout) = decode(bytes)?;
        if let Some(layout) = layout {
            run.timeline_events = logs::read(self.host, Log::Timeline, &run.id, layout.timeline)?;
            run.status_posts =
                logs::read(self.host, Log::StatusPosts, &run.id, layout.status_posts)?;
        }
        Ok((run, layout))
    }

    /// The writes that store `next` over `current` (as loaded, in the
    /// logs layout `layout`): changed and new log entries, trimmed logs,
    /// the record. Refuses a run over the limits (400 naming the field).
    fn write_ops(
        &self,
        current: Option<(&PlaybookRun, Layout)>,
        next: &mut PlaybookRun,
    ) -> RunResult<Vec<KvOp>> {
        crate::limits::run_change(current.map(|(c, _)| c), next)?;
        let (timeline, status_posts, layout): (&[_], &[_], Layout) = match current {
            Some((c, layout)) => (&c.timeline_events, &c.status_posts, layout),
            None => (&[], &[], Layout::default()),
        };
        // Never fewer than the run holds (a migrated run may hold more).
        let mut ops = Vec::new();
        let timeline_span = logs::diff(
            Log::Timeline,
            &next.id,
            layout.timeline,
            timeline,
            &mut next.timeline_events,
            crate::limits::TIMELINE_EVENTS.max(timeline.len()),
            &mut ops,
        )?;
        let status_span = logs::diff(
            Log::StatusPosts,
            &next.id,
            layout.status_posts,
            status_posts,
            &mut next.status_posts,
            crate::limits::STATUS_POSTS.max(status_posts.len()),
            &mut ops,
        )?;
        let layout = Layout {
            timeline: timeline_span,
            status_posts: status_span,
        };
        ops.push(KvOp::Set(record_key(&next.id), encode(next, layout)?));
        Ok(ops)
    }

    /// Moves the logs of an old-layout record (`old`, decoded as `run`)
    /// to their own keys, changing nothing else, and dropping nothing.
    /// The entries go first, in batches (there may be more than one host
    /// call takes): no record references them yet, and whoever races us
    /// writes the same entries from the same record. Then the record, if
    /// it is still `old`. Returns whether it was.
    fn migrate(&self, old: &[u8], run: &PlaybookRun) -> RunResult<bool> {
        let mut run = run.clone();
        let mut ops = Vec::new();
        let timeline = logs::diff(
            Log::Timeline,
            &run.id,
            Span::default(),
            &[],
            &mut run.timeline_events,
            usize::MAX,
            &mut ops,
        )?;
        let status_posts = logs::diff(
            Log::StatusPosts,
            &run.id,
            Span::default(),
            &[],
            &mut run.status_posts,
            usize::MAX,
            &mut ops,
        )?;
        for chunk in ops.chunks(logs::WRITE_CHUNK) {
            self.host.kv_atomic_write(&[], chunk)?;
        }
        let layout = Layout {
            timeline,
            status_posts,
        };
        let key = record_key(&run.id);
        Ok(self.host.kv_atomic_write(
            &[(key.clone(), Some(old.to_vec()))],
            &[KvOp::Set(key, encode(&mut run, layout)?)],
        )?)
    }

    /// Stores a new run (id, team, channel and `create_at` set by the
    /// caller) with its index entries, atomically.
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
        let key = record_key(&run.id);
        let mut ops = self.write_ops(None, &mut run)?;
        ops.extend([
            KvOp::Set(
                team_key(&run.team_id, run.create_at, &run.id),
                summary_bytes(&run)?,
            ),
            KvOp::Set(channel_key(&run.channel_id, &run.id), Vec::new()),
        ]);
        if !run.playbook_id.is_empty() {
            ops.push(KvOp::Set(
                playbook_key(&run.playbook_id, &run.id),
                Vec::new(),
            ));
        }
        if self.host.kv_atomic_write(&[(key, None)], &ops)? {
            Ok(run)
        } else {
            Err(RunError::Conflict(format!("run {} already exists", run.id)))
        }
    }

    /// Deletes run `id` and its index entries in one `atomic_write` that
    /// expects the record as read (retried if it changed meanwhile), after
    /// `check` approves the current record. Returns the deleted run.
    pub fn delete<E, F>(&self, id: &str, mut check: F) -> Result<PlaybookRun, E>
    where
        E: From<RunError>,
        F: FnMut(&PlaybookRun) -> Result<(), E>,
    {
        let key = record_key(id);
        for _ in 0..MAX_ATTEMPTS {
            let old = self
                .host
                .kv_get(&key)
                .map_err(RunError::from)?
                .ok_or_else(run_not_found)?;
            let (run, layout) = decode(&old)?;
            check(&run)?;
            let mut ops = vec![
                KvOp::Delete(key.clone()),
                KvOp::Delete(team_key(&run.team_id, run.create_at, &run.id)),
                KvOp::Delete(channel_key(&run.channel_id, &run.id)),
            ];
            if !run.playbook_id.is_empty() {
                ops.push(KvOp::Delete(playbook_key(&run.playbook_id, &run.id)));
            }
            if self
                .host
                .kv_atomic_write(&[(key.clone(), Some(old))], &ops)
                .map_err(RunError::from)?
            {
                if let Some(layout) = layout {
                    logs::delete_all(self.host, Log::Timeline, id, layout.timeline)?;
                    logs::delete_all(self.host, Log::StatusPosts, id, layout.status_posts)?;
                }
                return Ok(run);
            }
        }
        Err(RunError::Conflict(format!("run {id} is being changed concurrently, try again")).into())
    }

    /// Read-modify-write of run `id` with compare-and-set, retried when a
    /// concurrent writer got there first (`change` then runs again on the
    /// fresh record, so it must be repeatable and is the place for state
    /// checks). The indexed fields are kept; `update_at` is the host time;
    /// an unchanged run is not written.
    pub fn update<E, F>(&self, id: &str, change: F) -> Result<PlaybookRun, E>
    where
        E: From<RunError>,
        F: FnMut(&mut PlaybookRun) -> Result<(), E>,
    {
        self.update_reporting(id, change).map(|(run, _)| run)
    }

    /// [`update`](Self::update), also saying whether the run was written
    /// (callers publish only real changes, without reading the run, and
    /// its logs, once more to compare).
    pub fn update_reporting<E, F>(&self, id: &str, mut change: F) -> Result<(PlaybookRun, bool), E>
    where
        E: From<RunError>,
        F: FnMut(&mut PlaybookRun) -> Result<(), E>,
    {
        let key = record_key(id);
        for _ in 0..MAX_ATTEMPTS {
            let old = self
                .host
                .kv_get(&key)
                .map_err(RunError::from)?
                .ok_or_else(run_not_found)?;
            let (current, layout) = self.load(&old)?;
            let Some(layout) = layout else {
                // Old layout: move its logs out first, then apply the
                // change to the migrated record.
                self.migrate(&old, &current)?;
                continue;
            };
            let mut next = current.clone();
            change(&mut next)?;
            next.id.clone_from(&current.id);
            next.team_id.clone_from(&current.team_id);
            next.channel_id.clone_from(&current.channel_id);
            next.playbook_id.clone_from(&current.playbook_id);
            next.create_at = current.create_at;
            next.update_at = current.update_at;
            next.update_counts();
            if next == current {
                return Ok((current, false));
            }
            next.update_at = self.host.now_ms();
            let mut ops = self.write_ops(Some((&current, layout)), &mut next)?;
            ops.push(KvOp::Set(
                team_key(&next.team_id, next.create_at, &next.id),
                summary_bytes(&next)?,
            ));
            if self
                .host
                .kv_atomic_write(&[(key.clone(), Some(old))], &ops)
                .map_err(RunError::from)?
            {
                return Ok((next, true));
            }
        }
        Err(RunError::Conflict(format!("run {id} is being changed concurrently, try again")).into())
    }

    /// The runs with these ids, in chunks of [`PAGE`]; missing ones are
    /// skipped, unreadable ones logged and skipped.
    pub fn get_many(&self, ids: &[String]) -> RunResult<Vec<PlaybookRun>> {
        let keys: Vec<String> = ids.iter().map(|id| record_key(id)).collect();
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(PAGE) {
            for (key, value) in chunk.iter().zip(self.host.kv_get_many(chunk)?) {
                let Some(bytes) = value else { continue };
                match self.load(&bytes) {
                    Ok((run, _)) => out.push(run),
                    Err(e) => self.host.log(
                        crate::host::Level::Warn,
                        &format!("skipping unreadable record {key}: {e}"),
                    ),
                }
            }
        }
        Ok(out)
    }

    /// Run ids of the index under `prefix` (the id is the last segment).
    fn ids_under(&self, prefix: &str) -> RunResult<Vec<String>> {
        let mut ids: Vec<String> = crate::kvjson::all_keys(self.host, prefix)?
            .iter()
            .filter_map(|k| k.rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The runs in channel `channel_id`.
    pub fn in_channel(&self, channel_id: &str) -> RunResult<Vec<PlaybookRun>> {
        let ids = self.ids_under(&format!("rc/{channel_id}/"))?;
        Ok(self
            .get_many(&ids)?
            .into_iter()
            .filter(|r| r.channel_id == channel_id)
            .collect())
    }

    /// Calls `each` with every run `viewer` may see that passes `filter`
    /// (paging and sorting ignored). From the team index the runs are
    /// **skeletons** ([`RunSummary::skeleton`]: ids, names, status, owner,
    /// participants, followers, times); from the channel and playbook
    /// indexes they are whole, decoded [`SCAN_CHUNK`] at a time. Memory
    /// stays flat however many runs the index holds. Without a team filter,
    /// non-admins see the runs of their teams only.
    pub fn scan(
        &self,
        viewer: &Viewer,
        filter: &RunFilter,
        mut each: impl FnMut(&PlaybookRun),
    ) -> RunResult<()> {
        let term = filter.search_term.to_lowercase();
        let mut access = Access::new(self.host, viewer.clone());
        let mut teams: HashMap<String, bool> = HashMap::new();
        let mut visit = |run: &PlaybookRun| -> RunResult<()> {
            if !filter.matches(run, &term) {
                return Ok(());
            }
            if !viewer.is_system_admin && filter.team_id.is_empty() {
                let member = match teams.get(&run.team_id) {
                    Some(m) => *m,
                    None => {
                        let m = self.host.is_team_member(&run.team_id, &viewer.user_id)?;
                        teams.insert(run.team_id.clone(), m);
                        m
                    }
                };
                if !member && !run.is_participant(&viewer.user_id) {
                    return Ok(());
                }
            }
            if access.can_view(run)? {
                each(run);
            }
            Ok(())
        };
        let narrow = if !filter.channel_id.is_empty() {
            Some(format!("rc/{}/", filter.channel_id))
        } else if !filter.playbook_id.is_empty() {
            Some(format!("rp/{}/", filter.playbook_id))
        } else {
            None
        };
        if let Some(prefix) = narrow {
            let ids = self.ids_under(&prefix)?;
            for chunk in ids.chunks(SCAN_CHUNK) {
                for run in self.get_many(chunk)? {
                    visit(&run)?;
                }
            }
            return Ok(());
        }
        let prefix = if filter.team_id.is_empty() {
            "rt/".to_owned()
        } else {
            format!("rt/{}/", filter.team_id)
        };
        let keys = crate::kvjson::all_keys(self.host, &prefix)?;
        for chunk in keys.chunks(PAGE) {
            let values = self.host.kv_get_many(chunk)?;
            let mut legacy = Vec::new();
            for (key, value) in chunk.iter().zip(values) {
                match value
                    .as_deref()
                    .and_then(|b| serde_json::from_slice::<RunSummary>(b).ok())
                {
                    Some(summary) if !summary.id.is_empty() => visit(&summary.skeleton())?,
                    _ => legacy.extend(key.rsplit('/').next().map(str::to_owned)),
                }
            }
            for run in self.get_many(&legacy)? {
                visit(&run)?;
            }
        }
        Ok(())
    }

    /// Every run [`scan`](Self::scan) yields, whole, sorted by `filter`
    /// (no paging): for callers that need them all (`todo`, digests).
    pub fn all(&self, viewer: &Viewer, filter: &RunFilter) -> RunResult<Vec<PlaybookRun>> {
        let mut found = Vec::new();
        self.scan(viewer, filter, |r| {
            found.push(Candidate {
                key: filter.sort.key(r),
                create_at: r.create_at,
                id: r.id.clone(),
            })
        })?;
        found.sort();
        if filter.descending {
            found.reverse();
        }
        let ids: Vec<String> = found.into_iter().map(|c| c.id).collect();
        let mut loaded: HashMap<String, PlaybookRun> = self
            .get_many(&ids)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        Ok(ids.iter().filter_map(|id| loaded.remove(id)).collect())
    }

    /// The runs `viewer` may see that pass `filter`, sorted and paged. Only
    /// the sort key and id of each match are kept while scanning; the page
    /// itself is loaded at the end.
    pub fn list(&self, viewer: &Viewer, filter: &RunFilter) -> RunResult<RunPage> {
        let mut all: Vec<Candidate> = Vec::new();
        self.scan(viewer, filter, |run| {
            all.push(Candidate {
                key: filter.sort.key(run),
                create_at: run.create_at,
                id: run.id.clone(),
            });
        })?;
        all.sort();
        if filter.descending {
            all.reverse();
        }
        let total_count = all.len();
        let per_page = filter.per_page.clamp(1, MAX_PER_PAGE);
        let start = filter.page.saturating_mul(per_page).min(total_count);
        let end = start.saturating_add(per_page).min(total_count);
        let page_ids: Vec<String> = all[start..end].iter().map(|c| c.id.clone()).collect();
        let mut loaded: HashMap<String, PlaybookRun> = self
            .get_many(&page_ids)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let items = page_ids.iter().filter_map(|id| loaded.remove(id)).collect();
        Ok(RunPage {
            total_count,
            page_count: total_count.div_ceil(per_page),
            per_page,
            has_more: end < total_count,
            items,
        })
    }
}

fn check_key_part(field: &str, value: &str) -> RunResult<()> {
    Ok(crate::kvjson::check_key_part(field, value)?)
}

/// The record's `_logs` (absent: the old layout, logs inline).
#[derive(serde::Deserialize)]
struct LayoutField {
    #[serde(rename = "_logs")]
    logs: Option<Layout>,
}

/// A record as stored: the run (logs inline only in the old layout) and
/// where its logs are.
fn decode(bytes: &[u8]) -> RunResult<(PlaybookRun, Option<Layout>)> {
    let unreadable = |e: serde_json::Error| {
        RunError::Host(HostError::Other(format!("unreadable run record: {e}")))
    };
    let run: PlaybookRun = serde_json::from_slice(bytes).map_err(unreadable)?;
    let layout = serde_json::from_slice::<LayoutField>(bytes)
        .map_err(unreadable)?
        .logs;
    Ok((run, layout))
}

/// The record of `run`: everything but its logs, plus where they are.
/// (The logs are taken out for the encoding and put back.)
pub(crate) fn encode(run: &mut PlaybookRun, layout: Layout) -> RunResult<Vec<u8>> {
    let timeline = std::mem::take(&mut run.timeline_events);
    let status_posts = std::mem::take(&mut run.status_posts);
    let value = serde_json::to_value(&*run);
    run.timeline_events = timeline;
    run.status_posts = status_posts;
    let mut value = value.map_err(|e| RunError::Host(HostError::Other(e.to_string())))?;
    if let Some(fields) = value.as_object_mut() {
        fields.remove("timeline_events");
        fields.remove("status_posts");
        fields.insert("_logs".into(), serde_json::json!(layout));
    }
    serde_json::to_vec(&value).map_err(|e| RunError::Host(HostError::Other(e.to_string())))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
