//! The `sql` capability's types and helpers come from the SDK.

pub use chatops_plugin_sdk::sql::*;
