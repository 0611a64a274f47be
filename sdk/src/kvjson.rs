//! Helpers for JSON records in the KV store: every key under a prefix, and
//! many records at once, one host call per page.

use serde::de::DeserializeOwned;

use crate::host::{HostResult, Kv, Level, Runtime};

/// Keys listed and records loaded per host call (the host's limit).
pub const PAGE: usize = 1000;

/// Every key under `prefix`, one host call per [`PAGE`] keys.
pub fn all_keys<H: Kv + ?Sized>(host: &H, prefix: &str) -> HostResult<Vec<String>> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = host.kv_list(prefix, cursor.as_deref(), PAGE as u32)?;
        keys.extend(page);
        match next {
            // A cursor that does not move would loop forever: stop.
            Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
            _ => return Ok(keys),
        }
    }
}

/// The JSON records under `keys`, [`PAGE`] per host call. Missing keys are
/// skipped; unreadable records are logged and skipped, so one bad record
/// never hides the others from a list.
pub fn get_many<H: Kv + Runtime + ?Sized, T: DeserializeOwned>(
    host: &H,
    keys: &[String],
) -> HostResult<Vec<T>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(PAGE) {
        for (key, value) in chunk.iter().zip(host.kv_get_many(chunk)?) {
            let Some(bytes) = value else { continue };
            match serde_json::from_slice(&bytes) {
                Ok(record) => out.push(record),
                Err(e) => host.log(
                    Level::Warn,
                    &format!("skipping unreadable record {key}: {e}"),
                ),
            }
        }
    }
    Ok(out)
}
