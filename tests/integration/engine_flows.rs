//! The playbooks engine over real HTTP with the real component:
//!
//! - many people toggling tasks of one run at the same time lose no update
//!   (compare-and-set with retry in the plugin, SQLite underneath);
//! - a playbook exported by Mattermost (fixture) imports, runs (its settings
//!   snapshotted into the run) and exports back to the same document.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{API, Client, team_with};
use crate::helpers::spawn_app;

#[tokio::test]
async fn concurrent_task_toggles_lose_no_update() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(Client::new(&app, &format!("user{i}")).await);
    }
    let members: Vec<&Client<'_>> = people.iter().collect();
    let team_id = team_with(&alice, "ops", &members).await;
    let items: Vec<Value> = (0..24)
        .map(|i| json!({"title": format!("Task {i}")}))
        .collect();
    let invited: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
    let pb = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks"),
            Some(json!({"title": "Drill", "team_id": team_id, "public": true,
                        "invite_users_enabled": true, "invited_user_ids": invited,
                        "checklists": [{"title": "All hands", "items": items}]})),
        )
        .await;
    let run = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/runs"),
            Some(json!({"playbook_id": pb["id"], "team_id": team_id, "name": "Load"})),
        )
        .await;
    let run_id = run["id"].as_str().unwrap().to_owned();
    assert_eq!(run["participant_ids"].as_array().unwrap().len(), 7);

    // Every item closed exactly once, spread over six people, all at once;
    // plus concurrent summary edits to contend on the same record.
    let mut calls = Vec::new();
    for i in 0..24 {
        let who = &people[i % people.len()];
        let path = format!("{API}/runs/{run_id}/checklists/0/item/{i}/state");
        calls.push(async move {
            who.call(Method::PUT, &path, Some(json!({"new_state": "closed"})))
                .await
        });
    }
    let summaries = people.iter().map(|p| {
        let path = format!("{API}/runs/{run_id}");
        async move {
            p.call(
                Method::PATCH,
                &path,
                Some(json!({"summary": format!("edited by {}", p.id)})),
            )
            .await
        }
    });
    let (toggles, edits) = tokio::join!(
        futures_util::future::join_all(calls),
        futures_util::future::join_all(summaries)
    );
    for (status, body) in toggles.iter().chain(edits.iter()) {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let run = alice.get_ok(&format!("{API}/runs/{run_id}")).await;
    let states: Vec<&str> = run["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert!(states.iter().all(|s| *s == "closed"), "{states:?}");
    assert_eq!(run["task_completed"], 24);
    let toggled = run["timeline_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "task_state_modified")
        .count();
    assert_eq!(toggled, 24);
    assert!(run["summary"].as_str().unwrap().starts_with("edited by "));
}

#[tokio::test]
async fn mattermost_export_round_trip() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let team_id = team_with(&alice, "ops", &[]).await;
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/mattermost-playbook-export.json")).unwrap();

    let imported = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks/import?team_id={team_id}"),
            Some(fixture.clone()),
        )
        .await;
    let playbook_id = imported["id"].as_str().unwrap().to_owned();

    // Run it: the settings are snapshotted into the run.
    let run = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/runs"),
            Some(json!({"playbook_id": playbook_id, "team_id": team_id})),
        )
        .await;
    assert_eq!(run["sequential_id"], "MAJ-00001");
    assert_eq!(run["name"], "MAJ-00001 major incident");
    assert_eq!(run["reminder_timer_default_seconds"], 1800);
    assert_eq!(run["retrospective_enabled"], true);
    assert_eq!(run["retrospective"], fixture["retrospective_template"]);
    assert_eq!(run["summary"], fixture["run_summary_template"]);
    assert_eq!(run["checklists"].as_array().unwrap().len(), 2);
    assert_eq!(
        run["checklists"][0]["items"][1]["command"],
        "/echo paging the lead"
    );
    assert_eq!(
        run["checklists"][0]["items"][0]["assignee_id"],
        json!(alice.id),
        "owner-assigned"
    );
    assert!(run["status_update_due_at"].as_i64().unwrap() > run["create_at"].as_i64().unwrap());

    // Export: the same document back (Mattermost leaves zero values out, so
    // the fixture's `target: null` and empty strings are absent, not equal).
    let exported = alice
        .get_ok(&format!("{API}/playbooks/{playbook_id}/export"))
        .await;
    assert_eq!(exported["version"], 1);
    for (key, want) in fixture.as_object().unwrap() {
        if key == "checklists" || key == "metrics" {
            continue;
        }
        assert_eq!(&exported[key], want, "{key}");
    }
    let strip = |v: &Value| -> Value {
        // Zero values are omitted on export, as upstream does.
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| {
                        !matches!(v, Value::Null) && *v != &json!("") && *v != &json!(0)
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => other.clone(),
        }
    };
    for list in ["checklists", "metrics"] {
        let want = fixture[list].as_array().unwrap();
        let got = exported[list].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{list}");
        for (g, w) in got.iter().zip(want) {
            if list == "checklists" {
                assert_eq!(g["title"], w["title"]);
                let gi: Vec<Value> = g["items"].as_array().unwrap().iter().map(strip).collect();
                let wi: Vec<Value> = w["items"].as_array().unwrap().iter().map(strip).collect();
                assert_eq!(gi, wi);
            } else {
                assert_eq!(strip(g), strip(w), "{list}");
            }
        }
    }
}

#[tokio::test]
async fn a_task_runs_its_slash_command_as_the_user() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team_id = team_with(&alice, "ops", &[&bob]).await;
    let pb = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks"),
            Some(
                json!({"title": "Bridge", "team_id": team_id, "public": true,
                        "checklists": [{"title": "Setup", "items": [
                            {"title": "Set the header", "command": "/header Incident bridge"},
                            {"title": "Show info", "command": "/playbook info"}]}]}),
            ),
        )
        .await;
    let run = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/runs"),
            Some(json!({"playbook_id": pb["id"], "team_id": team_id, "name": "Bridge run"})),
        )
        .await;
    let run_id = run["id"].as_str().unwrap().to_owned();
    let room = run["channel_id"].as_str().unwrap().to_owned();

    // A built-in: runs at once, as alice.
    let run = alice
        .expect(
            StatusCode::OK,
            Method::POST,
            &format!("{API}/runs/{run_id}/checklists/0/item/0/run"),
            None,
        )
        .await;
    assert_eq!(
        run["timeline_events"].as_array().unwrap().last().unwrap()["event_type"],
        "ran_slash_command"
    );
    let channel = alice.get_ok(&format!("/api/v4/channels/{room}")).await;
    assert_eq!(channel["header"], "Incident bridge");

    // A plugin command (the plugin's own): queued, then answered to alice.
    let mut socket = alice.socket().await;
    alice
        .expect(
            StatusCode::OK,
            Method::POST,
            &format!("{API}/runs/{run_id}/checklists/0/item/1/run"),
            None,
        )
        .await;
    let event = socket.next_event("ephemeral_message").await;
    let post: Value = serde_json::from_str(event["data"]["post"].as_str().unwrap()).unwrap();
    assert!(
        post["message"].as_str().unwrap().contains("[Bridge run]"),
        "{post}"
    );
    socket.close().await;

    // bob is not in the private run channel: the server refuses, nothing
    // is recorded (he cannot even see the run here).
    let (status, _) = bob
        .call(
            Method::POST,
            &format!("{API}/runs/{run_id}/checklists/0/item/0/run"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
