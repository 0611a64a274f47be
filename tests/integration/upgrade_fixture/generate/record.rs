//! The generator's second half: what the release answers about the data
//! [`super::build`] wrote, per user, recorded for the upgrade test.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::super::recorded::Recorded;
use super::super::server::{Api, Server};
use super::Ids;
use crate::client::API;

/// Collects the recorded answers.
struct Recorder(Vec<(String, Recorded)>);

impl Recorder {
    async fn get(&mut self, name: &str, api: &Api<'_>, path: &str, status: StatusCode) {
        let path = format!("{API}{path}");
        let (got, body) = api.call(Method::GET, &path, None).await;
        assert_eq!(got, status, "{} GET {path}: {body}", api.username);
        self.0.push((
            format!("{}-{name}", api.username),
            Recorded {
                user: api.username.clone(),
                method: "GET".into(),
                path,
                channel_id: String::new(),
                status: got.as_u16(),
                body,
            },
        ));
    }

    async fn ok(&mut self, name: &str, api: &Api<'_>, path: &str) {
        self.get(name, api, path, StatusCode::OK).await;
    }

    async fn command(&mut self, name: &str, api: &Api<'_>, channel_id: &str, command: &str) {
        let text = api.command(channel_id, command).await;
        assert!(!text.is_empty(), "{command}: no answer");
        self.0.push((
            format!("{}-{name}", api.username),
            Recorded {
                user: api.username.clone(),
                method: "COMMAND".into(),
                path: command.into(),
                channel_id: channel_id.into(),
                status: 200,
                body: json!(text),
            },
        ));
    }
}

