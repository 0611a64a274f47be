//! Durable queue of outgoing webhook deliveries (plugins' `http-out`).
//!
//! Kept in the store so that a queued POST survives a restart, bounded per
//! plugin so that one plugin cannot fill the disk, and leased while being
//! sent so that a crash mid-send retries instead of losing it (decision 016).

use super::StoreResult;

/// A queued POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub plugin_id: String,
    pub url: String,
    pub body: String,
    /// Sends started so far.
    pub attempts: u32,
    /// When the next send may start (retry time, or lease expiry while a
    /// send is in progress).
    pub next_at_ms: i64,
}

/// How much one plugin may have queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    pub count: u32,
    pub bytes: u64,
}

pub trait DeliveryStore: Send + Sync {
    /// Queues a delivery due at `at_ms` unless `plugin_id` would then have
    /// more than `limits.count` deliveries or `limits.bytes` bytes of
    /// bodies queued. Returns its id, or `None` when the plugin's queue is
    /// full. Counting and inserting are one transaction.
    fn enqueue_delivery(
        &self,
        plugin_id: &str,
        url: &str,
        body: &str,
        at_ms: i64,
        limits: QueueLimits,
    ) -> StoreResult<Option<i64>>;
    /// Deliveries with `next_at_ms <= now_ms`, earliest first, at most `limit`.
    fn due_deliveries(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Delivery>>;
    /// The earliest `next_at_ms` of any queued delivery.
    fn next_delivery_at(&self) -> StoreResult<Option<i64>>;
    /// Starts a send: if the delivery is still as `delivery` describes (not
    /// leased by someone else meanwhile), moves `next_at_ms` to `until_ms`
    /// and counts the attempt. Returns the attempt number, or `None`.
    fn lease_delivery(&self, delivery: &Delivery, until_ms: i64) -> StoreResult<Option<u32>>;
    /// Schedules the next attempt.
    fn retry_delivery(&self, id: i64, at_ms: i64) -> StoreResult<()>;
    /// Removes a delivery (sent, or given up). Returns whether it existed.
    fn remove_delivery(&self, id: i64) -> StoreResult<bool>;
    /// How many deliveries `plugin_id` has queued.
    fn pending_deliveries(&self, plugin_id: &str) -> StoreResult<u64>;
}
