//! `/runs` route tests through `http::serve`. Users of the test host:
//! `admin` (system admin), `bob` and `carol` (team `t1`), `dave` (team `t2`
//! only); channel `c1` in `t1` (bob, admin).

use crate::host::prelude::*;
use serde_json::{Value, json};

use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, start};
use crate::runs::create::tests::{PB, playbook, put_playbook};

fn setup() -> (TestHost, String) {
    crate::rest::test_client::setup_run()
}

#[test]
fn create_and_get() {
    let (host, id) = setup();
    let r = call(&host, Some("bob"), "GET", &format!("/runs/{id}"), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["name"], "Outage");
    assert_eq!(r.body["sequential_id"], "INC-00001");
    assert_eq!(r.body["type"], "playbook");
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/runs",
        Some(json!({"playbook_id": PB, "name": "Two"})),
    );
    assert_eq!(r.status, 201);
    let location = r
        .headers
        .iter()
        .find(|(k, _)| k == "Location")
        .map(|(_, v)| v.clone());
    assert_eq!(
        location,
        Some(format!(
            "/plugins/playbooks/api/v0/runs/{}",
            r.body["id"].as_str().unwrap()
        ))
    );
    // Not logged in; not allowed to view; unknown; bad input.
    assert_eq!(
        call(&host, None, "GET", &format!("/runs/{id}"), None).status,
        401
    );
    assert_eq!(
        call(&host, None, "POST", "/runs", Some(json!({}))).status,
        401
    );
    let r = call(&host, Some("carol"), "GET", &format!("/runs/{id}"), None);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        call(&host, Some("admin"), "GET", &format!("/runs/{id}"), None).status,
        200
    );
    assert_eq!(
        call(&host, Some("bob"), "GET", "/runs/nope", None).status,
        404
    );
    assert_eq!(
        call(
            &host,
            Some("bob"),
            "GET",
            "/runs/yyyyyyyyyyyyyyyyyyyyyyyyyy",
            None
        )
        .status,
        404
    );
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/runs",
        Some(json!({"playbook_id": 5})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().starts_with("playbook_id: "), "{}", r.message());
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/runs",
        Some(json!({"name": "x"})),
    );
    assert_eq!((r.status, r.message()), (400, "team_id: is required"));
    let r = call(
        &host,
        Some("carol"),
        "POST",
        "/runs",
        Some(json!({"playbook_id": PB})),
    );
    assert_eq!(r.status, 403);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/runs",
        Some(json!({"playbook_id": PB, "owner_user_id": "dave"})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().starts_with("owner_user_id: "));
}

