//! Playbook export and import in Mattermost's format (`"version": 1`), so
//! playbooks move both ways between this server and Mattermost.
//!
//! The format is a flat JSON object: the exportable playbook settings by
//! their JSON names, `checklists[{title, items[{title, description,
//! command, due_date, assignee_type}]}]` and `metrics[{title, description,
//! type, target}]`. As upstream (which builds it from Go `export` struct
//! tags and `IsZero`), a setting with its zero value is left out, so a
//! *missing* setting means the zero value (`false`, `0`, `""`, `[]`), not
//! this project's default. Import honours that, or a Mattermost export of a
//! playbook with status updates off would come back with them on.
//!
//! Left out, because they only mean something on the server that wrote
//! them, or are bookkeeping: ids, team, members, counters, timestamps,
//! `public`, default owner, invitations, broadcast channels, `channel_id`
//! (upstream exports it; a channel id of another server is useless at best
//! and points at someone else's channel at worst), item assignees, run
//! state and task actions (their payloads hold user ids). Webhook settings
//! are left out as upstream does: their URLs often embed secrets, and an
//! imported file must not be able to send run data to a third party
//! unnoticed. Import reads exactly the fields export writes and ignores
//! everything else, unknown fields included.
//!
//! The field lists below are the single source of both directions, so they
//! cannot drift apart.

use serde_json::{Map, Value};

use super::model::{Playbook, PlaybookMember, channel_mode, role};
use super::validate::{FieldError, validate_playbook};

/// The only format version, as upstream.
pub const EXPORT_VERSION: i64 = 1;

/// The JSON type of an exported field, for the zero value and type checks.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Bool,
    Int,
    StrList,
    /// Nullable integer; the zero is `null`.
    OptInt,
}

use Kind::*;

/// Upstream's exported playbook settings (its `export:"…"` tags), without
/// `channel_id`; `checklists` and `metrics` are handled apart.
const PLAYBOOK_FIELDS: &[(&str, Kind)] = &[
    ("title", Str),
    ("description", Str),
    ("reminder_message_template", Str),
    ("reminder_timer_default_seconds", Int),
    ("status_update_enabled", Bool),
    ("message_on_join", Str),
    ("message_on_join_enabled", Bool),
    ("retrospective_reminder_interval_seconds", Int),
    ("retrospective_template", Str),
    ("retrospective_enabled", Bool),
    ("signal_any_keywords", StrList),
    ("signal_any_keywords_enabled", Bool),
    ("categorize_channel_enabled", Bool),
    ("category_name", Str),
    ("run_summary_template_enabled", Bool),
    ("run_summary_template", Str),
    ("channel_name_template", Str),
    ("create_channel_member_on_new_participant", Bool),
    ("remove_channel_member_on_removed_participant", Bool),
    ("channel_mode", Str),
    ("run_number_prefix", Str),
    ("owner_group_only_actions", Bool),
    ("new_channel_only", Bool),
    ("auto_archive_channel", Bool),
];

/// Playbooks 1.3x (Mattermost 9.x) exported
/// `remove_channel_member_on_removed_participant` under this name (a typo
/// in its `export` tag); import reads it when the right name is absent.
const LEGACY_REMOVE_MEMBER: &str = "create_channel_member_on_removed_participant";

const CHECKLIST_FIELDS: &[(&str, Kind)] = &[("title", Str)];

const ITEM_FIELDS: &[(&str, Kind)] = &[
    ("title", Str),
    ("description", Str),
    ("command", Str),
    ("due_date", Int),
    ("assignee_type", Str),
];

const METRIC_FIELDS: &[(&str, Kind)] = &[
    ("title", Str),
    ("description", Str),
    ("type", Str),
    ("target", OptInt),
];

/// What an absent field means. `channel_mode` is an enum (an integer)
/// upstream, whose zero is `create_new_channel`.
fn zero(name: &str, kind: Kind) -> Value {
    match kind {
        Str if name == "channel_mode" => Value::from(channel_mode::CREATE_NEW_CHANNEL),
        Str => Value::from(""),
        Bool => Value::Bool(false),
        Int => Value::from(0),
        StrList => Value::Array(Vec::new()),
        OptInt => Value::Null,
    }
}

/// Copies the non-zero `fields` of `from` (a serialised model struct).
fn export_fields(from: &Value, fields: &[(&str, Kind)]) -> Map<String, Value> {
    let mut out = Map::new();
    for &(name, kind) in fields {
        if let Some(value) = from.get(name)
            && *value != zero(name, kind)
        {
            out.insert(name.to_owned(), value.clone());
        }
    }
    out
}

/// The elements of the array `v[key]`, none if it is absent.
fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The playbook in export format (see the module documentation).
pub fn export_playbook(pb: &Playbook) -> Value {
    // Serialising these plain structs cannot fail (string keys only, no
    // custom serialisers); were it to, the export would only be empty.
    let full = serde_json::to_value(pb).unwrap_or(Value::Null);
    let mut out = export_fields(&full, PLAYBOOK_FIELDS);
    out.insert("version".into(), Value::from(EXPORT_VERSION));

    let checklists = array(&full, "checklists")
        .iter()
        .map(|c| {
            let mut checklist = export_fields(c, CHECKLIST_FIELDS);
            let items = array(c, "items")
                .iter()
                .map(|i| Value::Object(export_fields(i, ITEM_FIELDS)))
                .collect();
            checklist.insert("items".into(), Value::Array(items));
            Value::Object(checklist)
        })
        .collect();
    out.insert("checklists".into(), Value::Array(checklists));
    let metrics = array(&full, "metrics")
        .iter()
        .map(|m| Value::Object(export_fields(m, METRIC_FIELDS)))
        .collect();
    out.insert("metrics".into(), Value::Array(metrics));
    Value::Object(out)
}