/// What the release answers, per user, for every record written.
pub async fn record(server: &Server, ids: &Ids) -> Vec<(String, Recorded)> {
    let s = |k: &str| ids[k].as_str().unwrap().to_owned();
    let alice = server.log_in("alice").await;
    let bob = server.log_in("bob").await;
    let carol = server.log_in("carol").await;
    let dave = server.log_in("dave").await;
    let (ops, town) = (s("team_ops"), s("channel_town"));
    let mut r = Recorder(Vec::new());

    // Playbooks: lists as each user sees them, each one, its export.
    for u in [&alice, &bob, &carol, &dave] {
        r.ok(
            "playbooks",
            u,
            &format!("/playbooks?team_id={ops}&per_page=200"),
        )
        .await;
        r.ok(
            "playbooks-all-teams-archived",
            u,
            "/playbooks?with_archived=true&per_page=200",
        )
        .await;
    }
    r.ok(
        "playbooks-sorted",
        &alice,
        &format!("/playbooks?team_id={ops}&sort=title&direction=desc&page=1&per_page=2"),
    )
    .await;
    r.ok(
        "playbooks-search",
        &alice,
        &format!("/playbooks?team_id={ops}&search_term=incident"),
    )
    .await;
    r.ok(
        "playbooks-autocomplete",
        &alice,
        &format!("/playbooks/autocomplete?team_id={ops}"),
    )
    .await;
    for key in [
        "incident",
        "security",
        "release",
        "archived",
        "imported",
        "duplicate",
        "soak",
    ] {
        let pb = s(&format!("playbook_{key}"));
        r.ok(
            &format!("playbook-{key}"),
            &alice,
            &format!("/playbooks/{pb}"),
        )
        .await;
        r.ok(
            &format!("playbook-{key}-export"),
            &alice,
            &format!("/playbooks/{pb}/export"),
        )
        .await;
    }
    r.ok(
        "playbook-security",
        &bob,
        &format!("/playbooks/{}", s("playbook_security")),
    )
    .await;
    r.get(
        "playbook-security-denied",
        &carol,
        &format!("/playbooks/{}", s("playbook_security")),
        StatusCode::FORBIDDEN,
    )
    .await;
    for key in ["incident", "security", "imported"] {
        r.ok(
            &format!("stats-{key}"),
            &alice,
            &format!(
                "/stats/playbook?playbook_id={}",
                s(&format!("playbook_{key}"))
            ),
        )
        .await;
    }

    // Runs: each one with everything served about it.
    for key in [
        "active",
        "retro_published",
        "restored",
        "retro_canceled",
        "private",
        "linked",
        "standalone",
        "from_prompt",
        "long_timeline",
    ] {
        let run = s(&format!("run_{key}"));
        r.ok(&format!("run-{key}"), &alice, &format!("/runs/{run}"))
            .await;
        r.ok(
            &format!("run-{key}-metadata"),
            &alice,
            &format!("/runs/{run}/metadata"),
        )
        .await;
        r.ok(
            &format!("run-{key}-status-updates"),
            &alice,
            &format!("/runs/{run}/status-updates"),
        )
        .await;
        r.ok(
            &format!("run-{key}-followers"),
            &alice,
            &format!("/runs/{run}/followers"),
        )
        .await;
    }
    // Reports of finished runs (a running one's says "running for <now>").
    for key in ["retro_published", "retro_canceled", "private"] {
        r.ok(
            &format!("run-{key}-export"),
            &alice,
            &format!("/runs/{}/export", s(&format!("run_{key}"))),
        )
        .await;
    }
    r.get(
        "run-deleted",
        &alice,
        &format!("/runs/{}", s("run_deleted")),
        StatusCode::NOT_FOUND,
    )
    .await;
    r.ok("run-active", &bob, &format!("/runs/{}", s("run_active")))
        .await;
    r.ok("run-active", &carol, &format!("/runs/{}", s("run_active")))
        .await;
    r.ok("run-private", &bob, &format!("/runs/{}", s("run_private")))
        .await;
    r.get(
        "run-private-denied",
        &carol,
        &format!("/runs/{}", s("run_private")),
        StatusCode::FORBIDDEN,
    )
    .await;

    // Run lists: as each user, and with every filter.
    for u in [&alice, &bob, &carol, &dave] {
        r.ok("runs", u, &format!("/runs?team_id={ops}")).await;
        r.ok(
            "runs-mine",
            u,
            &format!("/runs?team_id={ops}&participant_or_follower_id=me"),
        )
        .await;
    }
    r.ok("runs-all-teams", &bob, "/runs").await;
    let bob_id = s("user_bob");
    for (name, query) in [
        ("in-progress", "statuses=InProgress".to_owned()),
        ("finished", "statuses=Finished".to_owned()),
        (
            "playbook",
            format!("playbook_id={}", s("playbook_incident")),
        ),
        ("owner", format!("owner_user_id={bob_id}")),
        ("participant", format!("participant_id={bob_id}")),
        ("channel", format!("channel_id={town}")),
        ("search", "search_term=checkout".to_owned()),
        ("sort-name-desc", "sort=name&direction=desc".to_owned()),
        ("page", "per_page=2&page=1".to_owned()),
        ("omit-ended", "omit_ended=true".to_owned()),
        (
            "started-window",
            format!("started_gte=1&started_lt={}", i64::MAX),
        ),
    ] {
        r.ok(
            &format!("runs-{name}"),
            &alice,
            &format!("/runs?team_id={ops}&{query}"),
        )
        .await;
    }
    r.ok(
        "runs-in-town",
        &alice,
        &format!("/runs/channel/{town}/runs"),
    )
    .await;
    r.ok(
        "runs-owners",
        &alice,
        &format!("/runs/owners?team_id={ops}"),
    )
    .await;
    r.ok(
        "runs-channels",
        &alice,
        &format!("/runs/channels?team_id={ops}"),
    )
    .await;

    // Channel actions.
    for key in ["town", "war_room"] {
        r.ok(
            &format!("actions-{key}"),
            &alice,
            &format!("/actions/channels/{}", s(&format!("channel_{key}"))),
        )
        .await;
    }
    r.ok(
        "actions-town-prompts",
        &alice,
        &format!("/actions/channels/{town}?action_type=prompt_run_playbook"),
    )
    .await;

    // Read-only slash commands: user settings, a timeline.
    for u in [&alice, &bob, &carol] {
        r.command("settings", u, &town, "/playbook settings").await;
    }
    r.command(
        "timeline",
        &alice,
        &s("run_active_channel"),
        "/playbook timeline",
    )
    .await;
    r.0
}
