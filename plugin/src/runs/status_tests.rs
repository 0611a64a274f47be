//! Status updates and reminders against the test host: the run is
//! "Outage", started by bob from the test playbook (broadcast to `c1`,
//! default reminder one day, webhooks on status updates off).

use crate::host::prelude::*;
use serde_json::{Map, Value, json};

use super::*;
use crate::api::{ActionRequest, DialogSubmission};
use crate::hooks;
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::setup_run;

fn bob() -> Viewer {
    Viewer {
        user_id: "bob".into(),
        is_system_admin: false,
    }
}

fn body(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn job(host: &TestHost, run_id: &str) -> Option<i64> {
    host.inner
        .jobs
        .borrow()
        .get(&format!("{JOB_PREFIX}{run_id}"))
        .map(|(at, _)| *at)
}

fn posts_of_type(host: &TestHost, kind: &str) -> Vec<Post> {
    host.inner
        .posts
        .borrow()
        .iter()
        .filter(|p| p.post_type == kind)
        .cloned()
        .collect()
}

fn get(host: &TestHost, id: &str) -> PlaybookRun {
    RunStore::new(host).get(id).unwrap().unwrap()
}

#[test]
fn parses_the_upstream_body_and_never() {
    let u = StatusUpdate::from_json(&body(json!({"message": "ok", "reminder": 900}))).unwrap();
    assert_eq!((u.reminder_seconds, u.finish_run), (900, false));
    let never = StatusUpdate::from_json(&body(json!({"message": "ok", "reminder": 0}))).unwrap();
    assert_eq!(never.reminder_seconds, 0);
    let finishing =
        StatusUpdate::from_json(&body(json!({"message": "done", "finish_run": true}))).unwrap();
    assert!(finishing.finish_run);
    for (bad, field) in [
        (json!({"message": "  ", "reminder": 60}), "message"),
        (json!({"reminder": 60}), "message"),
        (json!({"message": 3, "reminder": 60}), "message"),
        (json!({"message": "x"}), "reminder"),
        (json!({"message": "x", "reminder": -1}), "reminder"),
        (json!({"message": "x", "reminder": "soon"}), "reminder"),
        (
            json!({"message": "x", "reminder": 60, "finish_run": "yes"}),
            "finish_run",
        ),
    ] {
        let e = StatusUpdate::from_json(&body(bad.clone())).unwrap_err();
        assert_eq!(e.field, field, "{bad}");
    }
}

#[test]
fn a_new_run_gets_its_first_reminder_from_the_default_interval() {
    let (host, id) = setup_run();
    let run = get(&host, &id);
    let day = run.reminder_timer_default_seconds * 1000;
    assert!(day > 0);
    assert_eq!(run.status_update_due_at, host.now_ms() + day);
    assert_eq!(job(&host, &id), Some(run.status_update_due_at));
}

#[test]
fn an_update_posts_broadcasts_threads_notifies_and_reschedules() {
    let (host, id) = setup_run();
    RunStore::new(&host)
        .update(&id, |r| {
            r.followers = vec!["bob".into(), "carol".into()];
            r.status_update_broadcast_webhooks_enabled = true;
            r.webhook_on_status_update_urls = vec!["https://hooks.example.com/s".into()];
            Ok::<(), RunError>(())
        })
        .unwrap();
    let update = StatusUpdate {
        message: "Database failed over.\nWatching.".into(),
        reminder_seconds: 900,
        finish_run: false,
    };
    let run = post_update(&host, &bob(), &id, &update).unwrap();
    let now = host.now_ms();

    let posted = posts_of_type(&host, POST_TYPE_UPDATE);
    let in_run = posted
        .iter()
        .find(|p| p.user_id == "bob")
        .expect("user's post");
    assert_eq!(in_run.channel_id, run.channel_id);
    assert_eq!(in_run.props["playbook_run_id"], json!(id));
    let copy = posted
        .iter()
        .find(|p| p.channel_id == "c1")
        .expect("broadcast");
    assert_eq!(copy.user_id, "bot");
    assert!(copy.root_id.is_empty());
    assert_eq!(run.broadcast_thread_ids.get("c1"), Some(&copy.id));

    assert_eq!(run.status_posts.len(), 1);
    assert_eq!(run.status_posts[0].id, in_run.id);
    assert_eq!(run.last_status_update_at, now);
    assert_eq!(run.previous_reminder, 900 * 1_000_000_000);
    assert_eq!(run.status_update_due_at, now + 900_000);
    assert_eq!(job(&host, &id), Some(now + 900_000));
    let event = run.timeline_events.last().unwrap();
    assert_eq!(event.event_type, event_type::STATUS_UPDATED);
    assert_eq!(event.post_id, in_run.id);

    // Followers other than the author get a DM.
    let dms: Vec<Post> = host
        .inner
        .posts
        .borrow()
        .iter()
        .filter(|p| p.channel_id.contains("__"))
        .cloned()
        .collect();
    assert!(dms.iter().any(|p| p.channel_id.ends_with("__carol")));
    assert!(!dms.iter().any(|p| p.channel_id.ends_with("__bob")));
    let hooks = host.inner.webhooks.borrow().clone();
    let (_, hook) = hooks
        .iter()
        .find(|(u, _)| u.ends_with("/s"))
        .expect("status webhook");
    let hook: Value = serde_json::from_str(hook).unwrap();
    assert_eq!(hook["event"]["type"], "status_updated");
    assert_eq!(hook["event"]["payload"]["reminder"], 900);
    // The whole run, as upstream sends it: its whole timeline too.
    let whole = RunStore::new(&host).get(&id).unwrap().unwrap();
    assert!(whole.timeline_events.len() > 1);
    assert_eq!(
        hook["timeline_events"].as_array().map(Vec::len),
        Some(whole.timeline_events.len())
    );

    // The second copy in c1 goes to the same thread.
    post_update(&host, &bob(), &id, &update).unwrap();
    let run = RunStore::new(&host).get(&id).unwrap().unwrap();
    let copies: Vec<Post> = posts_of_type(&host, POST_TYPE_UPDATE)
        .into_iter()
        .filter(|p| p.channel_id == "c1")
        .collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[1].root_id, copies[0].id);
    assert_eq!(run.status_posts.len(), 2);

    // Newest first, with messages.
    let listed = status_updates(&host, &run).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], json!(run.status_posts[1].id));
    assert_eq!(listed[0]["author_user_name"], "bob");
}

