//! Retrospectives against the test host: the test playbook gets the
//! retrospective enabled, a 1-hour reminder interval and two metrics.

use crate::host::prelude::*;
use serde_json::json;

use super::*;
use crate::hooks;
use crate::playbooks::model::MetricConfig;
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, ok, start};
use crate::runs::create::tests::{PB, playbook, put_playbook};

fn setup() -> (TestHost, String) {
    let host = TestHost::new();
    let mut pb = playbook();
    pb.invite_users_enabled = false;
    pb.retrospective_enabled = true;
    pb.retrospective_template = "What happened?".into();
    pb.retrospective_reminder_interval_seconds = 3600;
    pb.metrics = vec![
        MetricConfig {
            id: "m-ttr".into(),
            title: "Time to resolve".into(),
            kind: "metric_duration".into(),
            target: Some(3_600_000),
            ..Default::default()
        },
        MetricConfig {
            id: "m-cost".into(),
            title: "Cost".into(),
            kind: "metric_currency".into(),
            ..Default::default()
        },
    ];
    put_playbook(&host, &pb);
    let run = start(
        &host,
        "bob",
        json!({"playbook_id": PB, "team_id": "t1", "name": "Outage"}),
    );
    (host, run["id"].as_str().unwrap().to_owned())
}

fn posts(host: &TestHost, kind: &str) -> Vec<Post> {
    host.inner
        .posts
        .borrow()
        .iter()
        .filter(|p| p.post_type == kind)
        .cloned()
        .collect()
}

fn job(host: &TestHost, id: &str) -> Option<i64> {
    host.inner
        .jobs
        .borrow()
        .get(&format!("{JOB_PREFIX}{id}"))
        .map(|j| j.0)
}

#[test]
fn finishing_reminds_until_published_and_restore_stops_it() {
    let (mut host, id) = setup();
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["retrospective"], "What happened?");
    ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
    let reminders = posts(&host, POST_TYPE_REMINDER);
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0]
            .message
            .starts_with("@channel Reminder to fill out the retrospective")
    );
    assert_eq!(job(&host, &id), Some(host.now_ms() + 3_600_000));

    host.inner.now += 3_600_000;
    host.inner.jobs.borrow_mut().clear();
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    assert_eq!(posts(&host, POST_TYPE_REMINDER).len(), 2);
    assert!(job(&host, &id).is_some(), "repeats");

    // Restored: the job is gone, and a stale firing does nothing.
    ok(&host, "bob", "PUT", &format!("/runs/{id}/restore"), None);
    assert_eq!(job(&host, &id), None);
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    assert_eq!(posts(&host, POST_TYPE_REMINDER).len(), 2);
}

#[test]
fn draft_publish_and_report() {
    let (host, id) = setup();
    ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
    let run = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/retrospective"),
        Some(
            json!({"retrospective": "The cert expired.", "metrics": [{"metric_config_id": "m-ttr", "value": 5_400_000}]}),
        ),
    );
    assert_eq!(run["retrospective"], "The cert expired.");
    assert_eq!(
        run["metrics_data"],
        json!([{"metric_config_id": "m-ttr", "value": 5_400_000}])
    );
    assert_eq!(run["retrospective_published_at"], 0);

    let run = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/retrospective/publish"),
        Some(json!({"metrics": [{"metric_config_id": "m-cost", "value": 1200}]})),
    );
    assert!(run["retrospective_published_at"].as_i64().unwrap() > 0);
    assert_eq!(
        run["timeline_events"].as_array().unwrap().last().unwrap()["event_type"],
        "published_retrospective"
    );
    assert_eq!(job(&host, &id), None);
    let report = posts(&host, POST_TYPE_REPORT);
    assert_eq!(report.len(), 1);
    let text = &report[0].message;
    assert!(
        text.starts_with("@bob published the retrospective for [Outage]"),
        "{text}"
    );
    assert!(
        text.contains("- **Time to resolve**: 1h 30m (target 1h 0m)"),
        "{text}"
    );
    assert!(text.contains("- **Cost**: 1200"), "{text}");
    assert!(text.ends_with("The cert expired."), "{text}");
}

