//! Playbook persistence over the host's key-value store.
//!
//! # Key layout
//!
//! | key | value | purpose |
//! |---|---|---|
//! | `pb/<id>` | the [`Playbook`] as JSON | the record, whole |
//! | `pbt/<team_id>/<id>` | `""` | team index: the playbooks of a team |
//! | `pbpfx/<team_id>/<PREFIX>` | the playbook id | `run_number_prefix` uniqueness per team |
//!
//! - `<PREFIX>` is the run number prefix upper-cased, so uniqueness is
//!   case-insensitive; a playbook without a prefix claims nothing. Claims
//!   are kept while a playbook is archived (its runs keep their numbers).
//! - Create writes the record, the index entry and the prefix claim in one
//!   `atomic_write` expecting `pb/<id>` and the claim to be absent.
//! - Updates are read-modify-write ([`PlaybookStore::update`]): the record
//!   is replaced with compare-and-set on its previous bytes, retried when a
//!   concurrent writer got there first, so no update is lost. When the
//!   prefix changes, the same compare-and-set is an expectation of one
//!   `atomic_write` that also releases the old claim and takes the new one.
//! - `id` and `team_id` never change after create, so the index entry is
//!   written once. Playbooks are never deleted (archiving sets `delete_at`).
//! - Listing scans `pbt/<team>/` with `list_keys` pages of [`PAGE`] keys
//!   and loads the records with `get_many` in chunks of [`PAGE`].
//!
//! Runs will follow the same style (`run/<id>`, `runt/<team>/<id>`, …).
//!
//! The store enforces what keeps the keys consistent (ids, team, prefix
//! claims), recomputes `num_stages`/`num_steps`, stamps `create_at` and
//! `update_at` with the host clock and validates every record it writes.
//! Permissions are the caller's business.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::model::Playbook;
use super::validate::{FieldError, validate_playbook};
use crate::host::{Host, HostError, KvOp};

pub use crate::kvjson::PAGE;
/// Attempts of a read-modify-write before giving up on contention.
const MAX_ATTEMPTS: usize = 64;

pub fn record_key(id: &str) -> String {
    format!("pb/{id}")
}

fn team_prefix(team_id: &str) -> String {
    format!("pbt/{team_id}/")
}

pub fn index_key(team_id: &str, id: &str) -> String {
    format!("pbt/{team_id}/{id}")
}

/// The claim key of a run number prefix, if the playbook has one.
pub fn prefix_key(team_id: &str, prefix: &str) -> Option<String> {
    (!prefix.is_empty()).then(|| format!("pbpfx/{team_id}/{}", prefix.to_ascii_uppercase()))
}

