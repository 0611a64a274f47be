//! Status update routes through `http::serve` (the rules themselves are
//! tested in `runs::status`): success, denial, bad input, unknown runs.

use serde_json::json;

use crate::rest::test_client::{call, ok, setup_run};

#[test]
fn post_list_snooze_request_and_toggle() {
    let (host, id) = setup_run();
    let run = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/status"),
        Some(json!({"message": "Mitigated", "reminder": 1800})),
    );
    assert_eq!(run["status_posts"].as_array().unwrap().len(), 1);
    assert_eq!(run["previous_reminder"], json!(1800_i64 * 1_000_000_000));
    let updates = ok(
        &host,
        "bob",
        "GET",
        &format!("/runs/{id}/status-updates"),
        None,
    );
    assert_eq!(updates[0]["message"], "Mitigated");
    assert_eq!(updates[0]["author_user_name"], "bob");
    // System admins see them too.
    ok(
        &host,
        "admin",
        "GET",
        &format!("/runs/{id}/status-updates"),
        None,
    );

    let run = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/reminder"),
        Some(json!({"new_reminder_seconds": 600})),
    );
    assert!(run["status_update_due_at"].as_i64().unwrap() > 0);
    let run = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/request-update"),
        None,
    );
    let last = run["timeline_events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event_type"], "status_update_requested");
    let run = ok(
        &host,
        "bob",
        "PUT",
        &format!("/runs/{id}/status-update-enabled"),
        Some(json!({"enabled": false})),
    );
    assert_eq!(run["status_update_enabled"], false);
    assert_eq!(run["status_update_due_at"], 0);
}

#[test]
fn denials_bad_input_and_unknown_runs() {
    let (host, id) = setup_run();
    let status = format!("/runs/{id}/status");
    let good = json!({"message": "x", "reminder": 60});
    for user in ["carol", "dave"] {
        let r = call(&host, Some(user), "POST", &status, Some(good.clone()));
        assert_eq!(r.status, 403, "{user}: {}", r.body);
        let r = call(
            &host,
            Some(user),
            "GET",
            &format!("/runs/{id}/status-updates"),
            None,
        );
        assert_eq!(r.status, 403, "{user}");
        let r = call(
            &host,
            Some(user),
            "POST",
            &format!("/runs/{id}/request-update"),
            None,
        );
        assert_eq!(r.status, 403, "{user}");
    }
    assert_eq!(
        call(&host, None, "POST", &status, Some(good.clone())).status,
        401
    );
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/runs/nope/status",
        Some(good.clone()),
    );
    assert_eq!(r.status, 404);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{}/status", "a".repeat(26)),
        Some(good),
    );
    assert_eq!(r.status, 404);

    for (body, field) in [
        (json!({"message": "", "reminder": 60}), "message"),
        (json!({"message": "x"}), "reminder"),
        (
            json!({"message": "x", "reminder": 400 * 24 * 3600}),
            "reminder",
        ),
    ] {
        let r = call(&host, Some("bob"), "POST", &status, Some(body));
        assert_eq!(r.status, 400);
        assert!(r.message().starts_with(field), "{}", r.message());
    }
    let r = call(&host, Some("bob"), "POST", &status, None);
    assert_eq!(r.status, 400);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{id}/reminder"),
        Some(json!({"new_reminder_seconds": "soon"})),
    );
    assert!(
        r.message().starts_with("new_reminder_seconds"),
        "{}",
        r.message()
    );
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &format!("/runs/{id}/status-update-enabled"),
        Some(json!({"enabled": "yes"})),
    );
    assert!(r.message().starts_with("enabled"), "{}", r.message());

    // Nothing was posted by the refused requests.
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert!(run["status_posts"].as_array().unwrap().is_empty());
}
