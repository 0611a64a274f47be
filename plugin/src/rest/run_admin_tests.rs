//! Run administration routes through `http::serve`: bob's run "Outage"
//! (private playbook with bob as member; carol in the team but not in the
//! run; dave in another team; admin a system admin).

use serde_json::json;

use crate::rest::test_client::{call, ok, setup_run};
use crate::runs::RunStore;

#[test]
fn delete_needs_owner_or_admin_and_removes_indexes_and_jobs() {
    let (host, id) = setup_run();
    let run = RunStore::new(&host).get(&id).unwrap().unwrap();
    assert!(
        host.inner
            .jobs
            .borrow()
            .contains_key(&format!("reminder/{id}"))
    );
    // carol is made a participant: still not allowed to delete.
    ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/participants"),
        Some(json!({"user_ids": ["carol"]})),
    );
    for user in ["carol", "dave"] {
        let r = call(&host, Some(user), "DELETE", &format!("/runs/{id}"), None);
        assert_eq!(r.status, 403, "{user}");
    }
    assert_eq!(
        call(&host, None, "DELETE", &format!("/runs/{id}"), None).status,
        401
    );
    let r = call(&host, Some("bob"), "DELETE", &format!("/runs/{id}"), None);
    assert_eq!(r.status, 204);
    assert_eq!(
        call(&host, Some("bob"), "GET", &format!("/runs/{id}"), None).status,
        404
    );
    assert_eq!(
        call(&host, Some("bob"), "DELETE", &format!("/runs/{id}"), None).status,
        404
    );
    let keys: Vec<String> = host.inner.kv.borrow().keys().cloned().collect();
    assert!(!keys.iter().any(|k| k.contains(&id)), "{keys:?}");
    assert!(
        !host
            .inner
            .jobs
            .borrow()
            .contains_key(&format!("reminder/{id}"))
    );
    let list = ok(
        &host,
        "bob",
        "GET",
        &format!("/runs?channel_id={}", run.channel_id),
        None,
    );
    assert_eq!(list["total_count"], 0);
    assert!(
        host.inner
            .events
            .borrow()
            .iter()
            .any(|(e, d)| e == "playbook_run_deleted" && d["playbook_run_id"] == json!(id))
    );
}

#[test]
fn participants_join_add_remove_leave() {
    let (host, id) = setup_run();
    let path = format!("/runs/{id}/participants");
    let run = ok(
        &host,
        "bob",
        "POST",
        &path,
        Some(json!({"user_ids": ["carol"]})),
    );
    assert_eq!(run["participant_ids"], json!(["bob", "carol"]));
    let last = run["timeline_events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event_type"], "participants_changed");
    assert_eq!(last["summary"], "@bob added @carol to the run");
    assert!(host.inner.members.borrow().contains(&(
        run["channel_id"].as_str().unwrap().to_owned(),
        "carol".to_owned()
    )));

    for (body, field) in [
        (json!({"user_ids": ["dave"]}), "user_ids[0]"),
        (json!({"user_ids": ["ghost"]}), "user_ids[0]"),
        (json!({"user_ids": []}), "user_ids"),
        (json!({"user_ids": [3]}), "user_ids[0]"),
        (json!({}), "user_ids"),
    ] {
        let r = call(&host, Some("bob"), "POST", &path, Some(body));
        assert_eq!(r.status, 400);
        assert!(r.message().starts_with(field), "{}", r.message());
    }
    // dave cannot see the run: no joining; the owner cannot be removed.
    assert_eq!(
        call(
            &host,
            Some("dave"),
            "POST",
            &path,
            Some(json!({"user_ids": ["dave"]}))
        )
        .status,
        403
    );
    let r = call(
        &host,
        Some("carol"),
        "DELETE",
        &path,
        Some(json!({"user_ids": ["bob"]})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().contains("owner"));

    // carol leaves by herself.
    let run = ok(
        &host,
        "carol",
        "DELETE",
        &path,
        Some(json!({"user_ids": ["carol"]})),
    );
    assert_eq!(run["participant_ids"], json!(["bob"]));
    assert_eq!(
        run["timeline_events"].as_array().unwrap().last().unwrap()["summary"],
        "@carol left the run"
    );
    // Now she cannot remove anyone else (no edit rights), nor see the run.
    assert_eq!(
        call(
            &host,
            Some("carol"),
            "POST",
            &path,
            Some(json!({"user_ids": ["carol"]}))
        )
        .status,
        403
    );
    // An admin joins.
    let run = ok(
        &host,
        "admin",
        "POST",
        &path,
        Some(json!({"user_ids": ["admin"]})),
    );
    assert!(
        run["participant_ids"]
            .as_array()
            .unwrap()
            .contains(&json!("admin"))
    );
    assert_eq!(
        run["timeline_events"].as_array().unwrap().last().unwrap()["summary"],
        "@admin joined the run"
    );
}