/// Creates a playbook from an export, as upstream's import does: the file
/// must say `"version": 1` and carry no `id`; the playbook gets fresh ids
/// (playbook, then each checklist followed by its items, then metrics, in
/// that order), the given team, the importer as its only member (member
/// and admin), and is public. Non-exported settings take this project's
/// defaults. The result is validated; `create_at`/`update_at` stay 0 for the
/// store to stamp with the host clock.
pub fn import_playbook(
    json: &Value,
    team_id: &str,
    importer_user_id: &str,
    mut new_id: impl FnMut() -> String,
) -> Result<Playbook, FieldError> {
    let src = json
        .as_object()
        .ok_or_else(|| FieldError::new("", "a playbook export must be a JSON object"))?;
    match src.get("version") {
        Some(v) if v.as_i64() == Some(EXPORT_VERSION) => {}
        None => return Err(FieldError::new("version", "is required (1)")),
        Some(v) => {
            return Err(FieldError::new(
                "version",
                format!("unsupported version {v}; only 1 is supported"),
            ));
        }
    }
    match src.get("id") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.is_empty() => {}
        Some(_) => {
            return Err(FieldError::new(
                "id",
                "an import must not carry an id: it always creates a new playbook",
            ));
        }
    }

    let mut fields = import_fields(src, PLAYBOOK_FIELDS, "")?;
    let remove_member = "remove_channel_member_on_removed_participant";
    if !src.contains_key(remove_member) && src.contains_key(LEGACY_REMOVE_MEMBER) {
        let legacy = take(src, LEGACY_REMOVE_MEMBER, Bool, LEGACY_REMOVE_MEMBER)?;
        fields.insert(remove_member.into(), legacy);
    }
    let checklists = import_list(src, "checklists", "", |c, path| {
        let mut checklist = import_fields(c, CHECKLIST_FIELDS, path)?;
        let items = import_list(c, "items", path, |i, path| {
            import_fields(i, ITEM_FIELDS, path).map(Value::Object)
        })?;
        checklist.insert("items".into(), Value::Array(items));
        Ok(Value::Object(checklist))
    })?;
    fields.insert("checklists".into(), Value::Array(checklists));
    let metrics = import_list(src, "metrics", "", |m, path| {
        import_fields(m, METRIC_FIELDS, path).map(Value::Object)
    })?;
    fields.insert("metrics".into(), Value::Array(metrics));

    // Types were checked field by field above, so this cannot fail on input.
    let mut pb: Playbook = serde_json::from_value(Value::Object(fields))
        .map_err(|e| FieldError::new("", e.to_string()))?;
    pb.id = new_id();
    for checklist in &mut pb.checklists {
        checklist.id = new_id();
        for item in &mut checklist.items {
            item.id = new_id();
        }
    }
    for metric in &mut pb.metrics {
        metric.id = new_id();
    }
    pb.team_id = team_id.to_owned();
    pb.members = vec![PlaybookMember {
        user_id: importer_user_id.to_owned(),
        roles: vec![role::MEMBER.to_owned(), role::ADMIN.to_owned()],
    }];
    // Upstream forces this too: private playbooks are a licensed feature
    // there, and an import must not lock the team out of what it received.
    pb.public = true;
    pb.normalize();
    pb.update_counts();
    validate_playbook(&pb)?;
    Ok(pb)
}

/// `fields` of the object `src`, type-checked, absent or `null` ones as
/// their zero value; `path` prefixes error field names.
fn import_fields(
    src: &Map<String, Value>,
    fields: &[(&str, Kind)],
    path: &str,
) -> Result<Map<String, Value>, FieldError> {
    let mut out = Map::new();
    for &(name, kind) in fields {
        out.insert(name.to_owned(), take(src, name, kind, &join(path, name))?);
    }
    Ok(out)
}

/// The array `src[name]` (absent or `null`: empty), each element an object
/// converted by `convert` with its path (`checklists[2]`).
fn import_list(
    src: &Map<String, Value>,
    name: &str,
    path: &str,
    mut convert: impl FnMut(&Map<String, Value>, &str) -> Result<Value, FieldError>,
) -> Result<Vec<Value>, FieldError> {
    let path = join(path, name);
    let elements = match src.get(name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(FieldError::new(path, "must be an array")),
    };
    elements
        .iter()
        .enumerate()
        .map(|(i, element)| {
            let path = format!("{path}[{i}]");
            let object = element
                .as_object()
                .ok_or_else(|| FieldError::new(path.as_str(), "must be an object"))?;
            convert(object, &path)
        })
        .collect()
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// `src[name]` if it has the JSON type of `kind`; its zero if absent/null.
fn take(src: &Map<String, Value>, name: &str, kind: Kind, path: &str) -> Result<Value, FieldError> {
    let Some(value) = src.get(name).filter(|v| !v.is_null()) else {
        return Ok(zero(name, kind));
    };
    let (ok, expected) = match kind {
        Str => (value.is_string(), "a string"),
        Bool => (value.is_boolean(), "true or false"),
        Int | OptInt => (value.as_i64().is_some(), "an integer"),
        StrList => (
            value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "an array of strings",
        ),
    };
    if ok {
        Ok(value.clone())
    } else {
        Err(FieldError::new(path, format!("must be {expected}")))
    }
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
