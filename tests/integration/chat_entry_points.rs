//! In-chat entry points over the real server and compiled plugin: the
//! `/playbook` suite through `POST /api/v4/commands/execute` (one and
//! several runs in a channel, denials, bad arguments, dialogs answered as
//! the web client would, from the `open_dialog` websocket event), and the
//! keyword prompt end to end (post → prompt → button → dialog → run; flood
//! → one prompt; ignore), welcome messages and task actions.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, Socket, team_with};
use crate::helpers::spawn_app;

/// Waits for the `open_dialog` event and submits `values` to it.
async fn answer_dialog(
    client: &Client<'_>,
    socket: &mut Socket,
    channel_id: &str,
    values: Value,
) -> Value {
    let event = socket.next_event("open_dialog").await;
    let wrapper: Value = serde_json::from_str(event["data"]["dialog"].as_str().unwrap()).unwrap();
    let dialog = &wrapper["dialog"];
    client
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/actions/dialogs/submit",
            Some(json!({
                "url": wrapper["url"], "callback_id": dialog["callback_id"], "state": dialog["state"],
                "channel_id": channel_id, "submission": values, "cancelled": false,
            })),
        )
        .await
}

async fn text_of(client: &Client<'_>, channel_id: &str, command: &str) -> String {
    let (status, body) = client.command(channel_id, command).await;
    assert_eq!(status, StatusCode::OK, "{command}: {body}");
    body["text"].as_str().unwrap_or_default().to_owned()
}

async fn channel(client: &Client<'_>, team_id: &str, name: &str) -> String {
    let body = client
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": name, "display_name": name, "type": "O"})),
        )
        .await;
    body["id"].as_str().unwrap().to_owned()
}

async fn join(client: &Client<'_>, channel_id: &str) {
    client
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/channels/{channel_id}/members"),
            Some(json!({"user_id": client.id})),
        )
        .await;
}

async fn run_of(client: &Client<'_>, run_id: &str) -> Value {
    client
        .get_ok(&format!("{}/runs/{run_id}", crate::client::API))
        .await
}

async fn posts(client: &Client<'_>, channel_id: &str) -> Vec<Value> {
    let body = client
        .get_ok(&format!("/api/v4/channels/{channel_id}/posts"))
        .await;
    let order = body["order"].as_array().cloned().unwrap_or_default();
    order
        .iter()
        .map(|id| body["posts"][id.as_str().unwrap()].clone())
        .collect()
}

