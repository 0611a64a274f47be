//! The wasm plugin runtime: one engine, the host side of the WIT imports, and
//! sandboxed instance pools per plugin.

pub mod bindings;
mod convert;
pub mod engine;
pub mod health;
pub mod hooks;
pub(crate) mod host;
pub mod plugin;
pub mod state;

pub use convert::parse_object;
pub use engine::{PluginRuntime, SandboxConfig};
pub use health::Initiator;
pub use plugin::{HookError, LoadedPlugin, TrapKind};