#[test]
fn patch_owner_finish_restore() {
    let (host, id) = setup();
    let path = format!("/runs/{id}");
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &path,
        Some(json!({"name": "Renamed", "summary": "S"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["name"].as_str(), r.body["summary"].as_str()),
        (Some("Renamed"), Some("S"))
    );
    assert_eq!(r.body["summary_modified_at"], host.now_ms());
    let (event, update) = host.last_event();
    assert_eq!(event, "playbook_run_updated_incremental");
    assert_eq!(update["changed_fields"]["name"], "Renamed");
    assert_eq!(update["changed_fields"]["summary"], "S");
    assert!(update["changed_fields"].get("owner_user_id").is_none());
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &path,
        Some(json!({"name": ""})),
    );
    assert_eq!((r.status, r.message()), (400, "name: must not be empty"));
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &path,
        Some(json!({"summary": 3})),
    );
    assert_eq!((r.status, r.message()), (400, "summary: must be a string"));
    assert_eq!(
        call(
            &host,
            Some("carol"),
            "PATCH",
            &path,
            Some(json!({"name": "x"}))
        )
        .status,
        403
    );

    // Owner change: carol becomes owner and participant, then may edit.
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{path}/owner"),
        Some(json!({"owner_id": "carol"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["owner_user_id"], "carol");
    assert!(
        r.body["participant_ids"]
            .as_array()
            .unwrap()
            .contains(&json!("carol"))
    );
    assert_eq!(
        r.body["timeline_events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["event_type"],
        "owner_changed"
    );
    let run_channel = r.body["channel_id"].as_str().unwrap().to_owned();
    assert!(host.is_channel_member(&run_channel, "carol").unwrap());
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{path}/owner"),
        Some(json!({"owner_id": "dave"})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().starts_with("owner_id: "));
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{path}/owner"),
        Some(json!({})),
    );
    assert_eq!((r.status, r.message()), (400, "owner_id: is required"));

    // Finish, edits refused, restore.
    let r = call(&host, Some("carol"), "PUT", &format!("{path}/finish"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["current_status"], "Finished");
    assert_eq!(r.body["end_at"], host.now_ms());
    assert_eq!(
        r.body["timeline_events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["event_type"],
        "run_finished"
    );
    let (event, update) = host.last_event();
    assert_eq!(event, "playbook_run_updated_incremental");
    assert_eq!(update["changed_fields"]["current_status"], "Finished");
    assert_eq!(
        update["changed_fields"]["timeline_events"][0]["event_type"],
        "run_finished"
    );
    let pb = crate::playbooks::store::PlaybookStore::new(&host)
        .get(PB)
        .unwrap()
        .unwrap();
    assert_eq!(pb.active_runs, 0);
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &path,
        Some(json!({"name": "late"})),
    );
    assert_eq!(r.status, 400);
    assert!(r.message().contains("finished"));
    let r = call(&host, Some("bob"), "PUT", &format!("{path}/restore"), None);
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.body["current_status"].as_str(), r.body["end_at"].as_i64()),
        (Some("InProgress"), Some(0))
    );
    assert_eq!(
        r.body["timeline_events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["event_type"],
        "run_restored"
    );

    // owner_group_only_actions: only the owner (carol) or an admin.
    let mut pb = playbook();
    pb.invite_users_enabled = false;
    pb.owner_group_only_actions = true;
    put_playbook(&host, &pb);
    assert_eq!(
        call(&host, Some("bob"), "PUT", &format!("{path}/finish"), None).status,
        403
    );
    assert_eq!(
        call(&host, Some("admin"), "PUT", &format!("{path}/finish"), None).status,
        200
    );
}

#[test]
fn metadata_and_followers() {
    let (host, id) = setup();
    let path = format!("/runs/{id}");
    let r = call(&host, Some("bob"), "GET", &format!("{path}/metadata"), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["team_name"], "team-one");
    assert_eq!(r.body["channel_display_name"], "Outage");
    assert_eq!(r.body["num_participants"], 1);
    assert_eq!(r.body["total_posts"], 0);
    assert_eq!(
        call(
            &host,
            Some("carol"),
            "GET",
            &format!("{path}/metadata"),
            None
        )
        .status,
        403
    );

    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &format!("{path}/followers"),
        None,
    );
    assert_eq!((r.status, r.body.clone()), (200, json!(["bob"])));
    let r = call(
        &host,
        Some("admin"),
        "PUT",
        &format!("{path}/followers"),
        None,
    );
    assert_eq!(r.body, json!(["bob", "admin"]));
    assert_eq!(
        call(
            &host,
            Some("carol"),
            "PUT",
            &format!("{path}/followers"),
            None
        )
        .status,
        403
    );
    let r = call(
        &host,
        Some("bob"),
        "DELETE",
        &format!("{path}/followers"),
        None,
    );
    assert_eq!(r.body, json!(["admin"]));
    let r = call(
        &host,
        Some("bob"),
        "GET",
        &format!("{path}/followers"),
        None,
    );
    assert_eq!(r.body, json!(["admin"]));
    let r = call(&host, Some("bob"), "GET", &format!("{path}/metadata"), None);
    assert_eq!(r.body["followers"], json!(["admin"]));
}

