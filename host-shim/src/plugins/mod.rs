//! Plugin bundles: discovery, validation, install and hot reload, enable /
//! disable, and delivery of hooks (chat events, scheduled jobs) to them.

mod bundle;
mod dispatch;
mod manager;
pub mod manifest;
mod scheduler;
mod webapp;

// The unpacker is public for the `bundle` fuzz target (`fuzz/`).
pub use bundle::{EmbeddedBundle, bundle_root, embedded_bundles, unpack_tar_gz};
pub use dispatch::spawn_hook_dispatcher;
pub use manager::{PluginManager, PluginState, PluginStatus};
pub use manifest::Manifest;
pub use scheduler::spawn_job_dispatcher;
pub use webapp::WebappBundle;
