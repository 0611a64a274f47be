//! Incoming (Slack-compatible) webhooks: reading what a sender posts to
//! `/hooks/{id}`. The HTTP layer decides where the message goes and posts
//! it.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};

/// Limits of a hook's fields (Mattermost `IncomingWebhook.IsValid`).
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
pub const MAX_USERNAME_CHARS: usize = 255;
pub const MAX_ICON_URL_CHARS: usize = 1024;

/// Mattermost `IncomingWebhookRequest`. Every field may be absent or `null`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct IncomingWebhookRequest {
    pub text: Option<String>,
    pub username: Option<String>,
    pub icon_url: Option<String>,
    pub icon_emoji: Option<String>,
    /// A channel name (optionally `#name`) of the hook's team, or `@username`
    /// for a direct message from the hook's owner.
    pub channel: Option<String>,
    pub attachments: Option<Value>,
    pub props: Option<Map<String, Value>>,
    #[serde(rename = "type")]
    pub post_type: Option<String>,
}

/// Escapes raw control characters inside JSON string literals (Slack
/// senders put literal newlines and tabs in `text`), so the payload parses
/// as intended. Text outside strings is left alone.
pub fn escape_control_chars_in_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if !in_string {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        if escaped {
            escaped = false;
            match c {
                // A backslash before a raw line break: keep the break.
                '\n' => out.push('n'),
                '\r' => out.push('r'),
                '\t' => out.push('t'),
                _ => out.push(c),
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                out.push(c);
            }
            '"' => {
                in_string = false;
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Parses a JSON payload, retrying with control characters escaped.
pub fn parse_json_payload(body: &[u8]) -> AppResult<IncomingWebhookRequest> {
    match go_json::from_slice::<IncomingWebhookRequest>(body) {
        Ok(request) => Ok(request),
        Err(first) => {
            let text = std::str::from_utf8(body).map_err(|_| {
                AppError::Invalid(format!("Unable to parse incoming data: {first}"))
            })?;
            go_json::from_slice(escape_control_chars_in_strings(text).as_bytes())
                .map_err(|_| AppError::Invalid(format!("Unable to parse incoming data: {first}")))
        }
    }
}

/// Parses a request body: a form with a `payload` field when the content
/// type is `application/x-www-form-urlencoded`, JSON otherwise.
pub fn parse_payload(content_type: &str, body: &[u8]) -> AppResult<IncomingWebhookRequest> {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        let payload = url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "payload")
            .map(|(_, value)| value.into_owned())
            .ok_or_else(|| {
                AppError::Invalid(
                    "Unable to parse incoming data: the form has no payload field".into(),
                )
            })?;
        return parse_json_payload(payload.as_bytes());
    }
    if mime.to_ascii_lowercase().starts_with("multipart/") {
        return Err(AppError::Invalid("Unable to parse incoming data: multipart payloads are not supported; send JSON or a payload= form".into()));
    }
    parse_json_payload(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_control_characters_in_strings_are_escaped() {
        let raw = "{\"text\": \"line one\nline two\ttabbed\r\", \"username\":\n \"bot\"}";
        let fixed = escape_control_chars_in_strings(raw);
        assert_eq!(
            fixed,
            "{\"text\": \"line one\\nline two\\ttabbed\\r\", \"username\":\n \"bot\"}"
        );
        let value: Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["text"], "line one\nline two\ttabbed\r");
        assert_eq!(value["username"], "bot");
    }

    #[test]
    fn escapes_and_quotes_inside_strings_are_respected() {
        let raw = "{\"text\": \"say \\\"hi\\\"\n\\\\\", \"x\": \"\u{1}\"}";
        let fixed = escape_control_chars_in_strings(raw);
        let value: Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["text"], "say \"hi\"\n\\");
        assert_eq!(value["x"], "\u{1}");
        // Valid JSON is unchanged.
        let valid = r#"{"a": "b\nc", "d": [1, 2]}"#;
        assert_eq!(escape_control_chars_in_strings(valid), valid);
    }

    #[test]
    fn payloads_parse_from_json_and_forms() {
        let json = parse_payload(
            "application/json",
            b"{\"text\": \"a\nb\", \"channel\": null}",
        )
        .unwrap();
        assert_eq!(json.text.as_deref(), Some("a\nb"));
        assert_eq!(json.channel, None);
        let form = parse_payload(
            "application/x-www-form-urlencoded; charset=utf-8",
            b"payload=%7B%22text%22%3A%22hi+there%22%2C%22type%22%3A%22custom_x%22%7D",
        )
        .unwrap();
        assert_eq!(form.text.as_deref(), Some("hi there"));
        assert_eq!(form.post_type.as_deref(), Some("custom_x"));
        assert!(parse_payload("application/x-www-form-urlencoded", b"text=hi").is_err());
        assert!(parse_payload("application/json", b"{not json").is_err());
        assert!(parse_payload("", b"{\"text\": 5}").is_err());
    }
}
