//! The one place that runs `bindgen!` over `wit/`: every other module uses
//! these generated types through this module, so a WIT change shows up as
//! compile errors in exactly the adapters that must follow it.
//!
//! Imports are synchronous and not trappable: a host function can only answer
//! with the WIT `result`/`error`, never trap the guest. Traps come from the
//! sandbox (deadline, memory cap) or from the guest itself.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "chat-plugin",
});

pub use chatops::plugin::types::{Channel as WitChannel, Error as WitError, Post as WitPost};
pub use exports::chatops::plugin::hooks;
