//! Per-instance host state: what one plugin instance's `Store` carries.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::services::Services;

/// Limits on what a guest may hand the host in one call. The guest's memory
/// cap already bounds any single copy; these keep one call from monopolising
/// the host's storage or memory.
pub mod limits {
    /// Mattermost's KV key limit.
    pub const MAX_KV_KEY_BYTES: usize = 150;
    pub const MAX_KV_VALUE_BYTES: usize = 1024 * 1024;
    pub const MAX_KV_BATCH_ITEMS: usize = 1000;
    pub const MAX_KV_BATCH_BYTES: usize = 8 * 1024 * 1024;
    pub const MAX_KV_LIST_LIMIT: u32 = 1000;
    pub const MAX_LOG_BYTES: usize = 16 * 1024;
    pub const MAX_RANDOM_BYTES: u32 = 1024;
    pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
    pub const MAX_JOB_KEY_BYTES: usize = 150;
    pub const MAX_JOB_PAYLOAD_BYTES: usize = 64 * 1024;
    pub const MAX_MEMBERS_PAGE: u32 = 1000;
    /// Most bytes one `kv.get-many` may return (1000 values of up to 1 MiB
    /// would otherwise be assembled in host memory and copied into the guest).
    pub const MAX_KV_GET_MANY_BYTES: usize = 8 * 1024 * 1024;
    /// ...and at most this fraction of the instance's memory cap, so the
    /// copy cannot by itself push the guest over it.
    pub const RESULT_MEMORY_FRACTION: usize = 8;

    /// The result budget of one host call for an instance with this cap.
    pub fn result_budget(memory_limit_bytes: usize) -> usize {
        MAX_KV_GET_MANY_BYTES.min(memory_limit_bytes / RESULT_MEMORY_FRACTION)
    }
}

/// The plugin's current settings (JSON object text), shared by all of its
/// instances and replaced when the admin changes them.
pub type SharedSettings = Arc<RwLock<String>>;

pub struct HostState {
    pub plugin_id: String,
    pub services: Arc<Services>,
    pub settings: SharedSettings,
    pub memory: MemoryCap,
    /// The last panic message the guest reported through `log` before a
    /// trap; attached to the trap report.
    pub last_panic: Option<String>,
    /// When the running hook's time is up; host calls that can take long
    /// (SQL) stop there too.
    pub deadline: Instant,
}

impl HostState {
    /// The plugin's bot id, creating a default bot if the plugin never called
    /// `ensure-bot` (posts with an empty user id need an author).
    pub fn bot_id(&self) -> Result<String, crate::error::AppError> {
        if let Some(id) = self.services.chat.plugin_bot(&self.plugin_id)? {
            return Ok(id);
        }
        let username: String = self
            .plugin_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        self.services
            .ensure_plugin_bot(&self.plugin_id, &username, &self.plugin_id, "plugin bot")
    }
}

/// Most table elements one instance may hold in total.
pub const MAX_TABLE_ELEMENTS: usize = 100_000;
/// Host memory per table element (a pointer, as wasmtime documents).
pub const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();
/// Core instances, tables and linear memories one store may create: a
/// component has a handful of each (its module plus adapter shims); the
/// wasmtime default of 10 000 each would let one component reserve far more
/// than its memory cap suggests.
pub const MAX_CORE_INSTANCES: usize = 64;
pub const MAX_TABLES: usize = 64;
pub const MAX_MEMORIES: usize = 16;

/// Caps everything one plugin instance holds — all of its linear memories
/// and tables together, not each one on its own — and remembers whether the
/// cap was hit, so the resulting trap is reported as "memory limit" rather
/// than as a generic failure.
///
/// Each `Store` holds one component instance, so this state lives and dies
/// with it. Growth is charged when wasmtime asks. A growth that wasmtime then
/// fails (beyond the memory's own declared maximum) stays charged: wasmtime
/// may report such a failure without asking first, so a refund could not be
/// matched to its grant, and over-counting errs on the safe side.
#[derive(Debug)]
pub struct MemoryCap {
    pub limit_bytes: usize,
    pub exceeded: bool,
    /// Bytes of linear memory and table storage granted so far.
    used_bytes: usize,
    /// Table elements granted so far.
    table_elements: usize,
}

impl MemoryCap {
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            limit_bytes,
            exceeded: false,
            used_bytes: 0,
            table_elements: 0,
        }
    }

    /// Memory and table bytes the instance holds.
    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    fn grant(&mut self, bytes: usize, elements: usize, what: &str) -> wasmtime::Result<bool> {
        let total = self.used_bytes.saturating_add(bytes);
        let elements_total = self.table_elements.saturating_add(elements);
        if total > self.limit_bytes || elements_total > MAX_TABLE_ELEMENTS {
            self.exceeded = true;
            return Err(wasmtime::Error::msg(format!(
                "plugin memory limit of {} MiB exceeded (growing a {what})",
                self.limit_bytes / (1024 * 1024)
            )));
        }
        self.used_bytes = total;
        self.table_elements = elements_total;
        Ok(true)
    }
}

impl wasmtime::ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grant(desired.saturating_sub(current), 0, "memory")
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        tracing::debug!(%error, "plugin memory growth failed");
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let elements = desired.saturating_sub(current);
        self.grant(
            elements.saturating_mul(TABLE_ELEMENT_BYTES),
            elements,
            "table",
        )
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        tracing::debug!(%error, "plugin table growth failed");
        Ok(())
    }

    fn instances(&self) -> usize {
        MAX_CORE_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    const MIB: usize = 1024 * 1024;

    #[test]
    fn memories_count_together_against_one_cap() {
        let mut cap = MemoryCap::new(64 * MIB);
        assert!(cap.memory_growing(0, 40 * MIB, None).unwrap());
        // A second memory of 40 MiB would be fine on its own, not in total.
        assert!(cap.memory_growing(0, 40 * MIB, None).is_err());
        assert!(cap.exceeded);
        assert_eq!(cap.used_bytes(), 40 * MIB);
        assert!(cap.memory_growing(0, 24 * MIB, None).unwrap());
        assert_eq!(cap.used_bytes(), 64 * MIB);
    }

    #[test]
    fn growth_is_charged_by_the_increment() {
        let mut cap = MemoryCap::new(64 * MIB);
        assert!(cap.memory_growing(0, 16 * MIB, None).unwrap());
        assert!(cap.memory_growing(16 * MIB, 48 * MIB, None).unwrap());
        assert_eq!(cap.used_bytes(), 48 * MIB);
        assert!(cap.memory_growing(48 * MIB, 65 * MIB, None).is_err());
        assert!(
            cap.memory_growing(0, 0, None).unwrap(),
            "growing by nothing is fine"
        );
    }

    #[test]
    fn tables_share_the_cap_with_memories() {
        let mut cap = MemoryCap::new(MIB);
        assert!(cap.memory_growing(0, MIB - 64 * 1024, None).unwrap());
        let fits = 64 * 1024 / TABLE_ELEMENT_BYTES;
        assert!(cap.table_growing(0, fits, None).unwrap());
        assert_eq!(cap.used_bytes(), MIB);
        assert!(cap.table_growing(fits, fits + 1, None).is_err());
        assert!(cap.exceeded);
    }

    #[test]
    fn table_elements_have_their_own_ceiling() {
        let mut cap = MemoryCap::new(usize::MAX);
        assert!(cap.table_growing(0, MAX_TABLE_ELEMENTS, None).unwrap());
        assert!(cap.table_growing(0, 1, None).is_err());
    }
}
