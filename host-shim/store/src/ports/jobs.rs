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
/// Delivery is at least once (decision 016): the dispatcher
/// [`JobStore::lease`]s a due job (it stays stored, hidden until the lease
/// expires), calls the plugin, and [`JobStore::complete`]s it only after the
/// hook returned. A crash or a trap in between leaves the job in place: it
/// fires again when the lease expires or at the retry time the dispatcher
/// sets with [`JobStore::retry_at`].
pub trait JobStore: Send + Sync {
    /// Inserts or replaces the job `(plugin_id, key)`. Replacing ends any
    /// lease: the new job is a new firing (a hook that reschedules its own
    /// key keeps the new schedule when it completes).
    fn schedule(&self, job: &Job) -> StoreResult<()>;
    /// Removes the job; returns whether one was pending.
    fn cancel(&self, plugin_id: &str, key: &str) -> StoreResult<bool>;
    /// Jobs with `at_ms <= now_ms` and no lease running at `now_ms`,
    /// earliest first, at most `limit`.
    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Job>>;
    /// When the next job falls due: the earliest `at_ms`, or lease expiry
    /// for a leased job.
    fn next_due_at(&self) -> StoreResult<Option<i64>>;
    /// Leases a due job for one firing until `until_ms`, if it is still
    /// exactly this job (not rescheduled) and not leased at `now_ms`.
    /// Returns the attempt number this lease starts (1 for the first), or
    /// `None` when someone else owns the firing or the job changed.
    fn lease(
        &self,
        job: &Job,
        lease_id: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Option<u32>>;
    /// Removes the job if `lease_id` still holds it (the hook succeeded, or
    /// the dispatcher gave up). Returns whether it was removed.
    fn complete(&self, plugin_id: &str, key: &str, lease_id: &str) -> StoreResult<bool>;
    /// Ends the lease early so the job fires again at `at_ms` (a retry after
    /// a failed hook). Returns false if the job was replaced meanwhile.
    fn retry_at(&self, plugin_id: &str, key: &str, lease_id: &str, at_ms: i64)
    -> StoreResult<bool>;
    /// Pending jobs of one plugin (for status pages and tests).
    fn jobs_for_plugin(&self, plugin_id: &str) -> StoreResult<Vec<Job>>;
}