#[test]
fn never_cancels_the_reminder() {
    let (host, id) = setup_run();
    let update = StatusUpdate {
        message: "quiet now".into(),
        reminder_seconds: 0,
        finish_run: false,
    };
    let run = post_update(&host, &bob(), &id, &update).unwrap();
    assert_eq!(run.status_update_due_at, 0);
    assert_eq!(job(&host, &id), None);
    assert!(!run.is_status_overdue(i64::MAX));
}

#[test]
fn refusals_leave_no_post_behind() {
    let (host, id) = setup_run();
    let update = StatusUpdate {
        message: "hi".into(),
        reminder_seconds: 60,
        finish_run: false,
    };
    let carol = Viewer {
        user_id: "carol".into(),
        is_system_admin: false,
    };
    assert!(matches!(
        post_update(&host, &carol, &id, &update),
        Err(RunError::Forbidden(_))
    ));
    set_enabled(&host, &bob(), &id, false).unwrap();
    assert_eq!(job(&host, &id), None);
    let e = post_update(&host, &bob(), &id, &update).unwrap_err();
    assert!(e.to_string().contains("disabled"), "{e}");
    assert!(posts_of_type(&host, POST_TYPE_UPDATE).is_empty());
    set_enabled(&host, &bob(), &id, true).unwrap();
    let run = RunStore::new(&host).get(&id).unwrap().unwrap();
    assert!(job(&host, &id).is_some());
    let kinds: Vec<&str> = run
        .timeline_events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert!(kinds.ends_with(&["status_updates_disabled", "status_updates_enabled"]));
}

#[test]
fn finishing_with_an_update_finishes_the_run_and_stops_reminders() {
    let (host, id) = setup_run();
    let update = StatusUpdate {
        message: "resolved".into(),
        reminder_seconds: 0,
        finish_run: true,
    };
    let run = post_update(&host, &bob(), &id, &update).unwrap();
    assert!(run.is_finished());
    assert_eq!(job(&host, &id), None);
    // A finished run takes no more updates.
    assert!(post_update(&host, &bob(), &id, &update).is_err());
}

