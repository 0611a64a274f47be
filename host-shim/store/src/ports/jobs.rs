//! Durable one-shot jobs for the plugin scheduler.

use super::StoreResult;

/// A pending job. `(plugin_id, key)` is unique: scheduling again replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub plugin_id: String,
    pub key: String,
    pub at_ms: i64,
    pub payload: String,
}

/// Storage for scheduled jobs.
///
/// Delivery is at most once: the dispatcher [`JobStore::claim`]s a due job
/// (removing it) before calling the plugin, so a job that was due while the
/// server was down fires once at start and never twice.
pub trait JobStore: Send + Sync {
    /// Inserts or replaces the job `(plugin_id, key)`.
    fn schedule(&self, job: &Job) -> StoreResult<()>;
    /// Removes the job; returns whether one was pending.
    fn cancel(&self, plugin_id: &str, key: &str) -> StoreResult<bool>;
    /// Jobs with `at_ms <= now_ms`, earliest first, at most `limit`.
    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Job>>;
    /// The earliest `at_ms` of any pending job.
    fn next_due_at(&self) -> StoreResult<Option<i64>>;
    /// Removes the job only if it is still exactly this one (same `at_ms` and
    /// payload: not rescheduled meanwhile). Returns whether it was removed,
    /// i.e. whether the caller now owns this firing.
    fn claim(&self, job: &Job) -> StoreResult<bool>;
    /// Pending jobs of one plugin (for status pages and tests).
    fn jobs_for_plugin(&self, plugin_id: &str) -> StoreResult<Vec<Job>>;
}
