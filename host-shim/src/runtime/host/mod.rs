//! The host side of contract 0.2's imports, one file per interface (as
//! wasmtime's WASI host does), all implemented on [`HostState`]. Each
//! function validates sizes, then delegates to the shared services so
//! plugins obey exactly the rules the HTTP API obeys. `v0_1` runs the
//! frozen 0.1 contract on top of these.

use super::bindings::wit;
use super::state::HostState;

mod channels;
mod commands;
mod dialogs;
mod events;
mod http_out;
mod kv;
mod log;
mod misc;
mod posts;
mod scheduler;
mod sql;
mod teams;
mod users;
pub(crate) mod v0_1;

pub(crate) type R<T> = Result<T, wit::Error>;

pub(crate) fn invalid(msg: impl Into<String>) -> wit::Error {
    wit::Error::InvalidInput(msg.into())
}

impl wit::Host for HostState {}
