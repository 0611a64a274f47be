//! Regenerates the upgrade fixture (`#[ignore]`d; run it by hand):
//!
//! ```text
//! cargo test --workspace --test integration upgrade_fixture::generate -- --ignored
//! ```
//!
//! Starts this tree's server on a fresh data dir and, through the HTTP API
//! only (accounts, teams, channels, posts, the playbooks REST API, slash
//! commands, post buttons and dialogs), writes every kind of record the
//! playbooks plugin keeps: playbooks (public, private with members,
//! archived, imported, duplicated; checklists, task actions, metrics, run
//! number prefixes, channel and status settings, retrospective templates),
//! runs in every state with status updates, timelines of every kind,
//! participants and followers, checked/skipped/assigned tasks, published
//! and canceled retrospectives, a standalone run, a run started from a
//! keyword prompt, a deleted run and one whose timeline outgrew the
//! 2000-entry window; channel actions, a keyword-ignore flag and user
//! settings. Then it restarts the server, records what the GET routes (and
//! read-only slash commands) answer, stops it with SIGINT, checkpoints
//! SQLite and packs the data dir as `data.tar.gz`.
//!
//! Names and texts are fixed; ids and times are whatever the run gives.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::recorded;
use super::server::{Api, Server, start};
use crate::client::API;

mod record;
use record::record;

/// One year, the longest reminder allowed: status reminders of the
/// fixture's runs fall due long after it was made (see `recorded::mask`).
pub const YEAR_SECONDS: i64 = 365 * 24 * 3600;
/// Timeline entries the soak run gets: more than the 2000 the layout keeps,
/// so its window no longer starts at entry 0.
const SOAK_TOGGLES: usize = 2010;

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/upgrade-kv-0.1.0")
}

#[tokio::test]
#[ignore = "regenerates tests/fixtures/upgrade-kv-0.1.0; run by hand"]
async fn generate() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path()).await;
    let ids = build(&server).await;
    server.stop().await;

    // Recorded from a restarted server: what the stored data answers.
    let server = start(data.path()).await;
    let answers = record(&server, &ids).await;
    server.stop().await;

    let out = fixture_dir();
    let expected = out.join("expected");
    let _ = std::fs::remove_dir_all(&expected);
    std::fs::create_dir_all(&expected).unwrap();
    for (n, (name, answer)) in answers.iter().enumerate() {
        recorded::write(&expected, n, name, answer);
    }
    std::fs::write(
        out.join("ids.json"),
        serde_json::to_string_pretty(&Value::Object(ids)).unwrap() + "\n",
    )
    .unwrap();
    super::pack(data.path(), &out.join("data.tar.gz"));
}

/// Ids by name, saved as `ids.json` for the test.
type Ids = Map<String, Value>;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn team(admin: &Api<'_>, name: &str, members: &[&Api<'_>]) -> String {
    let team = admin
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/teams",
            json!({"name": name, "display_name": name, "type": "O"}),
        )
        .await;
    for m in members {
        admin
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("/api/v4/teams/{}/members", id(&team)),
                json!({"team_id": id(&team), "user_id": m.id}),
            )
            .await;
    }
    id(&team)
}

async fn channel(creator: &Api<'_>, team_id: &str, name: &str, kind: &str) -> String {
    let channel = creator
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels",
            json!({"team_id": team_id, "name": name, "display_name": name, "type": kind}),
        )
        .await;
    id(&channel)
}

async fn add_to_channel(admin: &Api<'_>, channel_id: &str, who: &Api<'_>) {
    admin
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/channels/{channel_id}/members"),
            json!({"user_id": who.id}),
        )
        .await;
}

async fn playbook(who: &Api<'_>, body: Value) -> String {
    let created = who
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks"),
            body,
        )
        .await;
    id(&created)
}

async fn run(who: &Api<'_>, body: Value) -> Value {
    who.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{API}/runs"),
        body,
    )
    .await
}

