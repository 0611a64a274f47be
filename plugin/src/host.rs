//! The plugin's view of the chat server is the SDK's port: small capability
//! traits ([`Host`] is all of them) over the WIT imports.

pub use chatops_plugin_sdk::host::*;
pub use chatops_plugin_sdk::sql::{Rows, SqlValue, Statement};
