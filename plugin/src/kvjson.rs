//! Helpers shared by the KV-backed stores: the SDK's paging helpers, and
//! the key-part check of this plugin's key layout.

use crate::playbooks::FieldError;

pub use chatops_plugin_sdk::kvjson::{PAGE, all_keys, get_many};

/// A part of a key (team, channel or record id) must be present and
/// slash-free for the key layout to stay unambiguous.
pub fn check_key_part(field: &str, value: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if value.contains('/') || value.len() > 64 {
        return Err(FieldError::new(field, format!("{value:?} is not an id")));
    }
    Ok(())
}
