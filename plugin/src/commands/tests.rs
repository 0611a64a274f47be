//! `/playbook` through [`execute`], as the glue calls it, against the test
//! host: bob's run "Outage" (checklist 0 "Triage": "Assess" done, "Page"
//! open) in its own channel; carol is in the team but not in the run.

use crate::host::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::api::DialogSubmission;
use crate::hooks;
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{ok, setup_run, start};
use crate::runs::RunStore;

fn channel_of(host: &TestHost, run_id: &str) -> String {
    RunStore::new(host).get(run_id).unwrap().unwrap().channel_id
}

fn cmd(host: &TestHost, user: &str, channel: &str, line: &str) -> String {
    let r = execute(
        host,
        &CommandArgs {
            user_id: user.into(),
            channel_id: channel.into(),
            team_id: "t1".into(),
            command: line.into(),
            trigger_id: "trig".into(),
            ..Default::default()
        },
    );
    assert_eq!(r.response_type, "ephemeral", "{line}");
    r.text
}

fn last_dialog(host: &TestHost) -> Value {
    host.inner
        .dialogs
        .borrow()
        .last()
        .expect("a dialog")
        .1
        .clone()
}

fn submit(
    host: &TestHost,
    dialog: &Value,
    user: &str,
    values: Value,
) -> crate::api::DialogResponse {
    hooks::dialog_submit(
        host,
        &DialogSubmission {
            callback_id: dialog["callback_id"].as_str().unwrap().into(),
            state: dialog["state"].as_str().unwrap_or_default().into(),
            user_id: user.into(),
            channel_id: "c1".into(),
            team_id: "t1".into(),
            submission: values,
            cancelled: false,
        },
    )
    .unwrap()
}

#[test]
fn parses_quotes_and_reports_unbalanced_ones() {
    assert_eq!(
        parse("/playbook RUN Incident \"DB is down\"").unwrap(),
        ("run".into(), vec!["Incident".into(), "DB is down".into()])
    );
    assert_eq!(parse("/playbook").unwrap(), (String::new(), vec![]));
    assert!(
        parse("/playbook run \"oops")
            .unwrap_err()
            .contains("unmatched quote")
    );
}

#[test]
fn help_unknown_and_outside_a_run_channel() {
    let (host, _) = setup_run();
    assert!(cmd(&host, "bob", "c1", "/playbook").contains("/playbook checkadd"));
    let unknown = cmd(&host, "bob", "c1", "/playbook frobnicate");
    assert!(unknown.starts_with("Unknown command `/playbook frobnicate`"));
    assert!(unknown.contains("/playbook help"));
    for sub in [
        "check 0 0",
        "info",
        "finish",
        "update",
        "owner",
        "timeline",
        "checkadd 0 x",
    ] {
        assert_eq!(
            cmd(&host, "bob", "c1", &format!("/playbook {sub}")),
            target::NOT_A_RUN_CHANNEL,
            "{sub}"
        );
    }
}

