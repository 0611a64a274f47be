//! Channel actions end to end against the test host: REST configuration,
//! the keyword prompt (posts → prompt → buttons), the welcome message, and
//! task actions in run channels. Channel `c1` (team `t1`) has bob and
//! admin; carol is in the team only; the private playbook `PB` has bob.

use crate::host::prelude::*;
use serde_json::{Value, json};

use super::prompt::{ACTION_IGNORE, ACTION_RUN};
use crate::api::{ActionRequest, DialogSubmission};
use crate::hooks;
use crate::host::Post;
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, ok, setup_run};
use crate::runs::RunStore;
use crate::runs::create::tests::PB;

fn prompt_action(host: &TestHost, keywords: &[&str], extra: Value) -> String {
    let mut payload = json!({"keywords": keywords, "playbook_id": PB});
    if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    let r = call(
        host,
        Some("bob"),
        "POST",
        "/actions/channels/c1",
        Some(
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords",
                    "enabled": true, "payload": payload}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn post(host: &TestHost, user: &str, root: &str, message: &str) -> Post {
    let p = host
        .inner
        .create_post(Post {
            channel_id: "c1".into(),
            user_id: user.into(),
            root_id: root.into(),
            message: message.into(),
            ..Default::default()
        })
        .unwrap();
    hooks::message_has_been_posted(host, &p);
    p
}

fn prompts(host: &TestHost) -> Vec<Post> {
    host.inner
        .posts
        .borrow()
        .iter()
        .filter(|p| p.post_type == "custom_keyword_prompt")
        .cloned()
        .collect()
}

fn click(host: &TestHost, user: &str, prompt: &Post, which: &str, selected: &str) -> String {
    let action = prompt.props["attachments"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"]["context"]["action"] == which)
        .unwrap()
        .clone();
    hooks::post_action(
        host,
        &ActionRequest {
            user_id: user.into(),
            channel_id: prompt.channel_id.clone(),
            team_id: "t1".into(),
            post_id: prompt.id.clone(),
            trigger_id: "trig".into(),
            action_type: "button".into(),
            context: action["integration"]["context"].clone(),
            selected_option: selected.into(),
        },
    )
    .unwrap()
    .ephemeral_text
}

#[test]
fn routes_validate_and_check_membership() {
    let (host, _) = setup_run();
    let id = prompt_action(&host, &[" Outage ", "sev 1"], json!({}));
    let listed = ok(&host, "bob", "GET", "/actions/channels/c1", None);
    assert_eq!(listed[0]["payload"]["keywords"], json!(["Outage", "sev 1"]));
    assert_eq!(listed[0]["payload"]["match_mode"], "word");
    let none = ok(
        &host,
        "admin",
        "GET",
        "/actions/channels/c1?trigger_type=new_member_joins",
        None,
    );
    assert_eq!(none, json!([]));

    for user in ["carol", "dave"] {
        assert_eq!(
            call(&host, Some(user), "GET", "/actions/channels/c1", None).status,
            403
        );
    }
    assert_eq!(
        call(&host, Some("bob"), "GET", "/actions/channels/nope", None).status,
        404
    );
    for (body, field) in [
        (
            json!({"action_type": "explode", "trigger_type": "keywords", "payload": {}}),
            "action_type",
        ),
        (
            json!({"action_type": "prompt_run_playbook", "trigger_type": "new_member_joins", "payload": {}}),
            "trigger_type",
        ),
        (
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": true,
                "payload": {"keywords": [], "playbook_id": PB}}),
            "payload.keywords",
        ),
        (
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": true,
                "payload": {"keywords": ["x"], "playbook_id": "zzzzzzzzzzzzzzzzzzzzzzzzzz"}}),
            "payload.playbook_id",
        ),
        (
            json!({"action_type": "categorize_channel", "trigger_type": "new_member_joins", "enabled": true,
                "payload": {"category_name": "a name that is far too long"}}),
            "payload.category_name",
        ),
    ] {
        let r = call(
            &host,
            Some("bob"),
            "POST",
            "/actions/channels/c1",
            Some(body),
        );
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.message().starts_with(field), "{}", r.message());
    }
    let r = call(
        &host,
        Some("bob"),
        "PUT",
        &format!("/actions/channels/c1/{id}"),
        Some(
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": false,
                    "payload": {"keywords": ["x"], "playbook_id": PB}}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], false);
    let missing = format!("/actions/channels/c1/{}", "q".repeat(26));
    assert_eq!(
        call(&host, Some("bob"), "PUT", &missing, Some(json!({}))).status,
        404
    );
}