#[test]
fn the_reminder_fires_once_when_due_and_the_update_clears_it() {
    let (mut host, id) = setup_run();
    let run = post_update(
        &host,
        &bob(),
        &id,
        &StatusUpdate {
            message: "first".into(),
            reminder_seconds: 60,
            finish_run: false,
        },
    )
    .unwrap();
    RunStore::new(&host)
        .update(&id, |r| {
            r.followers = vec!["carol".into()];
            Ok::<(), RunError>(())
        })
        .unwrap();
    // Early: nothing posted, re-scheduled for the due time.
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    assert!(posts_of_type(&host, POST_TYPE_REMINDER).is_empty());
    assert_eq!(job(&host, &id), Some(run.status_update_due_at));

    host.inner.now += 60_000;
    host.inner.jobs.borrow_mut().clear(); // the host claims the job before firing it
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    let reminders = posts_of_type(&host, POST_TYPE_REMINDER);
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0]
            .message
            .starts_with("@bob, please provide a status update")
    );
    assert_eq!(reminders[0].user_id, "bot");
    let actions = &reminders[0].props["attachments"][0]["actions"];
    assert_eq!(
        actions[0]["integration"]["context"]["action"],
        "playbooks_update_status"
    );
    assert_eq!(actions[1]["type"], "select");
    let run = get(&host, &id);
    assert_eq!(run.reminder_post_id, reminders[0].id);
    assert!(run.is_status_overdue(host.now_ms()));
    assert!(
        host.inner
            .posts
            .borrow()
            .iter()
            .any(|p| p.channel_id.ends_with("__carol") && p.message.contains("overdue"))
    );

    // The next update removes the reminder post.
    post_update(
        &host,
        &bob(),
        &id,
        &StatusUpdate {
            message: "second".into(),
            reminder_seconds: 60,
            finish_run: false,
        },
    )
    .unwrap();
    assert!(posts_of_type(&host, POST_TYPE_REMINDER).is_empty());
    assert_eq!(get(&host, &id).reminder_post_id, "");
}

#[test]
fn a_stale_reminder_for_a_finished_run_does_nothing() {
    let (mut host, id) = setup_run();
    crate::runs::lifecycle::finish(&host, &bob(), &id).unwrap();
    assert_eq!(job(&host, &id), None);
    host.inner.now += 365 * 24 * 3_600_000;
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    assert!(posts_of_type(&host, POST_TYPE_REMINDER).is_empty());
    // An unknown run too.
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}nope"), "");
    assert!(posts_of_type(&host, POST_TYPE_REMINDER).is_empty());
}

#[test]
fn snooze_and_request_update() {
    let (host, id) = setup_run();
    let run = snooze(&host, &bob(), &id, 3600).unwrap();
    assert_eq!(run.status_update_due_at, host.now_ms() + 3_600_000);
    assert_eq!(job(&host, &id), Some(run.status_update_due_at));
    let last = run.timeline_events.last().unwrap();
    assert_eq!(last.event_type, event_type::STATUS_UPDATE_SNOOZED);
    assert!(last.summary.contains("1 hour"), "{}", last.summary);
    assert!(snooze(&host, &bob(), &id, 0).is_err());

    let run = request_update(&host, &bob(), &id).unwrap();
    assert_eq!(
        run.timeline_events.last().unwrap().event_type,
        event_type::STATUS_UPDATE_REQUESTED
    );
    let requests = posts_of_type(&host, POST_TYPE_REQUEST);
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .message
            .contains("@bob requested a status update")
    );
}

