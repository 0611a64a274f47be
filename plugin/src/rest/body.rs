//! JSON request bodies with errors that name the field.
//!
//! serde's own errors say "invalid type: string, expected a boolean" and
//! where in the text, not which field. When decoding fails, `locate_*`
//! decodes the document again one field at a time, descending into the
//! nested lists (`checklists[1].items[0].title`), and reports the first
//! field that does not decode as a [`FieldError`] with that path.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ApiError;
use crate::api::HttpRequest;
use crate::limits;
use crate::playbooks::FieldError;
use crate::playbooks::model::{
    Action, Checklist, ChecklistItem, MetricConfig, Playbook, PlaybookMember, TaskAction, Trigger,
};

/// The body as JSON; 400 when it is empty, not JSON, larger than
/// [`limits::BODY_BYTES`] or holding more array elements than
/// [`limits::BODY_ELEMENTS`] array elements and object members (checked by [`scan`] before anything is
/// built, so a hostile body cannot exhaust the plugin's memory).
pub fn json(request: &HttpRequest) -> Result<Value, ApiError> {
    if request.body.len() > limits::BODY_BYTES {
        return Err(ApiError::bad_request(format!(
            "request body: at most {} bytes",
            limits::BODY_BYTES
        )));
    }
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body: a JSON object is required",
        ));
    }
    scan(&request.body, limits::BODY_ELEMENTS)?;
    let mut value = serde_json::from_slice(&request.body)
        .map_err(|e| ApiError::bad_request(format!("request body: invalid JSON: {e}")))?;
    // Playbooks upstream is Go: a null member means "not given" (see go_json).
    go_json::drop_nulls(&mut value);
    Ok(value)
}

/// Walks the JSON text without building it, counting array elements and
/// object members (all together); past `max`, fails naming the array or
/// object that went over (`checklists[0].items`). Invalid JSON is left to
/// the decoder's message.
pub fn scan(body: &[u8], max: usize) -> Result<(), ApiError> {
    let counter = Counter {
        left: std::cell::Cell::new(max),
        max,
        over: std::cell::RefCell::new(None),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let scanned = serde::de::DeserializeSeed::deserialize(
        Scan {
            counter: &counter,
            path: "",
        },
        &mut de,
    );
    match counter.over.into_inner() {
        Some(e) => Err(e.into()),
        None => scanned.or(Ok(())),
    }
}

struct Counter {
    left: std::cell::Cell<usize>,
    max: usize,
    over: std::cell::RefCell<Option<FieldError>>,
}

/// One value at `path` (built only for the few object keys and for
/// elements, which are bounded by the count).
#[derive(Clone, Copy)]
struct Scan<'a> {
    counter: &'a Counter,
    path: &'a str,
}

impl<'de> serde::de::DeserializeSeed<'de> for Scan<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
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
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            self.take()?;
            let path = format!("{}[{i}]", self.path);
            let element = Scan {
                counter: self.counter,
                path: &path,
            };
            if seq.next_element_seed(element)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? else {
                return Ok(());
            };
            self.take()?;
            let path = join(self.path, &key);
            map.next_value_seed(Scan {
                counter: self.counter,
                path: &path,
            })?;
        }
    }
}

impl Scan<'_> {
    /// One more element or member; past the budget, records which array
    /// or object went over and stops the walk.
    fn take<E: serde::de::Error>(self) -> Result<(), E> {
        let left = self.counter.left.get();
        if left == 0 {
            let max = self.counter.max;
            let field = if self.path.is_empty() {
                "request body"
            } else {
                self.path
            };
            *self.counter.over.borrow_mut() = Some(FieldError::new(
                field,
                format!(
                    "too many elements (at most {max} array elements and object members in a request)"
                ),
            ));
            return Err(E::custom("too many elements"));
        }
        self.counter.left.set(left - 1);
        Ok(())
    }
}

/// The body as a JSON object.
pub fn object(request: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
    match json(request)? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request("request body: must be a JSON object")),
    }
}

/// A playbook from client JSON; a type error names its field.
pub fn playbook(value: Value) -> Result<Playbook, FieldError> {
    if !value.is_object() {
        return Err(FieldError::new("", "a playbook must be a JSON object"));
    }
    serde_json::from_value(value.clone()).map_err(|e| {
        locate_playbook(&value, "").unwrap_or_else(|| FieldError::new("", e.to_string()))
    })
}

/// Finds the first field of `value` that does not decode.
type Locate = fn(&Value, &str) -> Option<FieldError>;

fn locate_playbook(v: &Value, path: &str) -> Option<FieldError> {
    fields::<Playbook>(
        v,
        path,
        &[
            ("checklists", locate_checklists),
            ("members", |v, p| list::<PlaybookMember>(v, p, &[])),
            ("metrics", |v, p| list::<MetricConfig>(v, p, &[])),
        ],
    )
}

fn locate_checklists(v: &Value, path: &str) -> Option<FieldError> {
    list::<Checklist>(v, path, &[("items", locate_items)])
}

fn locate_items(v: &Value, path: &str) -> Option<FieldError> {
    list::<ChecklistItem>(v, path, &[("task_actions", locate_task_actions)])
}

fn locate_task_actions(v: &Value, path: &str) -> Option<FieldError> {
    list::<TaskAction>(
        v,
        path,
        &[
            ("trigger", |v, p| fields::<Trigger>(v, p, &[])),
            ("actions", |v, p| list::<Action>(v, p, &[])),
        ],
    )
}