/// The run's checklist item path: `/runs/<id>/checklists/<c>/item/<i>`.
fn item(run_id: &str, c: usize, i: usize) -> String {
    format!("/runs/{run_id}/checklists/{c}/item/{i}")
}

/// Writes the data set; the ids the test and the recordings need.
async fn build(server: &Server) -> Ids {
    let mut ids = Ids::new();
    let alice = server.sign_up("alice").await; // the first account: admin
    let bob = server.sign_up("bob").await;
    let carol = server.sign_up("carol").await;
    let dave = server.sign_up("dave").await;
    for u in [&alice, &bob, &carol, &dave] {
        ids.insert(format!("user_{}", u.username), json!(u.id));
    }
    let ops = team(&alice, "ops", &[&bob, &carol, &dave]).await;
    let bulk = team(&alice, "bulk", &[]).await;
    let town = channel(&alice, &ops, "town", "O").await;
    for u in [&bob, &carol] {
        add_to_channel(&alice, &town, u).await;
    }
    let leads = channel(&alice, &ops, "leads", "P").await;
    add_to_channel(&alice, &leads, &bob).await;
    let war_room = channel(&alice, &ops, "war-room", "O").await;
    add_to_channel(&alice, &war_room, &bob).await;

    // ---- playbooks ----
    let keyword_action = json!([{
        "trigger": {"type": "keywords_by_users",
                    "payload": "{\"keywords\":[\"dba paged\"],\"user_ids\":[]}"},
        "actions": [{"type": "mark_item_as_done", "payload": "{\"enabled\":true}"}]}]);
    let incident = playbook(
        &alice,
        json!({
            "title": "Incident response",
            "description": "Respond to **production** incidents.",
            "team_id": ops, "public": true, "create_public_playbook_run": true,
            "members": [{"user_id": bob.id, "roles": ["playbook_member"]}],
            "checklists": [
                {"title": "Triage", "items": [
                    {"title": "Acknowledge the page", "description": "Within 5 minutes.",
                     "assignee_type": "owner"},
                    {"title": "Set the channel header", "command": "/header Incident bridge"},
                    {"title": "Page the DBA", "task_actions": keyword_action},
                    {"title": "Open a status page", "due_date": 3_600_000}]},
                {"title": "Recovery", "items": [
                    {"title": "Roll back"},
                    {"title": "Confirm metrics are green"}]}],
            "metrics": [
                {"title": "Time to acknowledge", "description": "From page to ack",
                 "type": "metric_duration", "target": 300_000},
                {"title": "Cost", "type": "metric_currency", "target": null},
                {"title": "Customers affected", "type": "metric_integer", "target": 100}],
            "run_number_prefix": "INC",
            "reminder_message_template": "Status:\nImpact:\nNext steps:",
            "reminder_timer_default_seconds": YEAR_SECONDS, "status_update_enabled": true,
            "broadcast_enabled": true, "broadcast_channel_ids": [leads],
            "invite_users_enabled": true, "invited_user_ids": [carol.id],
            "message_on_join": "Welcome to the incident. Read the summary first.",
            "message_on_join_enabled": true,
            "retrospective_template": "### What happened\n\n### What went well\n",
            "retrospective_enabled": true, "retrospective_reminder_interval_seconds": 0,
            "signal_any_keywords": ["sev 1"],
            "categorize_channel_enabled": true, "category_name": "Incidents",
            "run_summary_template_enabled": true, "run_summary_template": "Impact: unknown",
        }),
    )
    .await;
    let security = playbook(
        &alice,
        json!({
            "title": "Security review", "description": "Leaked credentials and the like.",
            "team_id": ops, "public": false,
            "members": [{"user_id": bob.id, "roles": ["playbook_member"]}],
            "checklists": [{"title": "Contain", "items": [
                {"title": "Revoke the credential"}, {"title": "Audit access logs"}]}],
            "run_number_prefix": "SEC",
            "default_owner_id": bob.id, "default_owner_enabled": true,
            "owner_group_only_actions": true, "admin_only_edit": true,
            "reminder_timer_default_seconds": YEAR_SECONDS,
            "retrospective_enabled": false,
        }),
    )
    .await;
    let release = playbook(
        &alice,
        json!({
            "title": "Release checklist", "team_id": ops, "public": true,
            "channel_mode": "link_existing_channel", "channel_id": war_room,
            "status_update_enabled": false, "retrospective_enabled": false,
            "checklists": [{"title": "Release", "items": [
                {"title": "Tag the release"}, {"title": "Publish the notes"},
                {"title": "Announce it"}]}],
        }),
    )
    .await;
    let archived = playbook(
        &alice,
        json!({
            "title": "Fire drill (old)", "team_id": ops, "public": true,
            "checklists": [{"title": "Drill", "items": [{"title": "Leave the building"}]}],
        }),
    )
    .await;
    alice
        .expect(
            StatusCode::NO_CONTENT,
            Method::DELETE,
            &format!("{API}/playbooks/{archived}"),
            Value::Null,
        )
        .await;
    let export: Value =
        serde_json::from_str(include_str!("../fixtures/mattermost-playbook-export.json")).unwrap();
    let imported = id(&alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks/import?team_id={ops}"),
            export,
        )
        .await);
    let duplicate = id(&alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks/{incident}/duplicate"),
            Value::Null,
        )
        .await);
    alice
        .ok(
            Method::PATCH,
            &format!("/playbooks/{duplicate}"),
            json!({"description": "A copy to experiment with.", "run_number_prefix": "EXP"}),
        )
        .await;
    let soak = playbook(
        &alice,
        json!({
            "title": "Soak test", "team_id": bulk, "public": true, "run_number_prefix": "SOAK",
            "reminder_timer_default_seconds": 0, "retrospective_enabled": false,
            "checklists": [{"title": "Loop", "items": [{"title": "Flip me"}]}],
        }),
    )
    .await;

    // ---- channel actions (before dave joins town: he gets the welcome) ----
    let prompt_action = id(&alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/actions/channels/{town}"),
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords",
                   "enabled": true,
                   "payload": {"keywords": ["outage", "sev 1"], "playbook_id": imported}}),
        )
        .await);
    alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/actions/channels/{town}"),
            json!({"action_type": "send_welcome_message", "trigger_type": "new_member_joins",
                   "enabled": true, "payload": {"message": "Welcome to town! Say hi."}}),
        )
        .await;
    alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/actions/channels/{town}"),
            json!({"action_type": "categorize_channel", "trigger_type": "new_member_joins",
                   "enabled": true, "payload": {"category_name": "Town"}}),
        )
        .await;
    let war_action = id(&alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/actions/channels/{war_room}"),
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords",
                   "enabled": true,
                   "payload": {"keywords": ["rollback"], "playbook_id": release,
                               "match_mode": "substring"}}),
        )
        .await);
    alice
        .ok(
            Method::PUT,
            &format!("/actions/channels/{war_room}/{war_action}"),
            json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords",
                   "enabled": false,
                   "payload": {"keywords": ["rollback", "revert"], "playbook_id": release,
                               "match_mode": "substring"}}),
        )
        .await;
    add_to_channel(&alice, &town, &dave).await;

    // ---- R1: in progress, with almost everything happening to it ----
    let r1 = run(
        &alice,
        json!({"playbook_id": incident, "team_id": ops,
        "name": "Checkout is down", "summary": "Checkout returns 500s for EU customers."}),
    )
    .await;
    let r1_id = id(&r1);
    let r1_room = r1["channel_id"].as_str().unwrap().to_owned();
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/status"),
            json!({"message": "Investigating: the payment gateway times out.",
                   "reminder": YEAR_SECONDS}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/participants"),
            json!({"user_ids": [bob.id, dave.id]}),
        )
        .await;
    alice
        .ok(
            Method::DELETE,
            &format!("/runs/{r1_id}/participants"),
            json!({"user_ids": [carol.id]}),
        )
        .await;
    bob.ok(
        Method::PUT,
        &format!("/runs/{r1_id}/followers"),
        Value::Null,
    )
    .await;
    carol
        .ok(
            Method::PUT,
            &format!("/runs/{r1_id}/followers"),
            Value::Null,
        )
        .await;
    dave.ok(
        Method::PUT,
        &format!("/runs/{r1_id}/followers"),
        Value::Null,
    )
    .await;
    dave.ok(
        Method::DELETE,
        &format!("/runs/{r1_id}/followers"),
        Value::Null,
    )
    .await;
    alice
        .ok(
            Method::PUT,
            &format!("{}/state", item(&r1_id, 0, 0)),
            json!({"new_state": "closed"}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("{}/run", item(&r1_id, 0, 1)),
            Value::Null,
        )
        .await;
    // The task action closes "Page the DBA".
    alice.post(&r1_room, "", "OK, dba paged.").await;
    let mut closed_by_action = false;
    for _ in 0..400 {
        let run = alice
            .ok(Method::GET, &format!("/runs/{r1_id}"), Value::Null)
            .await;
        if run["checklists"][0]["items"][2]["state"] == "closed" {
            closed_by_action = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(closed_by_action, "the task action closed the item");
    let r1_start = r1["create_at"].as_i64().unwrap();
    alice
        .ok(
            Method::PUT,
            &format!("{}/assignee", item(&r1_id, 0, 3)),
            json!({"assignee_id": bob.id}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("{}/duedate", item(&r1_id, 0, 3)),
            json!({"due_date": r1_start + 2 * 86_400_000}),
        )
        .await;
    bob.ok(
        Method::PUT,
        &format!("{}/state", item(&r1_id, 0, 3)),
        json!({"new_state": "in_progress"}),
    )
    .await;
    alice
        .ok(
            Method::PUT,
            &format!("{}/assignee", item(&r1_id, 1, 0)),
            json!({"assignee_ids": [bob.id, dave.id]}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("{}/skip", item(&r1_id, 1, 1)),
            Value::Null,
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/checklists"),
            json!({"title": "Follow-up", "items": [{"title": "Write the incident report"}]}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("/runs/{r1_id}/checklists/2/rename"),
            json!({"title": "Follow-ups"}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/checklists/2/add"),
            json!({"title": "Schedule the review", "description": "Within a week."}),
        )
        .await;
    bob.ok(
        Method::POST,
        &format!("/runs/{r1_id}/status"),
        json!({"message": "Mitigated: traffic moved to the backup gateway.",
                  "reminder": YEAR_SECONDS}),
    )
    .await;
    let requested = dave
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/request-update"),
            Value::Null,
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/reminder"),
            json!({"new_reminder_seconds": YEAR_SECONDS}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("/runs/{r1_id}/status-update-enabled"),
            json!({"enabled": false}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("/runs/{r1_id}/status-update-enabled"),
            json!({"enabled": true}),
        )
        .await;
    alice
        .ok(
            Method::PATCH,
            &format!("/runs/{r1_id}"),
            json!({"summary": "Checkout returned 500s for EU customers; mitigated."}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r1_id}/owner"),
            json!({"owner_id": bob.id}),
        )
        .await;
    // A soft-deleted timeline entry (it stays, with `delete_at`).
    let request_event = requested["timeline_events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["event_type"] == "status_update_requested")
        .expect("a status_update_requested event")
        .clone();
    alice
        .expect(
            StatusCode::NO_CONTENT,
            Method::DELETE,
            &format!("{API}/runs/{r1_id}/timeline/{}", id(&request_event)),
            Value::Null,
        )
        .await;
    ids.insert("run_active".into(), json!(r1_id));
    ids.insert("run_active_channel".into(), json!(r1_room));

    // ---- R2: finished, retrospective with metrics published ----
    let r2 = id(&run(
        &alice,
        json!({"playbook_id": incident, "team_id": ops,
        "name": "Search is slow"}),
    )
    .await);
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r2}/status"),
            json!({"message": "An index was dropped; rebuilding.", "reminder": YEAR_SECONDS}),
        )
        .await;
    for i in 0..2 {
        alice
            .ok(
                Method::PUT,
                &format!("{}/state", item(&r2, 0, i)),
                json!({"new_state": "closed"}),
            )
            .await;
    }
    alice
        .ok(Method::PUT, &format!("/runs/{r2}/finish"), Value::Null)
        .await;
    let pb = alice
        .ok(Method::GET, &format!("/playbooks/{incident}"), Value::Null)
        .await;
    let metric = |i: usize| pb["metrics"][i]["id"].clone();
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r2}/retrospective"),
            json!({"retrospective": "### What happened\nAn index was dropped by a migration.",
                   "metrics": [{"metric_config_id": metric(0), "value": 420_000},
                               {"metric_config_id": metric(1), "value": 1250},
                               {"metric_config_id": metric(2), "value": 40}]}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r2}/retrospective/publish"),
            Value::Null,
        )
        .await;
    ids.insert("run_retro_published".into(), json!(r2));

    // ---- R3: finished, then restored; retrospective turned off ----
    let r3 = id(&run(
        &alice,
        json!({"playbook_id": incident, "team_id": ops,
        "name": "Login errors"}),
    )
    .await);
    alice
        .ok(Method::PUT, &format!("/runs/{r3}/finish"), Value::Null)
        .await;
    alice
        .ok(Method::PUT, &format!("/runs/{r3}/restore"), Value::Null)
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("/runs/{r3}/retrospective-enabled"),
            json!({"enabled": false}),
        )
        .await;
    ids.insert("run_restored".into(), json!(r3));

    // ---- R4: finished by a status update; retrospective canceled ----
    let r4 = id(&run(
        &alice,
        json!({"playbook_id": incident, "team_id": ops,
        "name": "Disk full on db-2"}),
    )
    .await);
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r4}/status"),
            json!({"message": "Resolved: old logs removed.", "finish_run": true}),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r4}/no-retrospective-button"),
            Value::Null,
        )
        .await;
    ids.insert("run_retro_canceled".into(), json!(r4));

    // ---- R5: private playbook, default owner bob, finished by him ----
    let r5 = run(
        &alice,
        json!({"playbook_id": security, "team_id": ops,
        "name": "Leaked token"}),
    )
    .await;
    let r5_id = id(&r5);
    assert_eq!(r5["owner_user_id"], json!(bob.id));
    bob.ok(
        Method::PUT,
        &format!("{}/state", item(&r5_id, 0, 0)),
        json!({"new_state": "closed"}),
    )
    .await;
    bob.ok(
        Method::POST,
        &format!("/runs/{r5_id}/status"),
        json!({"message": "Token revoked; auditing.", "reminder": YEAR_SECONDS}),
    )
    .await;
    bob.ok(Method::PUT, &format!("/runs/{r5_id}/finish"), Value::Null)
        .await;
    ids.insert("run_private".into(), json!(r5_id));

    // ---- R6: linked to an existing channel, status updates off ----
    let r6 = run(
        &bob,
        json!({"playbook_id": release, "team_id": ops,
        "name": "Release 2.4"}),
    )
    .await;
    assert_eq!(r6["channel_id"], json!(war_room));
    let r6_id = id(&r6);
    bob.ok(
        Method::PUT,
        &format!("{}/state", item(&r6_id, 0, 0)),
        json!({"new_state": "closed"}),
    )
    .await;
    ids.insert("run_linked".into(), json!(r6_id));

    // ---- R7: standalone checklist in town (no playbook) ----
    let r7 = run(
        &alice,
        json!({"name": "Office move", "team_id": ops, "channel_id": town,
        "type": "channelChecklist"}),
    )
    .await;
    let r7_id = id(&r7);
    alice
        .ok(
            Method::POST,
            &format!("/runs/{r7_id}/checklists"),
            json!({"title": "Move", "items": [{"title": "Pack the desks"},
                                               {"title": "Book the van"}]}),
        )
        .await;
    alice
        .ok(
            Method::PUT,
            &format!("{}/state", item(&r7_id, 0, 1)),
            json!({"new_state": "closed"}),
        )
        .await;
    ids.insert("run_standalone".into(), json!(r7_id));

    // ---- R8: started from a keyword prompt, through the run dialog ----
    let root = carol.post(&town, "", "we have an outage in checkout").await;
    let prompt = carol
        .wait_post(&town, "custom_keyword_prompt", |p| {
            p["root_id"] == root["id"]
        })
        .await;
    let mut socket = carol.socket().await;
    carol
        .expect(
            StatusCode::OK,
            Method::POST,
            &format!("/api/v4/posts/{}/actions/runplaybook", id(&prompt)),
            json!({}),
        )
        .await;
    carol
        .answer_dialog(
            &mut socket,
            &town,
            json!({"playbook_id": imported, "name": "Checkout outage"}),
        )
        .await;
    let mine = carol
        .ok(
            Method::GET,
            &format!("/runs?team_id={ops}&owner_user_id=me"),
            Value::Null,
        )
        .await;
    let r8 = mine["items"][0].clone();
    assert_eq!(r8["name"], "Checkout outage");
    assert_eq!(r8["post_id"], root["id"]);
    ids.insert("run_from_prompt".into(), r8["id"].clone());

    // ---- R9: deleted ----
    let r9 = id(&run(
        &alice,
        json!({"playbook_id": incident, "team_id": ops,
        "name": "False alarm"}),
    )
    .await);
    alice
        .expect(
            StatusCode::NO_CONTENT,
            Method::DELETE,
            &format!("{API}/runs/{r9}"),
            Value::Null,
        )
        .await;
    ids.insert("run_deleted".into(), json!(r9));

    // ---- the keyword-ignore flag: bob says "No, ignore thread" ----
    let root = bob.post(&town, "", "outage in eu-west?").await;
    let prompt = bob
        .wait_post(&town, "custom_keyword_prompt", |p| {
            p["root_id"] == root["id"]
        })
        .await;
    bob.expect(
        StatusCode::OK,
        Method::POST,
        &format!("/api/v4/posts/{}/actions/ignorethread", id(&prompt)),
        json!({}),
    )
    .await;
    ids.insert("ignored_thread".into(), root["id"].clone());
    ids.insert("ignored_thread_at".into(), root["create_at"].clone());

    // ---- user settings ----
    alice.command(&town, "/playbook settings digest off").await;
    bob.command(&town, "/playbook settings weekly-digest off")
        .await;

    // ---- R10: a timeline longer than the 2000 entries kept ----
    let r10 = id(&run(
        &alice,
        json!({"playbook_id": soak, "team_id": bulk,
        "name": "Soak"}),
    )
    .await);
    for n in 0..SOAK_TOGGLES {
        let state = if n % 2 == 0 { "closed" } else { "" };
        alice
            .ok(
                Method::PUT,
                &format!("{}/state", item(&r10, 0, 0)),
                json!({"new_state": state}),
            )
            .await;
    }
    ids.insert("run_long_timeline".into(), json!(r10));

    for (name, value) in [
        ("team_ops", &ops),
        ("team_bulk", &bulk),
        ("channel_town", &town),
        ("channel_leads", &leads),
        ("channel_war_room", &war_room),
        ("playbook_incident", &incident),
        ("playbook_security", &security),
        ("playbook_release", &release),
        ("playbook_archived", &archived),
        ("playbook_imported", &imported),
        ("playbook_duplicate", &duplicate),
        ("playbook_soak", &soak),
        ("action_town_prompt", &prompt_action),
        ("action_war_room_prompt", &war_action),
    ] {
        ids.insert(name.into(), json!(value));
    }
    ids
}
