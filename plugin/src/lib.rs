//! The playbooks plugin: the workflow engine of the chat server, compiled to
//! a WebAssembly component.
//!
//! Everything but [`glue`] is plain Rust over the [`host::Host`] port, so it
//! compiles and unit-tests natively (`cargo test -p playbooks-plugin`). The
//! `glue` module, built only for wasm32, owns the `wit_bindgen` bindings: it
//! converts WIT records to the types in [`api`] and [`host`] and forwards
//! each hook to [`hooks`].

pub mod api;
pub mod authz;
pub mod channel_actions;
pub mod commands;
pub mod digest;
pub mod hooks;
pub mod host;
pub mod http;
pub mod import;
pub mod jobs;
pub mod kvjson;
pub mod legacy;
pub mod lifecycle;
pub mod limits;
pub mod playbooks;
pub mod rest;
pub mod runs;
pub mod schema;
pub mod selfcheck;
pub mod sql;
pub mod timefmt;

// The in-memory host: unit tests, and the fuzz targets (`fuzz/`, feature
// `fuzzing`) that drive the REST API and `/playbook` without a server.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fake;
#[cfg(any(test, feature = "fuzzing"))]
mod fake_sql;

#[cfg(target_arch = "wasm32")]
mod glue;
