//! The incremental update, checked the way a client uses it: applying it
//! to the run the client knows must give the run as stored.

use serde_json::{Map, Value, json};

use super::run_update;
use crate::playbooks::model::{Checklist, ChecklistItem};
use crate::runs::model::{PlaybookRun, StatusPost, TimelineEvent};

fn item(id: &str, state: &str) -> ChecklistItem {
    ChecklistItem {
        id: id.into(),
        title: format!("task {id}"),
        state: state.into(),
        ..Default::default()
    }
}

fn checklist(id: &str, items: &[ChecklistItem]) -> Checklist {
    Checklist {
        id: id.into(),
        title: format!("list {id}"),
        items: items.to_vec(),
    }
}

fn event(id: &str) -> TimelineEvent {
    TimelineEvent {
        id: id.into(),
        event_type: "event_from_post".into(),
        summary: id.into(),
        ..Default::default()
    }
}

fn run() -> PlaybookRun {
    PlaybookRun {
        id: "r1".into(),
        name: "Outage".into(),
        update_at: 10,
        checklists: vec![
            checklist("c1", &[item("i1", ""), item("i2", "")]),
            checklist("c2", &[item("i3", "")]),
        ],
        timeline_events: vec![event("e1"), event("e2")],
        status_posts: vec![StatusPost {
            id: "p1".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A client's merge (as `webapp/src/runStore.ts` does it).
fn apply(run: &Value, update: &Value) -> Value {
    let mut run = run.as_object().cloned().unwrap_or_default();
    let changed = update["changed_fields"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(deletes) = update.get("checklist_deletes").and_then(Value::as_array) {
        let lists = run["checklists"].as_array().cloned().unwrap_or_default();
        run.insert(
            "checklists".into(),
            Value::Array(
                lists
                    .into_iter()
                    .filter(|c| !deletes.contains(&c["id"]))
                    .collect(),
            ),
        );
    }
    for (k, v) in &changed {
        match k.as_str() {
            "timeline_events" | "status_posts" => {
                let mut list = run[k].as_array().cloned().unwrap_or_default();
                for entry in v.as_array().into_iter().flatten() {
                    match list.iter_mut().find(|e| e["id"] == entry["id"]) {
                        Some(e) => *e = entry.clone(),
                        None => list.push(entry.clone()),
                    }
                }
                run.insert(k.clone(), Value::Array(list));
            }
            "checklists" => {
                let mut lists = run[k].as_array().cloned().unwrap_or_default();
                for u in v.as_array().into_iter().flatten() {
                    match lists.iter_mut().find(|c| c["id"] == u["id"]) {
                        Some(c) => apply_checklist(c, u),
                        None => {
                            let mut c =
                                json!({"id": u["id"], "title": "", "items": u["item_inserts"]});
                            merge(&mut c, &u["fields"]);
                            c["items"] = u["item_inserts"].clone();
                            lists.push(c);
                        }
                    }
                }
                run.insert(k.clone(), Value::Array(lists));
            }
            _ => {
                run.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(run)
}

fn merge(target: &mut Value, fields: &Value) {
    if let (Some(t), Some(f)) = (target.as_object_mut(), fields.as_object()) {
        for (k, v) in f {
            t.insert(k.clone(), v.clone());
        }
    }
}

fn apply_checklist(c: &mut Value, u: &Value) {
    let mut fields: Map<String, Value> = u["fields"].as_object().cloned().unwrap_or_default();
    fields.remove("items");
    merge(c, &Value::Object(fields));
    let mut items = c["items"].as_array().cloned().unwrap_or_default();
    for iu in u["item_updates"].as_array().into_iter().flatten() {
        if let Some(i) = items.iter_mut().find(|i| i["id"] == iu["id"]) {
            merge(i, &iu["fields"]);
        }
    }
    if let Some(del) = u["item_deletes"].as_array() {
        items.retain(|i| !del.contains(&i["id"]));
    }
    items.extend(u["item_inserts"].as_array().cloned().unwrap_or_default());
    if let Some(order) = u["items_order"].as_array() {
        items.sort_by_key(|i| order.iter().position(|id| *id == i["id"]));
    }
    c["items"] = Value::Array(items);
}

/// The run without its logs, plus `written` entries: what the store gives.
fn head(run: &PlaybookRun, written: Vec<TimelineEvent>) -> PlaybookRun {
    PlaybookRun {
        timeline_events: written,
        status_posts: Vec::new(),
        ..run.clone()
    }
}

/// Checks that `change` (which may append `written` events) is carried.
fn carried(change: impl FnOnce(&mut PlaybookRun), written: Vec<TimelineEvent>) -> Value {
    let before = run();
    let mut after = before.clone();
    change(&mut after);
    after.update_at = 20;
    after.timeline_events.extend(written.iter().cloned());
    let update =
        run_update(&head(&before, Vec::new()), &head(&after, written)).expect("expressible");
    assert_eq!(
        apply(&before.to_json(), &update),
        after.to_json(),
        "{update:#}"
    );
    update
}

#[test]
fn a_checked_task_sends_that_task_only() {
    let update = carried(
        |r| r.checklists[0].items[1].state = "closed".into(),
        Vec::new(),
    );
    assert_eq!(
        update["changed_fields"]["checklists"],
        json!([{"id": "c1", "item_updates": [{"id": "i2", "fields": {"state": "closed"}}]}])
    );
    assert_eq!(update["playbook_run_updated_at"], 20);
    assert!(update["changed_fields"].get("timeline_events").is_none());
    assert!(update.to_string().len() < 300, "{update}");
}

#[test]
fn fields_events_and_new_tasks_and_checklists_are_carried() {
    carried(|r| r.name = "Renamed".into(), vec![event("e3")]);
    carried(
        |r| {
            r.checklists[1].items.push(item("i4", ""));
            r.checklists[0].items.remove(0);
            r.checklists[0].title = "First".into();
            r.checklists.push(checklist("c3", &[item("i5", "closed")]));
        },
        Vec::new(),
    );
    // A task moved within its checklist: the order travels.
    let update = carried(|r| r.checklists[0].items.swap(0, 1), Vec::new());
    assert_eq!(
        update["changed_fields"]["checklists"][0]["items_order"],
        json!(["i2", "i1"])
    );
    // A deleted checklist.
    let update = carried(|r| drop(r.checklists.remove(0)), Vec::new());
    assert_eq!(update["checklist_deletes"], json!(["c1"]));
}

#[test]
fn an_event_soft_deleted_replaces_the_stored_one() {
    let mut gone = event("e1");
    gone.delete_at = 5;
    let before = run();
    let mut after = before.clone();
    after.update_at = 20;
    after.timeline_events[0].delete_at = 5;
    let update = run_update(&head(&before, Vec::new()), &head(&after, vec![gone])).unwrap();
    assert_eq!(apply(&before.to_json(), &update), after.to_json());
}

#[test]
fn what_the_format_cannot_say_falls_back_to_the_whole_run() {
    let before = run();
    let mut moved = before.clone();
    moved.checklists.swap(0, 1);
    assert!(run_update(&before, &moved).is_none());
    let mut unnamed = before.clone();
    unnamed.checklists[0].items.push(item("", ""));
    assert!(run_update(&before, &unnamed).is_none());
}
