//! The playbook import (Mattermost's export format, `"version": 1`).
//!
//! Besides not panicking: whatever imports must export and import again to
//! the same playbook (the field lists are meant to be the single source of
//! both directions), and the export must be accepted by the REST import.

#![no_main]

use libfuzzer_sys::fuzz_target;
use playbooks_plugin::playbooks::{export_playbook, import_playbook};
use serde_json::Value;

fn ids() -> impl FnMut() -> String {
    let mut n = 0u32;
    move || {
        n += 1;
        format!("{n:026}")
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(first) = import_playbook(&json, "t1", "u1", ids()) else {
        return;
    };
    let exported = export_playbook(&first);
    let again = import_playbook(&exported, "t1", "u1", ids())
        .unwrap_or_else(|e| panic!("the export of an import does not import: {e}\n{exported}"));
    assert_eq!(
        first, again,
        "import → export → import changed the playbook"
    );
});
