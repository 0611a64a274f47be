//! The wasm plugin runtime: one engine, the host side of the WIT imports, and
//! sandboxed instance pools per plugin.

pub mod bindings;
mod convert;
pub mod engine;
pub mod health;
mod host_api;
pub mod plugin;
pub mod state;

pub use convert::{json_object, post_from_wit, post_to_wit};
pub use engine::{PluginRuntime, SandboxConfig};
pub use health::Initiator;
pub use plugin::{HookError, LoadedPlugin, TrapKind};
