//! Slack-compatible incoming webhook payloads (`POST /hooks/{id}`): JSON,
//! JSON with raw control characters, and `payload=` forms.
//!
//! Input: the first line is the Content-Type, the rest the body. Besides
//! not panicking: valid JSON is left unchanged by the control-character
//! repair, and a form carrying a payload parses exactly as that payload
//! sent as JSON.

#![no_main]

use host_shim::services::incoming_webhooks::{
    escape_control_chars_in_strings, parse_json_payload, parse_payload,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or_default();
    let _ = parse_payload(&content_type, body);

    if let Ok(text) = std::str::from_utf8(body) {
        if serde_json::from_str::<serde_json::Value>(text).is_ok() {
            assert_eq!(
                escape_control_chars_in_strings(text),
                text,
                "the repair changed valid JSON"
            );
        }
        let form: String = url_encode(text);
        let as_form = parse_payload(
            "application/x-www-form-urlencoded",
            format!("payload={form}").as_bytes(),
        );
        let as_json = parse_json_payload(text.as_bytes());
        assert_eq!(
            as_form.ok(),
            as_json.ok(),
            "a form's payload parses differently from the same JSON"
        );
    }
});

/// `application/x-www-form-urlencoded` value encoding.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