fn claim_of(pb: &Playbook) -> Option<String> {
    prefix_key(&pb.team_id, &pb.run_number_prefix)
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
    fn matches(&self, pb: &Playbook, term: &str) -> bool {
        (self.with_archived || !pb.is_archived())
            && (term.is_empty() || pb.title.to_lowercase().contains(term))
            && self
                .visible_to
                .as_deref()
                .is_none_or(|user| pb.public || pb.member(user).is_some())
    }

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
        self.host
            .kv_get(&record_key(id))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// Stores a new playbook (its `id` set by the caller), with its index
    /// entry and prefix claim, atomically. Stamps `create_at`/`update_at`,
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
        let bytes = encode(&pb)?;
        let key = record_key(&pb.id);
        let mut expect = vec![(key.clone(), None)];
        let mut ops = vec![
            KvOp::Set(key.clone(), bytes),
            KvOp::Set(index_key(&pb.team_id, &pb.id), Vec::new()),
        ];
        if let Some(claim) = claim_of(&pb) {
            expect.push((claim.clone(), None));
            ops.push(KvOp::Set(claim, pb.id.clone().into_bytes()));
        }
        if self.host.kv_atomic_write(&expect, &ops)? {
            return Ok(pb);
        }
        // Say which expectation failed.
        if let Some(claim) = claim_of(&pb)
            && self.host.kv_get(&claim)?.is_some()
        {
            return Err(prefix_taken(&pb.run_number_prefix));
        }
        if self.host.kv_get(&key)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "playbook {} already exists",
                pb.id
            )));
        }
        Err(StoreError::Conflict("concurrent change, try again".into()))
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
        let key = record_key(id);
        for _ in 0..MAX_ATTEMPTS {
            let old_bytes = self
                .host
                .kv_get(&key)
                .map_err(StoreError::from)?
                .ok_or(StoreError::NotFound)?;
            let current = decode(&old_bytes)?;
            let mut next = current.clone();
            change(&mut next)?;
            next.id = current.id.clone();
            next.team_id = current.team_id.clone();
            next.create_at = current.create_at;
            next.update_at = current.update_at;
            next.update_counts();
            if next == current {
                return Ok(current);
            }
            next.update_at = self.host.now_ms();
            validate_playbook(&next).map_err(StoreError::from)?;
            if self.replace(&current, &old_bytes, &next)? {
                return Ok(next);
            }
        }
        Err(StoreError::Conflict(format!(
            "playbook {id} is being changed concurrently, try again"
        ))
        .into())
    }

    /// Compare-and-set of the record from `old_bytes` to `next`, moving the
    /// prefix claim in the same atomic write when it changes. `false` when
    /// something changed in between.
    fn replace(&self, current: &Playbook, old_bytes: &[u8], next: &Playbook) -> StoreResult<bool> {
        let key = record_key(&next.id);
        let new_bytes = encode(next)?;
        let (old_claim, new_claim) = (claim_of(current), claim_of(next));
        if old_claim == new_claim {
            return Ok(self
                .host
                .kv_compare_and_set(&key, Some(old_bytes), Some(&new_bytes))?);
        }
        let id = next.id.as_bytes().to_vec();
        let mut expect = vec![(key.clone(), Some(old_bytes.to_vec()))];
        let mut ops = vec![KvOp::Set(key, new_bytes)];
        if let Some(claim) = old_claim
            && self.host.kv_get(&claim)?.as_deref() == Some(id.as_slice())
        {
            expect.push((claim.clone(), Some(id.clone())));
            ops.push(KvOp::Delete(claim));
        }
        if let Some(claim) = new_claim {
            let owner = self.host.kv_get(&claim)?;
            if owner.as_ref().is_some_and(|o| *o != id) {
                return Err(prefix_taken(&next.run_number_prefix));
            }
            expect.push((claim.clone(), owner));
            ops.push(KvOp::Set(claim, id));
        }
        Ok(self.host.kv_atomic_write(&expect, &ops)?)
    }

    /// The ids in the team index of `team_id`.
    pub fn ids_in_team(&self, team_id: &str) -> StoreResult<Vec<String>> {
        let prefix = team_prefix(team_id);
        Ok(self
            .keys(&prefix)?
            .into_iter()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .collect())
    }

    /// The teams that have at least one playbook, sorted.
    pub fn team_ids(&self) -> StoreResult<Vec<String>> {
        let teams: BTreeSet<String> = self
            .keys("pbt/")?
            .into_iter()
            .filter_map(|k| Some(k.strip_prefix("pbt/")?.split_once('/')?.0.to_owned()))
            .collect();
        Ok(teams.into_iter().collect())
    }

    /// Every key under `prefix`, page by page.
    fn keys(&self, prefix: &str) -> StoreResult<Vec<String>> {
        Ok(crate::kvjson::all_keys(self.host, prefix)?)
    }

    /// The playbooks with these ids, in chunks of [`PAGE`]; missing ones
    /// are skipped, unreadable ones logged and skipped.
    pub fn get_many(&self, ids: &[String]) -> StoreResult<Vec<Playbook>> {
        let keys: Vec<String> = ids.iter().map(|id| record_key(id)).collect();
        Ok(crate::kvjson::get_many(self.host, &keys)?)
    }

    /// The playbooks of `team_ids` that pass `filter`, sorted and paged.
    pub fn list(&self, team_ids: &[String], filter: &ListFilter) -> StoreResult<PlaybookPage> {
        let teams: BTreeSet<&String> = team_ids.iter().collect();
        let term = filter.search_term.to_lowercase();
        let mut all = Vec::new();
        for team in teams {
            let ids = self.ids_in_team(team)?;
            all.extend(
                self.get_many(&ids)?
                    .into_iter()
                    .filter(|pb| pb.team_id == *team && filter.matches(pb, &term)),
            );
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
}

fn prefix_taken(prefix: &str) -> StoreError {
    StoreError::Invalid(FieldError::new(
        "run_number_prefix",
        format!("{prefix:?} is already used by another playbook of this team"),
    ))
}

/// Ids and team ids become parts of keys: they must be non-empty and
/// slash-free for the layout to stay unambiguous.
fn check_key_part(field: &str, value: &str) -> StoreResult<()> {
    Ok(crate::kvjson::check_key_part(field, value)?)
}

fn decode(bytes: &[u8]) -> StoreResult<Playbook> {
    serde_json::from_slice(bytes)
        .map_err(|e| StoreError::Host(HostError::Other(format!("unreadable playbook record: {e}"))))
}

fn encode(pb: &Playbook) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(pb).map_err(|e| StoreError::Host(HostError::Other(e.to_string())))
}

#[cfg(any(test, feature = "fuzzing"))]
#[path = "store_test_host.rs"]
pub mod test_host;

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