#[tokio::test]
async fn slash_commands_drive_runs() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team_id = team_with(&alice, "ops", &[&bob, &carol]).await;
    let town = channel(&bob, &team_id, "town").await;
    join(&carol, &town).await;
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/playbooks", crate::client::API),
        Some(json!({"title": "Incident response", "team_id": team_id, "public": true,
                    "run_number_prefix": "INC", "reminder_timer_default_seconds": 3600,
                    "checklists": [{"title": "Triage", "items": [{"title": "Assess"}, {"title": "Page"}]}]})),
    )
    .await;

    // Start directly from the message box.
    let reply = text_of(
        &bob,
        &town,
        "/playbook run \"incident response\" \"DB down\"",
    )
    .await;
    assert!(
        reply.starts_with("Started the run [DB down](/playbooks/runs/"),
        "{reply}"
    );
    let run_id = reply
        .split("/playbooks/runs/")
        .nth(1)
        .unwrap()
        .trim_end_matches(").")
        .to_owned();
    let run = run_of(&bob, &run_id).await;
    let room = run["channel_id"].as_str().unwrap().to_owned();

    assert_eq!(
        text_of(&bob, &town, "/playbook info").await,
        "This command only works when run from a playbook run channel."
    );
    assert_eq!(
        text_of(&bob, &room, "/playbook check 0 1").await,
        "Checked off checklist item \"Page\""
    );
    assert_eq!(
        run_of(&bob, &run_id).await["checklists"][0]["items"][1]["state"],
        "closed"
    );
    assert_eq!(
        text_of(&bob, &room, "/playbook check 0").await,
        "Command expects two arguments: the checklist number and the item number."
    );
    assert!(
        text_of(&bob, &room, "/playbook check one 1")
            .await
            .contains("Must be a number")
    );
    assert!(
        text_of(&bob, &room, "/playbook checkadd 0 \"Call the vendor\"")
            .await
            .contains("Call the vendor")
    );
    assert!(
        text_of(&bob, &room, "/playbook frobnicate")
            .await
            .starts_with("Unknown command")
    );
    assert!(
        text_of(&bob, &room, "/playbook run \"oops")
            .await
            .contains("unmatched quote")
    );

    // Dynamic autocomplete: the server asks the plugin for the items.
    let suggestions = bob
        .get_ok(&format!(
                "/api/v4/teams/{team_id}/commands/autocomplete_suggestions?user_input=%2Fplaybook%20check%200%20&channel_id={room}"
            ))
        .await;
    let completes: Vec<&str> = suggestions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Complete"].as_str().unwrap())
        .collect();
    assert_eq!(
        completes,
        vec![
            "playbook check 0 0",
            "playbook check 0 1",
            "playbook check 0 2"
        ],
        "{suggestions}"
    );
    assert_eq!(suggestions[1]["Description"], "☑ Page");

    // carol cannot run commands in a private run channel she is not in
    // (the server refuses); once added to the channel, the plugin refuses
    // edits because she is not a participant.
    let (status, _) = carol.command(&room, "/playbook check 0 0").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/channels/{room}/members"),
            Some(json!({"user_id": carol.id})),
        )
        .await;
    let denied = text_of(&carol, &room, "/playbook check 0 0").await;
    assert!(
        denied.contains("Only the owner and participants"),
        "{denied}"
    );

    // A second run in the same channel: a leading run number picks one.
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/runs", crate::client::API),
        Some(json!({"team_id": team_id, "channel_id": room, "name": "Side quest", "type": "channelChecklist"})),
    )
    .await;
    let listing = text_of(&bob, &room, "/playbook info").await;
    assert!(
        listing.contains("There are 2 runs in progress"),
        "{listing}"
    );
    assert!(
        text_of(&bob, &room, "/playbook info 0")
            .await
            .contains("[Side quest]")
    );
    assert!(
        text_of(&bob, &room, "/playbook owner 1 @carol")
            .await
            .starts_with("@carol is now the owner")
    );
    assert_eq!(
        run_of(&bob, &run_id).await["owner_user_id"],
        json!(carol.id)
    );

    // Dialogs, answered like the web client does.
    let mut socket = bob.socket().await;
    assert_eq!(text_of(&bob, &room, "/playbook update 1").await, "");
    answer_dialog(
        &bob,
        &mut socket,
        &room,
        json!({"message": "Mitigated", "reminder": "0"}),
    )
    .await;
    let run = run_of(&bob, &run_id).await;
    assert_eq!(run["status_posts"].as_array().unwrap().len(), 1);
    assert_eq!(run["status_update_due_at"], 0, "never");

    assert_eq!(text_of(&bob, &room, "/playbook finish 1").await, "");
    answer_dialog(&bob, &mut socket, &room, json!({})).await;
    assert_eq!(run_of(&bob, &run_id).await["current_status"], "Finished");
    // One run left in the channel: no number needed any more.
    assert!(
        text_of(&bob, &room, "/playbook info")
            .await
            .contains("[Side quest]")
    );

    assert_eq!(text_of(&bob, &town, "/playbook run").await, "");
    answer_dialog(
        &bob,
        &mut socket,
        &town,
        json!({"playbook_id": run["playbook_id"], "name": "From the dialog"}),
    )
    .await;
    let list = bob
        .get_ok(&format!(
            "{}/runs?team_id={team_id}&search_term=from%20the",
            crate::client::API
        ))
        .await;
    assert_eq!(list["total_count"], 1, "{list}");
    socket.close().await;

    let todo = text_of(&bob, &town, "/playbook todo").await;
    assert!(todo.contains("##### Runs in progress (2)"), "{todo}");
    assert!(
        text_of(&bob, &town, "/playbook settings digest off")
            .await
            .contains("Daily digest: **off**")
    );
}