#[test]
fn check_checkadd_checkremove() {
    let (host, id) = setup_run();
    let ch = channel_of(&host, &id);
    let reply = cmd(&host, "bob", &ch, "/playbook check 0 1");
    assert_eq!(reply, "Checked off checklist item \"Page\"");
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["checklists"][0]["items"][1]["state"], "closed");
    assert!(cmd(&host, "bob", &ch, "/playbook check 0 1").contains("Unchecked"));

    assert_eq!(
        cmd(&host, "bob", &ch, "/playbook check 0"),
        "Command expects two arguments: the checklist number and the item number."
    );
    assert!(cmd(&host, "bob", &ch, "/playbook check zero 1").contains("Must be a number"));
    assert!(cmd(&host, "bob", &ch, "/playbook check 0 9").starts_with("item"));
    assert!(cmd(&host, "bob", &ch, "/playbook check 4 0").starts_with("checklist"));

    let reply = cmd(
        &host,
        "bob",
        &ch,
        "/playbook checkadd 0 Call \"the vendor\"",
    );
    assert!(reply.contains("Call the vendor"), "{reply}");
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["checklists"][0]["items"][2]["title"], "Call the vendor");
    assert!(cmd(&host, "bob", &ch, "/playbook checkadd 3 x").contains("no checklist 3"));
    // No text: a dialog, whose submission adds the task.
    assert_eq!(cmd(&host, "bob", &ch, "/playbook checkadd 0"), "");
    let dialog = last_dialog(&host);
    assert_eq!(dialog["callback_id"], dialogs::ADD_ITEM_DIALOG);
    let r = submit(&host, &dialog, "bob", json!({"title": " "}));
    assert_eq!(r.errors[0].0, "title");
    let r = submit(
        &host,
        &dialog,
        "bob",
        json!({"title": "Write notes", "description": "d"}),
    );
    assert_eq!(r.error, "");
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["checklists"][0]["items"][3]["title"], "Write notes");

    assert!(cmd(&host, "bob", &ch, "/playbook checkremove 0 2").contains("Deleted"));
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["checklists"][0]["items"].as_array().unwrap().len(), 3);

    // carol may not edit this run.
    let denied = cmd(&host, "carol", &ch, "/playbook check 0 1");
    assert!(denied.contains("permission"), "{denied}");
}

#[test]
fn a_leading_run_number_picks_among_several_runs() {
    let (mut host, id) = setup_run();
    let ch = channel_of(&host, &id);
    host.inner.now += 1000;
    let second = start(
        &host,
        "bob",
        json!({"team_id": "t1", "channel_id": ch, "name": "Second", "type": "channelChecklist"}),
    );
    let listing = cmd(&host, "bob", &ch, "/playbook info");
    assert!(
        listing.contains("There are 2 runs in progress"),
        "{listing}"
    );
    assert!(
        listing.contains("- `0`: Second") && listing.contains("- `1`: Outage"),
        "{listing}"
    );
    assert!(cmd(&host, "bob", &ch, "/playbook info 0").contains("[Second]"));
    assert!(cmd(&host, "bob", &ch, "/playbook info 1").contains("[Outage]"));
    assert!(cmd(&host, "bob", &ch, "/playbook info 2").contains("(0 to 1)"));
    // The number comes first, then the command's own arguments.
    assert!(cmd(&host, "bob", &ch, "/playbook check 1 0 1").contains("Page"));
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["checklists"][0]["items"][1]["state"], "closed");
    let _ = second;
}

#[test]
fn run_directly_by_name_or_through_the_dialog() {
    let (host, _) = setup_run();
    let reply = cmd(
        &host,
        "bob",
        "c1",
        "/playbook run incident \"Payments down\"",
    );
    assert!(
        reply.starts_with("Started the run [Payments down]"),
        "{reply}"
    );
    assert!(
        cmd(&host, "bob", "c1", "/playbook run nothing-like-it").contains("No playbook matches")
    );
    // carol cannot see the private playbook.
    assert!(cmd(&host, "carol", "c1", "/playbook run Incident").contains("No playbook matches"));

    assert_eq!(cmd(&host, "bob", "c1", "/playbook run"), "");
    let dialog = last_dialog(&host);
    assert_eq!(dialog["callback_id"], dialogs::RUN_DIALOG);
    assert_eq!(dialog["elements"][0]["options"][0]["text"], "Incident");
    let r = submit(
        &host,
        &dialog,
        "bob",
        json!({"playbook_id": "", "name": "x"}),
    );
    assert_eq!(r.errors[0].0, "playbook_id");
    let pb = dialog["elements"][0]["options"][0]["value"].clone();
    let r = submit(
        &host,
        &dialog,
        "bob",
        json!({"playbook_id": pb, "name": "From dialog"}),
    );
    assert_eq!((r.error.as_str(), r.errors.len()), ("", 0));
    let told = host.inner.ephemerals.borrow().last().cloned().unwrap();
    assert!(told.1.message.contains("[From dialog]"));
    assert!(cmd(&host, "carol", "c1", "/playbook run").contains("no playbooks you can run"));
}

