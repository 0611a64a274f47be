//! `host-shim`: a small Mattermost-compatible chat server whose plugins are
//! sandboxed WebAssembly components.
//!
//! Layout, by capability:
//! - [`runtime`]: wasmtime engine, WIT bindings, sandboxed plugin instances;
//! - [`plugins`]: bundles, manifests, install / hot reload, hook dispatch,
//!   scheduled jobs;
//! - [`services`]: the rules for changing chat state, shared by the HTTP API
//!   and the plugin host interfaces;
//! - [`server`]: the HTTP API (Mattermost API v4 subset) and plugin routes;
//! - storage lives in the `chat-store` crate behind traits (ports).

pub mod cli;
pub mod error;
pub mod plugins;
pub mod runtime;
pub mod server;
pub mod services;
pub mod startup;

pub use chat_store::model;

/// The Mattermost server version this server reports (`X-Version-Id`) and
/// checks plugin manifests' `min_server_version` against.
pub const MATTERMOST_COMPAT_VERSION: &str = "10.5.0";