#[test]
fn lists() {
    let (mut host, _) = setup();
    host.inner
        .members
        .borrow_mut()
        .push(("c1".into(), "carol".into()));
    host.inner.now += 1;
    start(
        &host,
        "carol",
        json!({"name": "Carol's", "channel_id": "c1"}),
    );
    host.inner.now += 1;
    start(&host, "bob", json!({"name": "Bob's", "channel_id": "c1"}));
    let list = |user: &str, q: &str| {
        let r = call(&host, Some(user), "GET", &format!("/runs?{q}"), None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    };
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list("admin", "team_id=t1");
    assert_eq!(names(&all), vec!["Outage", "Carol's", "Bob's"]);
    assert_eq!(
        (all["total_count"].as_i64(), all["per_page"].as_i64()),
        (Some(3), Some(1000))
    );
    assert_eq!(
        names(&list("bob", "participant_id=me")),
        vec!["Outage", "Bob's"]
    );
    assert_eq!(names(&list("carol", "owner_user_id=me")), vec!["Carol's"]);
    assert_eq!(
        names(&list("carol", "")),
        vec!["Carol's"],
        "bob's private playbook run is hidden"
    );
    assert_eq!(
        names(&list("admin", "sort=name&direction=desc")),
        vec!["Outage", "Carol's", "Bob's"]
    );
    let page = list("admin", "per_page=2&page=1");
    assert_eq!(
        (
            names(&page),
            page["has_more"].as_bool(),
            page["page_count"].as_i64()
        ),
        (vec!["Bob's".to_owned()], Some(false), Some(2))
    );
    assert_eq!(names(&list("admin", "search_term=OUT")), vec!["Outage"]);
    assert_eq!(names(&list("admin", "statuses=Finished")).len(), 0);
    assert_eq!(
        names(&list("admin", "statuses=InProgress&statuses=Finished")).len(),
        3
    );
    let r = call(&host, Some("admin"), "GET", "/runs/channel/c1/runs", None);
    assert_eq!(names(&r.body), vec!["Carol's", "Bob's"]);
    for (q, field) in [
        ("sort=bogus", "sort"),
        ("direction=up", "direction"),
        ("page=-1", "page"),
        ("per_page=x", "per_page"),
        ("statuses=Done", "statuses"),
        ("since=soon", "since"),
        ("omit_ended=maybe", "omit_ended"),
        (&*format!("search_term={}", "x".repeat(1025)), "search_term"),
    ] {
        let r = call(&host, Some("admin"), "GET", &format!("/runs?{q}"), None);
        assert_eq!(r.status, 400, "{q}");
        assert!(
            r.message().starts_with(&format!("{field}: ")),
            "{q}: {}",
            r.message()
        );
    }
    assert_eq!(
        call(&host, Some("dave"), "GET", "/runs?team_id=t1", None).status,
        403
    );
    assert_eq!(names(&list("dave", "")).len(), 0);
}

#[test]
fn concurrent_patches_lose_nothing() {
    let (host, id) = setup();
    let other = id.clone();
    host.before_next_write(move |inner| {
        crate::runs::RunStore::new(inner)
            .update(&other, |run| {
                run.summary = "from elsewhere".into();
                Ok::<_, crate::runs::RunError>(())
            })
            .unwrap();
    });
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &format!("/runs/{id}"),
        Some(json!({"name": "Mine"})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.body["name"].as_str(), r.body["summary"].as_str()),
        (Some("Mine"), Some("from elsewhere"))
    );
}

/// Decision 024: a change tells clients what changed; with
/// `EnableIncrementalUpdates` off they get the whole run — read whole, its
/// timeline included, never the log-less run a change works on.
#[test]
fn changes_publish_the_change_or_the_whole_run() {
    let (mut host, id) = setup();
    let path = format!("/runs/{id}/followers");
    let stored = |host: &TestHost| crate::runs::RunStore::new(host).get(&id).unwrap().unwrap();
    let events = stored(&host).timeline_events.len();
    assert!(events > 0, "the run has a timeline");
    assert_eq!(call(&host, Some("bob"), "PUT", &path, None).status, 200);
    let (event, update) = host.last_event();
    assert_eq!(event, "playbook_run_updated_incremental");
    assert_eq!(update["changed_fields"]["followers"], json!(["bob"]));
    assert!(update["changed_fields"].get("timeline_events").is_none());

    host.inner.config = json!({"EnableIncrementalUpdates": false}).to_string();
    assert_eq!(call(&host, Some("bob"), "DELETE", &path, None).status, 200);
    let (event, data) = host.last_event();
    assert_eq!(event, "playbook_run_updated");
    let whole = stored(&host);
    assert_eq!(data["playbook_run"], whole.to_json());
    assert_eq!(
        data["playbook_run"]["timeline_events"]
            .as_array()
            .unwrap()
            .len(),
        events
    );
}