#[tokio::test]
async fn keyword_prompt_welcome_and_task_actions() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team_id = team_with(&alice, "ops", &[&bob, &carol]).await;
    let town = channel(&bob, &team_id, "town").await;
    join(&carol, &town).await;
    let created = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{}/playbooks", crate::client::API),
            Some(json!({"title": "Outage", "team_id": team_id, "public": true,
                        "checklists": [{"title": "Triage", "items": [{"title": "Page the DBA",
                            "task_actions": [{"trigger": {"type": "keywords_by_users",
                                "payload": "{\"keywords\":[\"dba paged\"],\"user_ids\":[]}"},
                              "actions": [{"type": "mark_item_as_done", "payload": "{\"enabled\":true}"}]}]}]}]})),
        )
        .await;
    let playbook_id = created["id"].as_str().unwrap().to_owned();
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/actions/channels/{town}", crate::client::API),
        Some(json!({"action_type": "prompt_run_playbook", "trigger_type": "keywords", "enabled": true,
                    "payload": {"keywords": ["outage", "sev 1"], "playbook_id": playbook_id}})),
    )
    .await;

    // carol mentions an outage: the bot replies in her thread.
    let root = carol
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "Checkout is down, looks like a SEV 1 outage"})),
        )
        .await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let find_prompts = || async {
        posts(&bob, &town)
            .await
            .into_iter()
            .filter(|p| p["type"] == "custom_keyword_prompt")
            .collect::<Vec<_>>()
    };
    let mut prompt = None;
    for _ in 0..200 {
        if let Some(p) = find_prompts().await.into_iter().next() {
            prompt = Some(p);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let prompt = prompt.expect("a keyword prompt");
    assert_eq!(prompt["root_id"], json!(root_id));
    let message = prompt["message"].as_str().unwrap();
    assert!(
        message.contains("**sev 1**") && message.contains("**outage**"),
        "{prompt}"
    );

    // A flood in the thread still makes one prompt.
    for _ in 0..5 {
        carol
            .expect(
                StatusCode::CREATED,
                Method::POST,
                "/api/v4/posts",
                Some(json!({"channel_id": town, "root_id": root_id, "message": "outage outage"})),
            )
            .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(find_prompts().await.len(), 1);

    // "Yes": the run dialog, then a run linked to the post.
    let mut socket = carol.socket().await;
    let prompt_id = prompt["id"].as_str().unwrap();
    carol
        .expect(
            StatusCode::OK,
            Method::POST,
            &format!("/api/v4/posts/{prompt_id}/actions/runplaybook"),
            Some(json!({})),
        )
        .await;
    answer_dialog(
        &carol,
        &mut socket,
        &town,
        json!({"playbook_id": playbook_id, "name": "Checkout outage"}),
    )
    .await;
    socket.close().await;
    let list = carol
        .get_ok(&format!(
            "{}/runs?team_id={team_id}&participant_id=me",
            crate::client::API
        ))
        .await;
    let run = list["items"][0].clone();
    assert_eq!(run["name"], "Checkout outage");
    assert_eq!(run["post_id"], json!(root_id));
    let room = run["channel_id"].as_str().unwrap().to_owned();

    // A task action: "dba paged" by anyone marks "Page the DBA" done.
    carol
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": room, "message": "OK, DBA paged."})),
        )
        .await;
    let run_id = run["id"].as_str().unwrap().to_owned();
    let mut done = false;
    for _ in 0..200 {
        if run_of(&carol, &run_id).await["checklists"][0]["items"][0]["state"] == "closed" {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(done, "the task action marked the item done");

    // "Ignore": the prompt goes away and bob is not prompted there again.
    let second = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town, "message": "another outage?"})),
        )
        .await;
    let second_id = second["id"].as_str().unwrap().to_owned();
    let mut second_prompt = None;
    for _ in 0..200 {
        second_prompt = find_prompts()
            .await
            .into_iter()
            .find(|p| p["root_id"] == json!(second_id));
        if second_prompt.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let second_prompt = second_prompt.expect("a prompt for bob's thread");
    let mut bob_socket = bob.socket().await;
    bob.expect(
        StatusCode::OK,
        Method::POST,
        &format!(
            "/api/v4/posts/{}/actions/ignorethread",
            second_prompt["id"].as_str().unwrap()
        ),
        Some(json!({})),
    )
    .await;
    let event = bob_socket.next_event("ephemeral_message").await;
    let reply = event["data"]["post"].as_str().unwrap();
    assert!(reply.contains("no more playbook prompts"), "{reply}");
    bob_socket.close().await;
    assert!(
        !find_prompts()
            .await
            .iter()
            .any(|p| p["id"] == second_prompt["id"])
    );
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": town, "root_id": second_id, "message": "sev 1 outage still"})),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !find_prompts()
            .await
            .iter()
            .any(|p| p["root_id"] == json!(second_id))
    );

    // Welcome message for new members.
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/actions/channels/{town}", crate::client::API),
        Some(json!({"action_type": "send_welcome_message", "trigger_type": "new_member_joins", "enabled": true,
                    "payload": {"message": "Welcome to town! Incidents start here."}})),
    )
    .await;
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/actions/channels/{town}", crate::client::API),
        Some(json!({"action_type": "categorize_channel", "trigger_type": "new_member_joins", "enabled": true,
                    "payload": {"category_name": "Incidents"}})),
    )
    .await;
    let mut alice_socket = alice.socket().await;
    join(&alice, &town).await;
    let event = alice_socket.next_event("ephemeral_message").await;
    let post: Value = serde_json::from_str(event["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(post["message"], "Welcome to town! Incidents start here.");
    // ...and the channel is filed under her "Incidents" sidebar category.
    let path = format!("/api/v4/users/me/teams/{team_id}/channels/categories");
    let mut filed = false;
    for _ in 0..200 {
        let body = alice.get_ok(&path).await;
        filed = body["categories"].as_array().unwrap().iter().any(|c| {
            c["display_name"] == "Incidents"
                && c["type"] == "custom"
                && c["channel_ids"] == json!([town])
        });
        if filed {
            assert_eq!(body["order"].as_array().unwrap().len(), 3, "{body}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(filed, "town filed under Incidents");
    // Others' categories are private.
    let (status, _) = bob
        .get(&format!(
            "/api/v4/users/{}/teams/{team_id}/channels/categories",
            alice.id
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_daily_digest_reaches_participants_who_want_it() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team_id = team_with(&alice, "ops", &[&bob, &carol]).await;
    let town = channel(&bob, &team_id, "town").await;
    bob.expect(
        StatusCode::CREATED,
        Method::POST,
        &format!("{}/playbooks", crate::client::API),
        Some(json!({"title": "Incident response", "team_id": team_id, "public": true,
                    "invited_user_ids": [carol.id], "invite_users_enabled": true,
                    "checklists": [{"title": "Triage", "items": [{"title": "Assess", "assignee_type": "owner"}]}]})),
    )
    .await;
    assert!(
        text_of(&bob, &town, "/playbook run Incident Broken")
            .await
            .starts_with("Started")
    );
    // Activation scheduled the digests for 09:00 UTC.
    let jobs = app
        .state
        .services
        .jobs
        .jobs_for_plugin("playbooks")
        .unwrap();
    assert!(jobs.iter().any(|j| j.key == "digest/daily"), "{jobs:?}");
    assert!(jobs.iter().any(|j| j.key == "digest/weekly"), "{jobs:?}");
    // carol turns hers off.
    join(&carol, &town).await;
    assert!(
        text_of(&carol, &town, "/playbook settings digest off")
            .await
            .contains("**off**")
    );

    // Make the daily digest due now, as the clock would.
    let mut bob_socket = bob.socket().await;
    let mut carol_socket = carol.socket().await;
    app.state
        .services
        .jobs
        .schedule(&chat_store::ports::jobs::Job {
            plugin_id: "playbooks".into(),
            key: "digest/daily".into(),
            at_ms: 0,
            payload: String::new(),
        })
        .unwrap();
    app.state.services.scheduler_wake.notify_one();
    let event = bob_socket.next_event("posted").await;
    let post: Value = serde_json::from_str(event["data"]["post"].as_str().unwrap()).unwrap();
    let message = post["message"].as_str().unwrap();
    assert!(message.starts_with("#### Daily digest"), "{message}");
    assert!(
        message.contains("##### Your tasks (1)") && message.contains("Assess"),
        "{message}"
    );
    assert_eq!(event["data"]["channel_type"], "D");
    // The next one is scheduled again; carol got nothing.
    let jobs = app
        .state
        .services
        .jobs
        .jobs_for_plugin("playbooks")
        .unwrap();
    let daily = jobs
        .iter()
        .find(|j| j.key == "digest/daily")
        .expect("rescheduled");
    assert!(daily.at_ms > host_shim::model::now_ms());
    let quiet = tokio::time::timeout(
        Duration::from_millis(500),
        carol_socket.next_event("posted"),
    )
    .await;
    assert!(quiet.is_err(), "carol turned the digest off");
    bob_socket.close().await;
    carol_socket.close().await;
}