#[test]
fn bad_input_denials_and_disabled() {
    let (host, id) = setup();
    let path = format!("/runs/{id}/retrospective");
    for (body, field) in [
        (
            json!({"metrics": [{"metric_config_id": "nope", "value": 1}]}),
            "metrics[0].metric_config_id",
        ),
        (
            json!({"metrics": [{"metric_config_id": "m-ttr", "value": -1}]}),
            "metrics[0].value",
        ),
        (
            json!({"metrics": [{"value": 1}]}),
            "metrics[0].metric_config_id",
        ),
        (json!({"retrospective": 5}), "retrospective"),
        (json!({"metrics": {}}), "metrics"),
    ] {
        let r = call(&host, Some("bob"), "POST", &path, Some(body));
        assert_eq!(r.status, 400);
        assert!(r.message().starts_with(field), "{}", r.message());
    }
    assert_eq!(
        call(&host, Some("carol"), "POST", &path, Some(json!({}))).status,
        403
    );
    assert_eq!(
        call(&host, None, "POST", &path, Some(json!({}))).status,
        401
    );
    assert_eq!(
        call(
            &host,
            Some("bob"),
            "POST",
            "/runs/nope/retrospective",
            Some(json!({}))
        )
        .status,
        404
    );
    // Publishing an empty text is refused.
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("{path}/publish"),
        Some(json!({"retrospective": " "})),
    );
    assert_eq!(
        (r.status, r.message().starts_with("retrospective")),
        (400, true)
    );

    let run = ok(
        &host,
        "bob",
        "PUT",
        &format!("/runs/{id}/retrospective-enabled"),
        Some(json!({"enabled": false})),
    );
    assert_eq!(run["retrospective_enabled"], false);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &path,
        Some(json!({"retrospective": "x"})),
    );
    assert!(r.message().contains("disabled"), "{}", r.message());
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &format!("/runs/{id}/retrospective-enabled"),
        Some(json!({"enabled": 1})),
    );
    assert!(r.message().starts_with("enabled"));
}

#[test]
fn no_retrospective_from_the_route_and_the_button() {
    let (host, id) = setup();
    ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
    let reminder = posts(&host, POST_TYPE_REMINDER).remove(0);
    let click = |user: &str| {
        hooks::post_action(
            &host,
            &crate::api::ActionRequest {
                user_id: user.into(),
                post_id: reminder.id.clone(),
                context: json!({"action": ACTION_NO_RETRO, "run_id": id}),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let denied = click("carol");
    assert!(denied.update.is_none());
    assert!(
        denied.ephemeral_text.contains("permission"),
        "{}",
        denied.ephemeral_text
    );
    let done = click("bob");
    let updated = done.update.expect("the reminder is updated");
    assert_eq!(updated.message, "Retrospective canceled by @bob.");
    assert!(!updated.props.contains_key("attachments"));
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["retrospective"], CANCELED_TEXT);
    assert_eq!(run["retrospective_was_canceled"], true);
    assert_eq!(job(&host, &id), None);
    // The route is idempotent.
    let again = ok(
        &host,
        "bob",
        "POST",
        &format!("/runs/{id}/no-retrospective-button"),
        None,
    );
    assert_eq!(
        again["timeline_events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event_type"] == "canceled_retrospective")
            .count(),
        1
    );
}

#[test]
fn a_redelivered_retrospective_reminder_posts_once() {
    let (mut host, id) = setup();
    ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
    assert_eq!(posts(&host, POST_TYPE_REMINDER).len(), 1);
    let key = format!("{JOB_PREFIX}{id}");
    let payload = host.inner.jobs.borrow()[&key].1.clone();
    assert_eq!(payload, (host.now_ms() + 3_600_000).to_string());
    host.inner.now += 3_600_000;
    // Delivered twice (at least once): one more reminder.
    hooks::scheduled_job(&host, &key, &payload);
    hooks::scheduled_job(&host, &key, &payload);
    assert_eq!(posts(&host, POST_TYPE_REMINDER).len(), 2);
    // The job it scheduled next is a new occurrence.
    let next = host.inner.jobs.borrow()[&key].1.clone();
    assert_ne!(next, payload);
    host.inner.now += 3_600_000;
    hooks::scheduled_job(&host, &key, &next);
    assert_eq!(posts(&host, POST_TYPE_REMINDER).len(), 3);
}
