//! Key-value storage for plugins, namespaced per plugin id.

use super::StoreResult;

/// One page of a key listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPage {
    pub keys: Vec<String>,
    /// The last key of this page when more may follow; pass it back as the
    /// cursor to continue (listing resumes strictly after it).
    pub next_cursor: Option<String>,
}

/// A write inside an atomic batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvOp {
    Set(String, Vec<u8>),
    Delete(String),
}

/// A precondition of an atomic batch: `key` holds `value` (`None` = absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvExpect {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// A plugin's durable key-value store. `ns` is the plugin id; backends must
/// keep namespaces fully separate. Every method is one transaction.
pub trait KvStore: Send + Sync {
    fn get(&self, ns: &str, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// One result per requested key, in the same order. Fails with
    /// [`StoreError::Invalid`](super::StoreError::Invalid) if the values
    /// together exceed `max_total_bytes`, checked while reading: at most one
    /// value beyond the budget is ever held.
    fn get_many(
        &self,
        ns: &str,
        keys: &[String],
        max_total_bytes: usize,
    ) -> StoreResult<Vec<Option<Vec<u8>>>>;
    fn set(&self, ns: &str, key: &str, value: &[u8]) -> StoreResult<()>;
    /// Deleting an absent key is not an error.
    fn delete(&self, ns: &str, key: &str) -> StoreResult<()>;
    /// Writes `new` (`None` deletes) only if the key currently holds `old`
    /// (`None` = absent). Returns whether it wrote.
    fn compare_and_set(
        &self,
        ns: &str,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> StoreResult<bool>;
    fn set_if_absent(&self, ns: &str, key: &str, value: &[u8]) -> StoreResult<bool>;
    /// Keys with `prefix` in ascending byte order, strictly after `cursor`,
    /// at most `limit` (the caller bounds `limit`).
    fn list_keys(
        &self,
        ns: &str,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> StoreResult<KeyPage>;
    /// Applies `ops` in order in one transaction if all `expect` hold.
    /// Returns false, writing nothing, if any does not.
    fn atomic_write(&self, ns: &str, expect: &[KvExpect], ops: &[KvOp]) -> StoreResult<bool>;
    /// Drops every key of a namespace (used when a plugin is uninstalled for good).
    fn clear_namespace(&self, ns: &str) -> StoreResult<u64>;
}
