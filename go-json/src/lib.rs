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

use std::cell::Cell;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

/// Most values (array elements and object members, at any depth) a body
/// may hold. [`from_slice`] builds the whole document before decoding it,
/// and a tree of tiny values (`[[0],[0],…]`) takes about 40 times the
/// body's bytes; counting first, without building anything, bounds what
/// any body can cost (about 100 bytes a value) whatever the route's byte
/// limit. Real Mattermost bodies hold a few hundred.
pub const MAX_VALUES: usize = 100_000;

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
    count_values(bytes, MAX_VALUES)?;
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Error {
        path: String::new(),
        message: e.to_string(),
    })?;
    from_value(value)
}

/// Walks the JSON text without building it and fails past `max` values
/// (array elements and object members together). Malformed JSON passes
/// here and is reported by the real parse.
fn count_values(bytes: &[u8], max: usize) -> Result<(), Error> {
    let left = Cell::new(max);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match (Count { left: &left }).deserialize(&mut de) {
        Err(_) if left.get() == 0 => Err(Error {
            path: String::new(),
            message: format!("more than {max} values (array elements and object members)"),
        }),
        _ => Ok(()),
    }
}

#[derive(Clone, Copy)]
struct Count<'a> {
    left: &'a Cell<usize>,
}

impl Count<'_> {
    fn take<E: de::Error>(self) -> Result<(), E> {
        match self.left.get() {
            0 => Err(E::custom("too many values")),
            n => {
                self.left.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.take()?;
            if seq.next_element_seed(self)?.is_none() {
                return Ok(());
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            self.take()?;
            if map.next_key::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            map.next_value_seed(self)?;
        }
    }
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
    fn bodies_of_too_many_values_are_refused_before_anything_is_built() {
        let many = format!("[{}0]", "[0],".repeat(MAX_VALUES));
        let err = from_slice::<Value>(many.as_bytes()).unwrap_err();
        assert!(err.message.contains("more than 100000 values"), "{err}");
        let members = format!(
            "{{{}\"z\":0}}",
            (0..MAX_VALUES)
                .map(|i| format!("\"k{i}\":0,"))
                .collect::<String>()
        );
        assert!(from_slice::<Value>(members.as_bytes()).is_err());
        let fine = format!("[{}0]", "0,".repeat(MAX_VALUES / 2));
        assert_eq!(
            from_slice::<Vec<u8>>(fine.as_bytes()).unwrap().len(),
            MAX_VALUES / 2 + 1
        );
    }

    #[test]
    fn malformed_json_is_an_error_without_a_path() {
        let err = from_slice::<Post>(b"{").unwrap_err();
        assert_eq!(err.path, "");
        assert!(err.message.contains("EOF"), "{err}");
    }
}