#[test]
fn keyword_prompt_once_per_thread_then_run_or_ignore() {
    let (mut host, _) = setup_run();
    let action = prompt_action(&host, &["outage", "sev 1"], json!({}));
    let first = post(&host, "bob", "", "We have an OUTAGE, looks like Sev 1!");
    let found = prompts(&host);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].root_id, first.id);
    assert!(
        found[0].message.contains("**outage**, **sev 1**"),
        "{}",
        found[0].message
    );

    // A flood in the same thread: still one prompt. No match: none.
    for _ in 0..5 {
        post(&host, "bob", &first.id, "outage outage");
    }
    post(&host, "bob", "", "several outages, no keyword as a word");
    post(
        &host,
        "bob",
        "",
        "sev1 is not sev 1 without the space... wait it is: nope",
    );
    assert_eq!(prompts(&host).len(), 2, "the last post does say `sev 1`");
    let mut automated = Post {
        channel_id: "c1".into(),
        user_id: "bob".into(),
        message: "outage".into(),
        ..Default::default()
    };
    automated.props.insert("from_plugin".into(), json!("true"));
    hooks::message_has_been_posted(&host, &automated);
    assert_eq!(prompts(&host).len(), 2);

    // Not a channel member: refused. Not our prompt: refused.
    let prompt = prompts(&host)[0].clone();
    assert!(click(&host, "carol", &prompt, ACTION_RUN, "").contains("cannot read"));
    let mut forged = first.clone();
    forged.props = prompt.props.clone();
    assert!(click(&host, "bob", &forged, ACTION_RUN, "").contains("not a playbooks prompt"));

    // Yes: the run dialog, offering the matched playbook, linked to the post.
    assert_eq!(click(&host, "bob", &prompt, ACTION_RUN, ""), "");
    let (_, dialog) = host.inner.dialogs.borrow().last().cloned().unwrap();
    assert_eq!(
        dialog["elements"][0]["options"],
        json!([{"text": "Incident", "value": PB}])
    );
    let state: Value = serde_json::from_str(dialog["state"].as_str().unwrap()).unwrap();
    assert_eq!(state["post_id"], json!(first.id));
    let r = hooks::dialog_submit(
        &host,
        &DialogSubmission {
            callback_id: dialog["callback_id"].as_str().unwrap().into(),
            state: dialog["state"].as_str().unwrap().into(),
            user_id: "bob".into(),
            channel_id: "c1".into(),
            team_id: "t1".into(),
            submission: json!({"playbook_id": PB, "name": "From keywords"}),
            cancelled: false,
        },
    )
    .unwrap();
    assert_eq!(r.error, "");
    let quoted = host.inner.posts.borrow().iter().any(|p| {
        p.message
            .starts_with("This run was started from a post:\n> We have an OUTAGE")
    });
    assert!(quoted);

    // Ignore: the prompt goes away; bob is not prompted in that thread
    // again (even after the hourly limit), admin still is.
    assert!(click(&host, "bob", &prompt, ACTION_IGNORE, "").contains("no more playbook prompts"));
    assert!(!prompts(&host).iter().any(|p| p.id == prompt.id));
    host.inner.now += 2 * 3_600_000;
    let before = prompts(&host).len();
    post(&host, "bob", &first.id, "outage again");
    assert_eq!(prompts(&host).len(), before);
    post(&host, "admin", &first.id, "outage again");
    assert_eq!(prompts(&host).len(), before + 1);

    // Disabling the action stops prompts at once (the cache follows).
    host.inner.now += 2 * 3_600_000;
    ok(
        &host,
        "bob",
        "PUT",
        &format!("/actions/channels/c1/{action}"),
        Some(
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": false,
                    "payload": {"keywords": ["outage"], "playbook_id": PB}}),
        ),
    );
    let before = prompts(&host).len();
    post(&host, "bob", "", "outage");
    assert_eq!(prompts(&host).len(), before);
}