#[test]
fn finish_update_owner_add_timeline_info_todo() {
    let (mut host, id) = setup_run();
    let ch = channel_of(&host, &id);

    assert_eq!(cmd(&host, "bob", &ch, "/playbook update"), "");
    assert_eq!(last_dialog(&host)["callback_id"], "playbooks_status_update");

    assert!(cmd(&host, "bob", &ch, "/playbook owner").contains("is @bob"));
    assert!(cmd(&host, "bob", &ch, "/playbook owner @nobody").contains("no user @nobody"));
    assert!(
        cmd(&host, "bob", &ch, "/playbook owner @carol").starts_with("@carol is now the owner")
    );

    let post = host
        .inner
        .create_post(crate::host::Post {
            channel_id: "c1".into(),
            user_id: "admin".into(),
            message: "Root cause: expired cert\nmore".into(),
            ..Default::default()
        })
        .unwrap();
    let reply = cmd(&host, "bob", &ch, &format!("/playbook add {}", post.id));
    assert!(reply.starts_with("Added the post"), "{reply}");
    assert!(cmd(&host, "bob", &ch, "/playbook add nope").contains("no post nope"));
    assert!(cmd(&host, "bob", &ch, "/playbook add").contains("one argument"));

    host.inner.now += 3_600_000;
    let table = cmd(&host, "bob", &ch, "/playbook timeline");
    assert!(table.contains("| Event Time | Since Reported | Event |"));
    assert!(
        table.contains("| 1h 0m | Root cause: expired cert |")
            || table.contains("Root cause: expired cert"),
        "{table}"
    );
    assert!(table.contains("Owner changed to @carol"));

    let info = cmd(&host, "bob", &ch, "/playbook info");
    assert!(
        info.contains("**Owner:** @carol") && info.contains("0 of 2 done"),
        "{info}"
    );

    let todo = cmd(&host, "carol", "c1", "/playbook todo");
    assert!(todo.contains("##### Runs in progress (1)"), "{todo}");
    assert!(todo.contains("##### Your tasks (0)"), "{todo}");
    // "Assess" went to the owner at the start: bob.
    let todo = cmd(&host, "bob", "c1", "/playbook todo");
    assert!(
        todo.contains("##### Your tasks (1)") && todo.contains("- Assess ([Outage]"),
        "{todo}"
    );
    assert!(
        todo.contains("**overdue** since"),
        "due 1 minute after the start: {todo}"
    );

    assert_eq!(cmd(&host, "bob", &ch, "/playbook finish"), "");
    let dialog = last_dialog(&host);
    assert!(
        dialog["introduction_text"]
            .as_str()
            .unwrap()
            .contains("2 outstanding tasks")
    );
    let r = submit(&host, &dialog, "bob", json!({}));
    assert_eq!(r.error, "");
    let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
    assert_eq!(run["current_status"], "Finished");
    assert_eq!(
        cmd(&host, "bob", &ch, "/playbook info"),
        target::NOT_A_RUN_CHANNEL
    );
}

#[test]
fn settings_show_and_change() {
    let (host, _) = setup_run();
    assert!(cmd(&host, "bob", "c1", "/playbook settings").contains("Daily digest: **on**"));
    let r = cmd(&host, "bob", "c1", "/playbook settings digest off");
    assert!(r.contains("Daily digest: **off**") && r.contains("Weekly digest: **on**"));
    let r = cmd(&host, "bob", "c1", "/playbook settings weekly-digest OFF");
    assert!(r.contains("Weekly digest: **off**"));
    assert!(cmd(&host, "bob", "c1", "/playbook settings colour on").contains("not a setting"));
    assert!(cmd(&host, "bob", "c1", "/playbook settings digest maybe").contains("not on or off"));
    assert!(cmd(&host, "bob", "c1", "/playbook settings digest").starts_with("Usage"));
    assert!(!settings::load(&host, "bob").unwrap().digest_enabled);
}
