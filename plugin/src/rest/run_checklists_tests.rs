//! `/runs/{id}/checklists…` route tests through `http::serve`. Users of the
//! test host: `admin`, `bob`, `carol` (team `t1`), `dave` (team `t2`). The
//! run is started by bob from a playbook with one checklist "Triage" of two
//! items ("Assess", "Page").

use serde_json::{Value, json};

use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, setup_run as setup};

/// Calls as bob, expects 200 and returns the run.
fn ok(host: &TestHost, method: &str, path: &str, body: Option<Value>) -> Value {
    crate::rest::test_client::ok(host, "bob", method, path, body)
}

fn titles(run: &Value) -> Vec<String> {
    run["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_owned())
        .collect()
}

fn item_titles(run: &Value, c: usize) -> Vec<String> {
    run["checklists"][c]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

fn last_event(run: &Value) -> &Value {
    run["timeline_events"].as_array().unwrap().last().unwrap()
}

#[test]
fn checklist_routes() {
    let (host, id) = setup();
    let base = format!("/runs/{id}/checklists");
    let run = ok(
        &host,
        "POST",
        &base,
        Some(json!({"title": "Fix", "items": [{"id": "x", "title": "Patch", "state": "closed"}]})),
    );
    assert_eq!(titles(&run), ["Triage", "Fix"]);
    let item = &run["checklists"][1]["items"][0];
    assert_eq!(item["title"], "Patch");
    assert_eq!(item["state"], "");
    assert_ne!(item["id"], "x");
    assert_eq!(run["task_total"], 3);

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/1/rename"),
        Some(json!({"title": "Repair"})),
    );
    assert_eq!(titles(&run), ["Triage", "Repair"]);

    let run = ok(
        &host,
        "POST",
        &format!("{base}/move"),
        Some(json!({"source_checklist_idx": 1, "dest_checklist_idx": 0})),
    );
    assert_eq!(titles(&run), ["Repair", "Triage"]);

    let run = ok(&host, "POST", &format!("{base}/1/duplicate"), None);
    assert_eq!(titles(&run).len(), 3);
    assert_eq!(run["task_total"], 5);

    let run = ok(&host, "PUT", &format!("{base}/0/skip"), None);
    assert_eq!(run["checklists"][0]["items"][0]["state"], "skipped");
    let run = ok(&host, "PUT", &format!("{base}/0/restore"), None);
    assert_eq!(run["checklists"][0]["items"][0]["state"], "");

    let run = ok(
        &host,
        "POST",
        &format!("{base}/move-item"),
        Some(
            json!({"source_checklist_idx": 0, "source_item_idx": 0, "dest_checklist_idx": 1, "dest_item_idx": 0}),
        ),
    );
    assert_eq!(item_titles(&run, 0).len(), 0);
    assert_eq!(item_titles(&run, 1), ["Patch", "Assess", "Page"]);

    let run = ok(&host, "DELETE", &format!("{base}/2"), None);
    assert_eq!(titles(&run), ["Repair", "Triage"]);
    assert_eq!(run["task_total"], 3);
    // Stored, not just answered.
    let stored = ok(&host, "GET", &format!("/runs/{id}"), None);
    assert_eq!(titles(&stored), ["Repair", "Triage"]);
}

#[test]
fn item_routes() {
    let (host, id) = setup();
    let base = format!("/runs/{id}/checklists/0");
    let run = ok(
        &host,
        "POST",
        &format!("{base}/add"),
        Some(json!({"title": "Notify", "assignee_id": "carol"})),
    );
    assert_eq!(item_titles(&run, 0), ["Assess", "Page", "Notify"]);
    assert_eq!(run["checklists"][0]["items"][2]["assignee_id"], "carol");

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/2"),
        Some(json!({"title": "Notify all", "description": "everyone", "command": "/echo hi"})),
    );
    let item = &run["checklists"][0]["items"][2];
    assert_eq!(
        (&item["title"], &item["command"]),
        (&json!("Notify all"), &json!("/echo hi"))
    );

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/1/state"),
        Some(json!({"new_state": "closed"})),
    );
    assert_eq!(run["checklists"][0]["items"][1]["state"], "closed");
    assert_eq!(last_event(&run)["event_type"], "task_state_modified");
    assert!(!last_event(&run)["id"].as_str().unwrap().is_empty());
    assert_eq!(run["task_completed"], 1);

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/1/assignee"),
        Some(json!({"assignee_id": "bob"})),
    );
    assert_eq!(run["checklists"][0]["items"][1]["assignee_id"], "bob");
    assert_eq!(last_event(&run)["event_type"], "assignee_changed");
    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/1/assignee"),
        Some(json!({"assignee_ids": ["carol", "bob"]})),
    );
    assert_eq!(
        run["checklists"][0]["items"][1]["assignee_ids"],
        json!(["carol", "bob"])
    );
    assert_eq!(run["checklists"][0]["items"][1]["assignee_id"], "carol");
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &format!("{base}/item/1/assignee"),
        Some(json!({"assignee_id": "ghost"})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().contains("assignee_id"), "{}", r.message());

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/1/duedate"),
        Some(json!({"due_date": 12345})),
    );
    assert_eq!(run["checklists"][0]["items"][1]["due_date"], 12345);

    let run = ok(
        &host,
        "PUT",
        &format!("{base}/item/1/command"),
        Some(json!({"command": "/status"})),
    );
    assert_eq!(run["checklists"][0]["items"][1]["command"], "/status");

    let run = ok(&host, "POST", &format!("{base}/item/1/run"), None);
    assert!(
        run["checklists"][0]["items"][1]["command_last_run"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert_eq!(last_event(&run)["event_type"], "ran_slash_command");
    // The command really ran, as bob, in the run channel.
    let channel = run["channel_id"].as_str().unwrap().to_owned();
    assert_eq!(
        host.inner.executed.borrow().last().cloned(),
        Some(("bob".to_owned(), channel.clone(), "/status".to_owned()))
    );
    // Not in the run channel any more: refused, nothing recorded.
    host.inner
        .members
        .borrow_mut()
        .retain(|(c, u)| !(*c == channel && u == "bob"));
    let before = run["timeline_events"].as_array().unwrap().len();
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{base}/item/1/run"),
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let after = ok(
        &host,
        "GET",
        &format!("/runs/{}", run["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(after["timeline_events"].as_array().unwrap().len(), before);
    host.inner
        .members
        .borrow_mut()
        .push((channel, "bob".to_owned()));
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{base}/item/0/run"),
        None,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.message().starts_with("command:"), "{}", r.message());

    let run = ok(&host, "PUT", &format!("{base}/item/0/skip"), None);
    assert_eq!(run["checklists"][0]["items"][0]["state"], "skipped");
    let run = ok(&host, "PUT", &format!("{base}/item/0/restore"), None);
    assert_eq!(run["checklists"][0]["items"][0]["state"], "");

    let run = ok(&host, "POST", &format!("{base}/item/2/duplicate"), None);
    assert_eq!(
        item_titles(&run, 0),
        ["Assess", "Page", "Notify all", "Notify all"]
    );
    let run = ok(&host, "DELETE", &format!("{base}/item/3"), None);
    assert_eq!(item_titles(&run, 0), ["Assess", "Page", "Notify all"]);
}

#[test]
fn refusals() {
    let (host, id) = setup();
    let state = |c: usize, i: usize| format!("/runs/{id}/checklists/{c}/item/{i}/state");
    let closed = || Some(json!({"new_state": "closed"}));
    assert_eq!(call(&host, None, "PUT", &state(0, 1), closed()).status, 401);
    for user in ["carol", "dave"] {
        let r = call(&host, Some(user), "PUT", &state(0, 1), closed());
        assert_eq!(r.status, 403, "{user}: {}", r.body);
    }
    let unknown = "/runs/abcdefghijkmnopqrstuwxyz1/checklists/0/item/0/state";
    assert_eq!(
        call(&host, Some("bob"), "PUT", unknown, closed()).status,
        404
    );
    assert_eq!(
        call(&host, Some("bob"), "PUT", &state(9, 0), closed()).status,
        404
    );
    assert_eq!(
        call(&host, Some("bob"), "PUT", &state(0, 9), closed()).status,
        404
    );
    let r = call(
        &host,
        Some("bob"),
        "DELETE",
        &format!("/runs/{id}/checklists/x"),
        None,
    );
    assert_eq!(r.status, 404);
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &state(0, 1),
        Some(json!({"new_state": "done"})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().starts_with("new_state:"), "{}", r.message());
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{id}/checklists"),
        Some(json!({})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().starts_with("title:"), "{}", r.message());
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{id}/checklists/move"),
        Some(json!({"source_checklist_idx": 0})),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.message().contains("dest_checklist_idx"),
        "{}",
        r.message()
    );

    // A no-op is not stored: no new timeline event.
    let before = ok(&host, "PUT", &state(0, 1), closed());
    // Clients are told the change only (decision 024): that task's state.
    let (event, update) = host.last_event();
    assert_eq!(event, "playbook_run_updated_incremental");
    assert_eq!(update["id"], json!(id));
    let task = &update["changed_fields"]["checklists"][0]["item_updates"][0];
    assert_eq!(task["fields"]["state"], "closed");
    assert_eq!(
        before["checklists"][0]["items"][1]["state"], "closed",
        "the answer is the whole run"
    );
    let published = host.events().len();
    let again = ok(&host, "PUT", &state(0, 1), closed());
    assert_eq!(host.events().len(), published);
    assert_eq!(before["timeline_events"], again["timeline_events"]);
    assert_eq!(before["update_at"], again["update_at"]);

    // Finished runs refuse edits; the admin may edit others' runs.
    ok(&host, "PUT", &format!("/runs/{id}/finish"), None);
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &state(0, 1),
        Some(json!({"new_state": ""})),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.message().contains("finished"), "{}", r.message());
    ok(&host, "PUT", &format!("/runs/{id}/restore"), None);
    let r = call(
        &host,
        Some("admin"),
        "PUT",
        &state(0, 1),
        Some(json!({"new_state": ""})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn concurrent_state_changes_on_different_items_both_survive() {
    let (host, id) = setup();
    // Someone else closes item 1 between our read and our write.
    let other = id.clone();
    host.before_next_write(move |inner| {
        crate::runs::RunStore::new(inner)
            .update(&other, |run| {
                run.checklists[0].items[1].state = "closed".into();
                Ok::<_, crate::runs::RunError>(())
            })
            .unwrap();
    });
    let run = ok(
        &host,
        "PUT",
        &format!("/runs/{id}/checklists/0/item/0/state"),
        Some(json!({"new_state": "in_progress"})),
    );
    let states = |run: &Value| {
        (
            run["checklists"][0]["items"][0]["state"].clone(),
            run["checklists"][0]["items"][1]["state"].clone(),
        )
    };
    assert_eq!(states(&run), (json!("in_progress"), json!("closed")));
    let stored = ok(&host, "GET", &format!("/runs/{id}"), None);
    assert_eq!(states(&stored), (json!("in_progress"), json!("closed")));
    assert_eq!(stored["task_completed"], 1);
}
