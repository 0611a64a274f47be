//! Storage for the chat host: the ports (one trait per capability) and the
//! embedded SQLite backend that implements them.
//!
//! Nothing here knows about wasm or HTTP, so it builds and tests quickly and a
//! second backend (PostgreSQL) can be added beside [`sqlite`] without touching
//! the runtime or the server.

pub mod local_blobs;
pub mod model;
pub mod ports;
pub mod sqlite;

pub use ports::{
    AuthStore, BlobStore, ChatStore, DeliveryStore, FileStore, GroupChannelStore, JobStore,
    KvStore, PluginDatabases, PreferenceStore, PresenceStore, ReactionStore, SearchStore,
    StoreError, StoreResult,
};
