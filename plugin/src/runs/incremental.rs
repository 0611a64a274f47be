//! What a run change sends to the clients watching it: upstream's
//! `playbook_run_updated_incremental` event (decision 024), the changed
//! fields only, instead of the whole run.
//!
//! Upstream sent the whole run on every change, its timeline included,
//! to every member of the channel: ticking a box in a long incident
//! shipped megabytes to each of them, and the server read the whole
//! timeline to do it. The incremental event is built from the run before
//! and after the change, both without their logs, plus the log entries
//! the change wrote ([`super::store::Updated`]), so its cost is the
//! change's, not the run's.
//!
//! The shape is upstream's `PlaybookRunUpdate`:
//! `{id, playbook_run_updated_at, changed_fields, checklist_deletes}`,
//! where `changed_fields` holds the top-level fields that differ, the
//! written `timeline_events` / `status_posts` (clients merge them by id),
//! and `checklists` as `ChecklistUpdate`s: `{id, fields, item_updates:
//! [{id, fields}], item_inserts, item_deletes, items_order}`.
//!
//! A change upstream's format cannot say — checklists reordered, or a
//! checklist or task without an id — gives `None`: the caller sends the
//! whole run instead.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::model::PlaybookRun;

/// Fields never sent as plain changed fields: the logs (sent as written
/// entries) and the checklists (sent as `ChecklistUpdate`s).
const SPECIAL: [&str; 3] = ["timeline_events", "status_posts", "checklists"];

/// The `PlaybookRunUpdate` taking `before` to `after` (both without their
/// logs; `after` carries the entries just written), or `None` when only
/// the whole run can say it.
pub fn run_update(before: &PlaybookRun, after: &PlaybookRun) -> Option<Value> {
    let (Value::Object(old), Value::Object(new)) = (before.to_json(), after.to_json()) else {
        return None;
    };
    let mut changed = changed_fields(&old, &new, &SPECIAL);
    for log in ["timeline_events", "status_posts"] {
        if let Some(Value::Array(entries)) = new.get(log)
            && !entries.is_empty()
        {
            changed.insert(log.to_owned(), Value::Array(entries.clone()));
        }
    }
    let (updates, deletes) = checklist_updates(old.get("checklists"), new.get("checklists"))?;
    if !updates.is_empty() {
        changed.insert("checklists".to_owned(), Value::Array(updates));
    }
    let mut update = json!({
        "id": after.id,
        "playbook_run_updated_at": after.update_at,
        "changed_fields": changed,
    });
    if !deletes.is_empty() {
        update["checklist_deletes"] = json!(deletes);
    }
    Some(update)
}

/// The members of `new` that differ from `old` (or are new), except `skip`.
fn changed_fields(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    skip: &[&str],
) -> Map<String, Value> {
    new.iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The ids of a JSON list of objects, or `None` if one has no id.
fn ids(list: &[Value]) -> Option<Vec<&str>> {
    list.iter()
        .map(|v| {
            v.get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
        })
        .collect()
}

fn as_list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The `ChecklistUpdate`s and deleted checklist ids taking `old` to `new`.
fn checklist_updates(
    old: Option<&Value>,
    new: Option<&Value>,
) -> Option<(Vec<Value>, Vec<String>)> {
    let (old, new) = (as_list(old), as_list(new));
    let (old_ids, new_ids) = (ids(old)?, ids(new)?);
    let kept: HashSet<&str> = new_ids.iter().copied().collect();
    let deletes: Vec<String> = old_ids
        .iter()
        .filter(|id| !kept.contains(*id))
        .map(|id| (*id).to_owned())
        .collect();
    // Clients keep the surviving checklists in their order and append new
    // ones: any other order needs the whole run.
    let was: HashSet<&str> = old_ids.iter().copied().collect();
    let survivors: Vec<&str> = new_ids
        .iter()
        .copied()
        .filter(|id| was.contains(id))
        .collect();
    let old_survivors: Vec<&str> = old_ids
        .iter()
        .copied()
        .filter(|id| kept.contains(id))
        .collect();
    let appended_only = new_ids
        .iter()
        .skip(survivors.len())
        .all(|id| !was.contains(id));
    if survivors != old_survivors || !appended_only {
        return None;
    }
    let by_id: HashMap<&str, &Value> = old_ids.iter().copied().zip(old).collect();
    let mut updates = Vec::new();
    for (id, checklist) in new_ids.iter().zip(new) {
        let update = match by_id.get(id) {
            Some(before) => checklist_update(id, before, checklist)?,
            None => Some(new_checklist(id, checklist)),
        };
        updates.extend(update);
    }
    Some((updates, deletes))
}

/// A checklist that did not exist: its fields and its items as inserts.
fn new_checklist(id: &str, checklist: &Value) -> Value {
    let mut fields = checklist.as_object().cloned().unwrap_or_default();
    let items = fields.remove("items").unwrap_or_else(|| json!([]));
    json!({"id": id, "fields": fields, "item_inserts": items})
}

/// The update of one checklist, `None` inside when nothing changed; the
/// outer `None` when an item has no id.
fn checklist_update(id: &str, old: &Value, new: &Value) -> Option<Option<Value>> {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let fields = changed_fields(o, n, &["items"]);
    let (old_items, new_items) = (as_list(o.get("items")), as_list(n.get("items")));
    let (old_ids, new_ids) = (ids(old_items)?, ids(new_items)?);
    let before: HashMap<&str, &Value> = old_ids.iter().copied().zip(old_items).collect();
    let now: HashSet<&str> = new_ids.iter().copied().collect();
    let mut item_updates = Vec::new();
    let mut item_inserts = Vec::new();
    for (item_id, item) in new_ids.iter().zip(new_items) {
        match before.get(item_id) {
            Some(was) if *was == item => {}
            Some(was) => {
                let empty = Map::new();
                let diff = changed_fields(
                    was.as_object().unwrap_or(&empty),
                    item.as_object().unwrap_or(&empty),
                    &[],
                );
                item_updates.push(json!({"id": item_id, "fields": diff}));
            }
            None => item_inserts.push(item.clone()),
        }
    }
    let item_deletes: Vec<&str> = old_ids
        .iter()
        .copied()
        .filter(|i| !now.contains(i))
        .collect();
    // The order clients get by deleting and appending; anything else is sent.
    let mut implied: Vec<&str> = old_ids
        .iter()
        .copied()
        .filter(|i| now.contains(i))
        .collect();
    implied.extend(new_ids.iter().copied().filter(|i| !before.contains_key(i)));
    let mut update = Map::new();
    if !fields.is_empty() {
        update.insert("fields".into(), Value::Object(fields));
    }
    if !item_updates.is_empty() {
        update.insert("item_updates".into(), Value::Array(item_updates));
    }
    if !item_inserts.is_empty() {
        update.insert("item_inserts".into(), Value::Array(item_inserts));
    }
    if !item_deletes.is_empty() {
        update.insert("item_deletes".into(), json!(item_deletes));
    }
    if implied != new_ids {
        update.insert("items_order".into(), json!(new_ids));
    }
    if update.is_empty() {
        return Some(None);
    }
    update.insert("id".into(), json!(id));
    Some(Some(Value::Object(update)))
}

#[cfg(test)]
#[path = "incremental_tests.rs"]
mod tests;
