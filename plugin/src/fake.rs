//! The SDK's in-memory host, with the playbooks schema applied to its
//! database on first use.

pub use chatops_plugin_sdk::testing::{Schema, SqlDb};

use crate::host::{Host, HostResult};

/// The playbooks tables (`crate::schema`).
#[derive(Default)]
pub struct PlaybooksSchema;

impl Schema for PlaybooksSchema {
    fn apply<H: Host + ?Sized>(host: &H) -> HostResult<()> {
        crate::schema::migrate(host).map(|_| ())
    }
}

/// The fake host the plugin's tests use.
pub type FakeHost = chatops_plugin_sdk::testing::FakeHost<PlaybooksSchema>;