#[test]
fn reminder_buttons_open_the_dialog_and_snooze() {
    let (mut host, id) = setup_run();
    host.inner.now = get(&host, &id).status_update_due_at;
    hooks::scheduled_job(&host, &format!("{JOB_PREFIX}{id}"), "");
    let reminder = posts_of_type(&host, POST_TYPE_REMINDER).remove(0);
    let click = |user: &str, action: &str, selected: &str| ActionRequest {
        user_id: user.into(),
        channel_id: reminder.channel_id.clone(),
        post_id: reminder.id.clone(),
        trigger_id: "trigger".into(),
        action_type: "button".into(),
        context: json!({"action": action, "run_id": id}),
        selected_option: selected.into(),
        ..Default::default()
    };
    let r = hooks::post_action(&host, &click("bob", status_ui::ACTION_UPDATE, "")).unwrap();
    assert_eq!(r.ephemeral_text, "");
    let (trigger, dialog) = host.inner.dialogs.borrow().last().cloned().unwrap();
    assert_eq!(trigger, "trigger");
    assert_eq!(dialog["callback_id"], status_ui::DIALOG_CALLBACK);
    assert_eq!(dialog["state"], json!(id));
    let reminder_choices: Vec<&str> = dialog["elements"][1]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert!(reminder_choices.contains(&"0"), "never is offered");

    // carol is not a participant (nor a member of the private playbook):
    // told so, no dialog.
    let before = host.inner.dialogs.borrow().len();
    let r = hooks::post_action(&host, &click("carol", status_ui::ACTION_UPDATE, "")).unwrap();
    assert!(
        r.ephemeral_text.contains("permission"),
        "{}",
        r.ephemeral_text
    );
    assert_eq!(host.inner.dialogs.borrow().len(), before);

    let r = hooks::post_action(&host, &click("bob", status_ui::ACTION_SNOOZE, "14400")).unwrap();
    assert!(r.ephemeral_text.contains("4 hours"), "{}", r.ephemeral_text);
    assert_eq!(job(&host, &id), Some(host.now_ms() + 14_400_000));
    assert!(posts_of_type(&host, POST_TYPE_REMINDER).is_empty());
    let r = hooks::post_action(&host, &click("bob", status_ui::ACTION_SNOOZE, "later")).unwrap();
    assert!(r.ephemeral_text.contains("not a snooze interval"));
}

#[test]
fn the_dialog_submission_posts_the_update_or_names_the_field() {
    let (host, id) = setup_run();
    let submit = |values: Value| DialogSubmission {
        callback_id: status_ui::DIALOG_CALLBACK.into(),
        state: id.clone(),
        user_id: "bob".into(),
        channel_id: "c1".into(),
        team_id: "t1".into(),
        submission: values,
        cancelled: false,
    };
    let r =
        hooks::dialog_submit(&host, &submit(json!({"message": "", "reminder": "900"}))).unwrap();
    assert_eq!(
        r.errors,
        vec![("message".into(), "must not be empty".into())]
    );
    let r = hooks::dialog_submit(
        &host,
        &submit(json!({"message": "ok", "reminder": "0", "finish_run": false})),
    )
    .unwrap();
    assert_eq!((r.errors.len(), r.error.as_str()), (0, ""));
    let run = get(&host, &id);
    assert_eq!(run.status_posts.len(), 1);
    assert_eq!(run.status_update_due_at, 0);
    // Finishing from the dialog.
    let r = hooks::dialog_submit(
        &host,
        &submit(json!({"message": "done", "reminder": "0", "finish_run": "true"})),
    )
    .unwrap();
    assert_eq!(r.error, "");
    assert!(get(&host, &id).is_finished());
}

#[test]
fn intervals_read_well() {
    assert_eq!(status_ui::describe_interval(3600), "1 hour");
    assert_eq!(status_ui::describe_interval(7200), "2 hours");
    assert_eq!(status_ui::describe_interval(5400), "90 minutes");
    assert_eq!(status_ui::describe_interval(172_800), "2 days");
    assert_eq!(status_ui::describe_interval(61), "61 seconds");
}

#[test]
fn a_redelivered_reminder_posts_once() {
    // Jobs are delivered at least once: the same job twice → one post.
    let (mut host, id) = setup_run();
    let update = StatusUpdate {
        message: "first".into(),
        reminder_seconds: 60,
        finish_run: false,
    };
    post_update(&host, &bob(), &id, &update).unwrap();
    host.inner.now += 60_000;
    let key = format!("{JOB_PREFIX}{id}");
    hooks::scheduled_job(&host, &key, "");
    let first = get(&host, &id).reminder_post_id;
    hooks::scheduled_job(&host, &key, "");
    let reminders = posts_of_type(&host, POST_TYPE_REMINDER);
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].id, first);
    assert_eq!(get(&host, &id).reminder_post_id, first);

    // The next due time is a new reminder.
    post_update(&host, &bob(), &id, &update).unwrap();
    host.inner.now += 60_000;
    hooks::scheduled_job(&host, &key, "");
    hooks::scheduled_job(&host, &key, "");
    assert_eq!(posts_of_type(&host, POST_TYPE_REMINDER).len(), 1);
    assert_ne!(get(&host, &id).reminder_post_id, first);
}