#[test]
fn timeline_soft_delete() {
    let (host, id) = setup_run();
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    let event_id = run["timeline_events"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/runs/{id}/timeline/{event_id}");
    assert_eq!(
        call(&host, Some("carol"), "DELETE", &path, None).status,
        403
    );
    assert_eq!(call(&host, Some("bob"), "DELETE", &path, None).status, 204);
    assert_eq!(
        call(&host, Some("bob"), "DELETE", &path, None).status,
        204,
        "idempotent"
    );
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert!(run["timeline_events"][0]["delete_at"].as_i64().unwrap() > 0);
    assert_eq!(
        call(
            &host,
            Some("bob"),
            "DELETE",
            &format!("/runs/{id}/timeline/nope"),
            None
        )
        .status,
        404
    );
}

#[test]
fn owners_channels_and_export() {
    let (host, id) = setup_run();
    let owners = ok(&host, "bob", "GET", "/runs/owners", None);
    assert_eq!(owners, json!([{"user_id": "bob", "username": "bob"}]));
    assert_eq!(
        ok(&host, "carol", "GET", "/runs/owners?team_id=t1", None),
        json!([])
    );
    let channels = ok(&host, "bob", "GET", "/runs/channels", None);
    assert_eq!(channels.as_array().unwrap().len(), 1);

    let r = call(
        &host,
        Some("bob"),
        "GET",
        &format!("/runs/{id}/export"),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"inc-00001.md\"")
    );
    let md = String::from_utf8(r.raw).unwrap();
    assert!(md.starts_with("# INC-00001 · Outage\n"), "{md}");
    assert!(md.contains("| Owner | @bob |"));
    assert!(md.contains("### Triage"));
    assert!(md.contains("- [ ] Assess — @bob"));
    assert_eq!(
        call(
            &host,
            Some("carol"),
            "GET",
            &format!("/runs/{id}/export"),
            None
        )
        .status,
        403
    );
}

#[test]
fn sessions_unknown_ids_and_finished_runs() {
    let (host, id) = setup_run();
    let unknown = "a".repeat(26);
    for (method, path, body) in [
        ("DELETE", format!("/runs/{id}"), None),
        ("GET", format!("/runs/{id}/export"), None),
        (
            "POST",
            format!("/runs/{id}/participants"),
            Some(json!({"user_ids": ["carol"]})),
        ),
        (
            "DELETE",
            format!("/runs/{id}/participants"),
            Some(json!({"user_ids": ["carol"]})),
        ),
        ("DELETE", format!("/runs/{id}/timeline/x"), None),
        ("GET", "/runs/owners".to_owned(), None),
        ("GET", "/runs/channels".to_owned(), None),
    ] {
        let r = call(&host, None, method, &path, body.clone());
        assert_eq!(r.status, 401, "{method} {path}");
        if path.contains(&id) {
            let path = path.replace(&id, &unknown);
            let r = call(&host, Some("admin"), method, &path, body);
            assert_eq!(r.status, 404, "{method} {path}");
        }
    }
    // dave (another team) can neither see nor "leave" the run.
    let r = call(
        &host,
        Some("dave"),
        "DELETE",
        &format!("/runs/{id}/participants"),
        Some(json!({"user_ids": ["dave"]})),
    );
    assert_eq!(r.status, 403);
    // carol (not a participant) cannot add others.
    let r = call(
        &host,
        Some("carol"),
        "POST",
        &format!("/runs/{id}/participants"),
        Some(json!({"user_ids": ["admin"]})),
    );
    assert_eq!(r.status, 403);
    // Finished runs refuse participant changes.
    ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{id}/participants"),
        Some(json!({"user_ids": ["carol"]})),
    );
    assert_eq!(r.status, 400, "{}", r.message());
}

#[test]
fn deleting_a_run_in_progress_lowers_active_runs_only() {
    use crate::playbooks::store::PlaybookStore;
    use crate::runs::create::tests::PB;
    let (host, id) = setup_run();
    let before = PlaybookStore::new(&host).get(PB).unwrap().unwrap();
    assert_eq!(before.active_runs, 1);
    let r = call(&host, Some("admin"), "DELETE", &format!("/runs/{id}"), None);
    assert_eq!(r.status, 204);
    assert!(r.raw.is_empty());
    let after = PlaybookStore::new(&host).get(PB).unwrap().unwrap();
    assert_eq!(after.active_runs, 0);
    assert_eq!(after.num_runs, before.num_runs, "runs ever started stay");
    assert!(
        !host
            .inner
            .jobs
            .borrow()
            .keys()
            .any(|k| k.contains(id.as_str()))
    );
}
