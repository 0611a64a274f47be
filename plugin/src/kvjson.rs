//! The id check the stores share. The records moved from KV keys to SQL
//! rows (decision 022), but ids (team, channel, record) keep the rule they
//! had as key parts: present, at most 64 bytes, no `/`. The KV keys that
//! remain (rate limits, job markers, settings) still embed them, and the
//! rule keeps ids plain everywhere. The SDK's KV paging helpers are in
//! `chatops_plugin_sdk::kvjson`.

use crate::playbooks::FieldError;

/// A part of an id must be present and slash-free for the KV keys that
/// embed it to stay unambiguous.
pub fn check_key_part(field: &str, value: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if value.contains('/') || value.len() > 64 {
        return Err(FieldError::new(field, format!("{value:?} is not an id")));
    }
    Ok(())
}
