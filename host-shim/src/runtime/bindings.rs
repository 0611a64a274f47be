//! The one place that runs `bindgen!` over `wit/`: every other module uses
//! these generated types through this module, so a WIT change shows up as
//! compile errors in exactly the adapters that must follow it.
//!
//! Each contract version the host can run has its own module. The current
//! one ([`v0_2`]) is implemented on [`super::state::HostState`] in
//! `runtime/host/`, one file per interface; older ones are adapters on top
//! of it (`runtime/host/v0_1.rs`), as Spin keeps its v1 world working on
//! top of v2. Nothing outside `runtime/` names a generated type: the hook
//! calls go through [`super::hooks`].
//!
//! Imports are synchronous and not trappable: a host function can only answer
//! with the WIT `result`/`error`, never trap the guest. Traps come from the
//! sandbox (deadline, memory cap) or from the guest itself.

/// `chatops:plugin@0.1.0`, frozen: plugins built against it keep loading.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1",
        world: "chat-plugin",
    });
}

/// `chatops:plugin@0.2.0`, the current contract.
pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2",
        world: "chat-plugin",
    });
}

pub use v0_2::chatops::plugin::types as wit;
pub use v0_2::exports::chatops::plugin::hooks;