#[test]
fn substring_mode_and_welcome_message() {
    let (host, _) = setup_run();
    prompt_action(&host, &["INC"], json!({"match_mode": "substring"}));
    post(&host, "bob", "", "see INC123");
    assert_eq!(prompts(&host).len(), 1);
    post(&host, "bob", "", "see inc123");
    assert_eq!(prompts(&host).len(), 1);

    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/actions/channels/c1",
        Some(
            json!({"action_type": "send_welcome_message", "trigger_type": "new_member_joins",
                    "enabled": true, "payload": {"message": "Welcome! Read the runbook."}}),
        ),
    );
    assert_eq!(r.status, 201);
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/actions/channels/c1",
        Some(
            json!({"action_type": "categorize_channel", "trigger_type": "new_member_joins",
                    "enabled": true, "payload": {"category_name": "Incidents"}}),
        ),
    );
    assert_eq!(r.status, 201);
    host.inner
        .members
        .borrow_mut()
        .push(("c1".into(), "carol".into()));
    hooks::user_has_joined_channel(&host, "c1", "carol", None);
    let (to, welcome) = host.inner.ephemerals.borrow().last().cloned().unwrap();
    assert_eq!(
        (to.as_str(), welcome.message.as_str()),
        ("carol", "Welcome! Read the runbook.")
    );
    assert_eq!(
        host.inner.categorized.borrow().clone(),
        vec![("carol".into(), "t1".into(), "Incidents".into(), "c1".into())]
    );
}

#[test]
fn task_actions_mark_items_done_from_posts() {
    let (host, id) = setup_run();
    let channel = RunStore::new(&host).get(&id).unwrap().unwrap().channel_id;
    RunStore::new(&host)
        .update(&id, |run| {
            run.checklists[0].items[1].task_actions = vec![crate::playbooks::model::TaskAction {
                trigger: crate::playbooks::model::Trigger {
                    kind: "keywords_by_users".into(),
                    payload: json!({"keywords": ["paged"], "user_ids": ["bob"]}).to_string(),
                },
                actions: vec![crate::playbooks::model::Action {
                    kind: "mark_item_as_done".into(),
                    payload: json!({"enabled": true}).to_string(),
                }],
            }];
            Ok::<(), crate::runs::RunError>(())
        })
        .unwrap();
    let say = |user: &str, message: &str| {
        let p = host
            .inner
            .create_post(Post {
                channel_id: channel.clone(),
                user_id: user.into(),
                message: message.into(),
                ..Default::default()
            })
            .unwrap();
        hooks::message_has_been_posted(&host, &p);
    };
    say("carol", "I paged them"); // not one of the listed users
    say("bob", "unpaged? no");
    let state = |host: &TestHost| {
        RunStore::new(host).get(&id).unwrap().unwrap().checklists[0].items[1]
            .state
            .clone()
    };
    assert_eq!(state(&host), "");
    say("bob", "Vendor PAGED.");
    assert_eq!(state(&host), "closed");
    let run = RunStore::new(&host).get(&id).unwrap().unwrap();
    assert_eq!(
        run.timeline_events.last().unwrap().event_type,
        "task_state_modified"
    );
}

#[test]
fn actions_and_ignores_of_an_earlier_release_keep_working_after_the_import() {
    let (host, _) = setup_run();
    // As the KV release stored them.
    let action = json!({"id": "a".repeat(26), "channel_id": "c1", "enabled": true, "delete_at": 0,
        "action_type": "prompt_run_playbook", "trigger_type": "keywords",
        "payload": {"keywords": ["outage"], "playbook_id": PB, "match_mode": "word"}});
    let kv = |key: String, value: &[u8]| host.inner.kv_set(&key, value).unwrap();
    kv(
        crate::legacy::action_key("c1", &"a".repeat(26)),
        action.to_string().as_bytes(),
    );
    kv(crate::legacy::action_version_key("c1"), b"3");
    kv(crate::legacy::ignore_key("thread-1", "bob"), b"1");
    crate::import::run(&host).unwrap();

    let listed = ok(&host, "bob", "GET", "/actions/channels/c1", None);
    assert_eq!(listed, json!([action]));
    post(&host, "bob", "thread-1", "outage again");
    assert!(prompts(&host).is_empty(), "bob ignored thread-1");
    post(&host, "admin", "thread-1", "outage again");
    assert_eq!(prompts(&host).len(), 1);

    // "No, ignore thread" lands in the table.
    let prompt = prompts(&host)[0].clone();
    assert!(super::store::is_ignored(&host, "thread-1", "bob").unwrap());
    assert!(!super::store::is_ignored(&host, "thread-1", "admin").unwrap());
    click(&host, "admin", &prompt, ACTION_IGNORE, "");
    assert!(super::store::is_ignored(&host, "thread-1", "admin").unwrap());
}
