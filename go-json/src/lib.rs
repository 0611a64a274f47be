//! JSON request bodies read the way Mattermost's Go server reads them.
//!
//! Mattermost and the Playbooks plugin are written in Go, whose
//! `encoding/json` treats a `null` member exactly like a missing one: a
//! `string` stays `""`, a slice stays `nil`, a pointer (how Go spells
//! "optional" in patches) stays "not given". Clients, bots and scripts
//! written against Mattermost therefore send `"root_id": null` or
//! `"file_ids": null` freely. serde, by contrast, refuses `null` for a
//! `String` or a `Vec`.
//!
//! Rather than annotate every field of every request type (and miss one),
//! both the host and the plugin decode request bodies through
//! [`from_slice`] / [`from_value`]: null object members are removed at
//! every depth before decoding, so each field takes whatever the type says
//! "absent" means (its `#[serde(default)]`, `None` for an `Option`, "not
//! given" for a patch). Unknown members are ignored because no request
//! type denies them. Decoding errors carry the path of the field that
//! failed, so the 400 can name it.
//!
//! `null` elements of arrays are kept: Go would turn them into zero values
//! of the element type, which no Mattermost client relies on, and dropping
//! them would shift indices.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A body that did not decode: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The failing field as `a.b[2].c`; empty for the document itself.
    pub path: String,
    /// serde's description (`invalid type: integer `5`, expected a string`).
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// Removes every object member whose value is `null`, at every depth
/// (inside arrays too). serde_json's parser bounds nesting at 128 levels,
/// so the recursion is bounded for any parsed document.
pub fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, member| !member.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Parses `bytes` as JSON and decodes it as a `T`, null members being
/// absent (see the crate docs).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Error {
        path: String::new(),
        message: e.to_string(),
    })?;
    from_value(value)
}

/// Decodes an already parsed document as a `T`, null members being absent.
pub fn from_value<T: DeserializeOwned>(mut value: Value) -> Result<T, Error> {
    drop_nulls(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error {
            // serde_path_to_error spells the root ".".
            path: if path == "." { String::new() } else { path },
            message: e.into_inner().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Post {
        channel_id: String,
        root_id: String,
        file_ids: Vec<String>,
        is_pinned: bool,
        props: serde_json::Map<String, Value>,
        priority: Option<Priority>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Priority {
        priority: String,
        requested_ack: bool,
    }

    #[test]
    fn null_members_decode_as_absent_at_every_depth() {
        let with_nulls: Post = from_slice(
            br#"{"channel_id":"c","root_id":null,"file_ids":null,"is_pinned":null,
                 "props":{"a":null,"b":1},"priority":{"priority":null,"requested_ack":true},
                 "unknown":{"x":null}}"#,
        )
        .unwrap();
        let without: Post =
            from_slice(br#"{"channel_id":"c","props":{"b":1},"priority":{"requested_ack":true}}"#)
                .unwrap();
        assert_eq!(with_nulls, without);
        assert_eq!(with_nulls.priority.unwrap().priority, "");
    }

    #[test]
    fn a_null_optional_object_is_none() {
        let post: Post = from_value(json!({"priority": null})).unwrap();
        assert_eq!(post.priority, None);
    }

    #[test]
    fn nulls_inside_arrays_of_objects_are_dropped_but_array_elements_stay() {
        let mut value = json!([{"a": null, "b": [null, {"c": null}]}]);
        drop_nulls(&mut value);
        assert_eq!(value, json!([{"b": [null, {}]}]));
    }

    #[test]
    fn a_required_field_sent_as_null_is_reported_missing() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Login {
            login_id: String,
        }
        let err = from_slice::<Login>(br#"{"login_id":null}"#).unwrap_err();
        assert!(err.message.contains("missing field `login_id`"), "{err}");
    }

    #[test]
    fn errors_name_the_field_path() {
        let err = from_slice::<Post>(br#"{"priority":{"requested_ack":"yes"}}"#).unwrap_err();
        assert_eq!(err.path, "priority.requested_ack");
        assert!(
            err.to_string()
                .starts_with("priority.requested_ack: invalid type")
        );
        let err = from_slice::<Post>(br#"{"file_ids":["a",7]}"#).unwrap_err();
        assert_eq!(err.path, "file_ids[1]");
    }

    #[test]
    fn malformed_json_is_an_error_without_a_path() {
        let err = from_slice::<Post>(b"{").unwrap_err();
        assert_eq!(err.path, "");
        assert!(err.message.contains("EOF"), "{err}");
    }
}