/// Decodes each field of the object `v` alone as a `T`; the first that
/// fails is reported, by a `nested` locator when one is registered for it
/// (it finds the precise element), else as a whole.
fn fields<T: DeserializeOwned>(
    v: &Value,
    path: &str,
    nested: &[(&str, Locate)],
) -> Option<FieldError> {
    let Some(object) = v.as_object() else {
        return Some(FieldError::new(path, "must be an object"));
    };
    for (key, value) in object {
        let mut alone = Map::new();
        alone.insert(key.clone(), value.clone());
        if let Err(e) = serde_json::from_value::<T>(Value::Object(alone)) {
            let path = join(path, key);
            let precise = nested
                .iter()
                .find(|(name, _)| name == key)
                .and_then(|(_, locate)| locate(value, &path));
            return Some(precise.unwrap_or_else(|| FieldError::new(path, type_message(&e))));
        }
    }
    None
}

/// Each element of the array `v` as a `T` (a non-array is left to the
/// caller's message).
fn list<T: DeserializeOwned>(
    v: &Value,
    path: &str,
    nested: &[(&str, Locate)],
) -> Option<FieldError> {
    v.as_array()?
        .iter()
        .enumerate()
        .find_map(|(i, element)| fields::<T>(element, &format!("{path}[{i}]"), nested))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// serde's message, made a little friendlier for API clients.
fn type_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .replace("i64", "an integer")
        .replace("a sequence", "an array")
        .replace("struct ", "")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err(v: Value) -> String {
        playbook(v).unwrap_err().to_string()
    }

    #[test]
    fn decodes_partial_playbooks() {
        let pb = playbook(json!({"title": "T", "team_id": "t1", "checklists": null})).unwrap();
        assert_eq!(pb.title, "T");
        assert!(pb.public, "defaults apply");
    }

    #[test]
    fn type_errors_name_the_field() {
        assert!(
            err(json!({"title": 5}))
                .starts_with("title: invalid type: integer `5`, expected a string")
        );
        assert!(err(json!({"public": "yes"})).starts_with("public: invalid type: string"));
        assert!(
            err(json!({"reminder_timer_default_seconds": 1.5}))
                .starts_with("reminder_timer_default_seconds: ")
        );
        assert!(
            err(json!({"checklists": {}}))
                .starts_with("checklists: invalid type: map, expected an array")
        );
        assert!(
            err(json!({"checklists": [{"title": "a"}, 7]}))
                .starts_with("checklists[1]: must be an object")
        );
        assert!(
            err(json!({"checklists": [{"title": "a", "items": [{}, {"due_date": "soon"}]}]}))
                .starts_with("checklists[0].items[1].due_date: invalid type: string")
        );
        assert!(
            err(json!({"checklists": [{"items": [{"task_actions": [{"trigger": {"type": 1}}]}]}]}))
                .starts_with("checklists[0].items[0].task_actions[0].trigger.type: ")
        );
        assert!(err(json!({"members": [{"roles": "admin"}]})).starts_with("members[0].roles: "));
        assert!(err(json!({"metrics": [{"target": "x"}]})).starts_with("metrics[0].target: "));
        // null targets and null lists are fine.
        assert!(playbook(json!({"metrics": [{"target": null}], "members": null})).is_ok());
        assert_eq!(err(json!([1])), "a playbook must be a JSON object");
    }

    #[test]
    fn huge_collections_are_refused_before_decoding() {
        // 1,000,000 tiny checklist items (3 MB): refused by size.
        let items = vec!["{}"; 1_000_000].join(",");
        let body = format!(r#"{{"title":"x","checklists":[{{"title":"c","items":[{items}]}}]}}"#);
        let req = |body: &str| HttpRequest {
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let e = json(&req(&body)).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message.starts_with("request body: at most"),
            "{}",
            e.message
        );
        // 300,000 (0.9 MB): refused by count, naming the array.
        let items = vec!["{}"; 300_000].join(",");
        let body = format!(r#"{{"title":"x","checklists":[{{"title":"c","items":[{items}]}}]}}"#);
        let e = json(&req(&body)).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message.starts_with("checklists[0].items: too many"),
            "{}",
            e.message
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Within the limit, and nested: fine; invalid JSON keeps its message.
        let ok = format!(
            r#"{{"a":[[1,2],{{"b":[{}]}}]}}"#,
            vec!["0"; 40_000].join(",")
        );
        assert!(json(&req(&ok)).is_ok());
        assert!(
            json(&req("[1,"))
                .unwrap_err()
                .message
                .contains("invalid JSON")
        );
        let top = format!("[{}]", vec!["0"; limits::BODY_ELEMENTS + 1].join(","));
        assert!(
            json(&req(&top))
                .unwrap_err()
                .message
                .starts_with("request body: too many")
        );
    }

    #[test]
    fn bodies() {
        let req = |body: &str| HttpRequest {
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        assert_eq!(json(&req(" ")).unwrap_err().status, 400);
        assert!(
            json(&req("{"))
                .unwrap_err()
                .message
                .starts_with("request body: invalid JSON")
        );
        assert_eq!(
            object(&req("[]")).unwrap_err().message,
            "request body: must be a JSON object"
        );
        assert_eq!(object(&req(r#"{"a":1}"#)).unwrap()["a"], 1);
    }
}
