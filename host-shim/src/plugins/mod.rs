//! Plugin bundles: discovery, validation, install and hot reload, enable /
//! disable, and delivery of hooks (chat events, scheduled jobs) to them.

mod bundle;
mod dispatch;
mod manager;
pub mod manifest;
mod scheduler;
mod webapp;

pub use bundle::{EmbeddedBundle, embedded_bundles};
pub use dispatch::spawn_hook_dispatcher;
pub use manager::{PluginManager, PluginState, PluginStatus};
pub use manifest::Manifest;
pub use scheduler::spawn_job_dispatcher;
pub use webapp::WebappBundle;
