//! Ports: one trait per storage capability the host needs.
//!
//! The runtime and the HTTP server only ever talk to these traits, never to a
//! database. The embedded default backend is SQLite (`crate::sqlite`);
//! a PostgreSQL backend would be another module implementing the same traits,
//! with no change to the plugin runtime or the plugins themselves.

pub mod auth;
pub mod chat;
pub mod deliveries;
pub mod files;
pub mod groups;
pub mod jobs;
pub mod kv;
pub mod plugin_sql;
pub mod preferences;
pub mod presence;
pub mod reactions;
pub mod search;

pub use auth::AuthStore;
pub use chat::ChatStore;
pub use deliveries::DeliveryStore;
pub use files::{BlobStore, FileStore};
pub use groups::GroupChannelStore;
pub use jobs::JobStore;
pub use kv::KvStore;
pub use plugin_sql::PluginDatabases;
pub use preferences::PreferenceStore;
pub use presence::PresenceStore;
pub use reactions::ReactionStore;
pub use search::SearchStore;

/// Errors every store backend maps its own failures into.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness constraint failed (name taken, duplicate id).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request itself is wrong (too large, malformed cursor, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The backend failed (I/O, corruption). Not the caller's fault.
    #[error("storage backend: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
