//! Per-instance host state: what one plugin instance's `Store` carries.

use std::sync::{Arc, RwLock};

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

/// Caps one instance's linear memory and remembers whether the cap was hit,
/// so the resulting trap can be reported as "memory limit" rather than as a
/// generic failure.
pub struct MemoryCap {
    pub limit_bytes: usize,
    pub exceeded: bool,
}

impl wasmtime::ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            self.exceeded = true;
            return Err(wasmtime::Error::msg(format!(
                "plugin memory limit of {} MiB exceeded",
                self.limit_bytes / (1024 * 1024)
            )));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
