//! `start_run` with the test host: users `admin` (system admin), `bob` and
//! `carol` (team `t1`), `dave` (team `t2`); channel `c1` in `t1` (bob and
//! admin are members).

use crate::host::prelude::*;
use serde_json::Value;

use super::*;
use crate::host::Post;
use crate::playbooks::model::{Checklist, ChecklistItem, PlaybookMember, role};
use crate::playbooks::store::test_host::TestHost;

pub(crate) const PB: &str = "pbpbpbpbpbpbpbpbpbpbpbpbpb";

/// Stores `pb` directly (test users are not id-shaped, so the playbook
/// store's validation would refuse invitees and such).
pub(crate) fn put_playbook(host: &TestHost, pb: &Playbook) {
    for table in [
        "playbooks WHERE id",
        "playbook_members WHERE playbook_id",
        "playbook_prefixes WHERE playbook_id",
    ] {
        host.inner
            .sql_execute(
                &format!("DELETE FROM {table} = $1"),
                &crate::params![&pb.id],
            )
            .expect("delete playbook rows");
    }
    assert!(
        crate::playbooks::store::PlaybookStore::new(&host.inner)
            .put_raw(pb)
            .expect("playbook stored")
    );
}

pub(crate) fn playbook() -> Playbook {
    Playbook {
        id: PB.into(),
        title: "Incident".into(),
        team_id: "t1".into(),
        public: false,
        members: vec![PlaybookMember {
            user_id: "bob".into(),
            roles: vec![role::MEMBER.into(), role::ADMIN.into()],
        }],
        run_number_prefix: "INC".into(),
        channel_name_template: "{SEQ} {OWNER} by {CREATOR}".into(),
        checklists: vec![Checklist {
            id: "cl".into(),
            title: "Triage".into(),
            items: vec![
                ChecklistItem {
                    id: "i1".into(),
                    title: "Assess".into(),
                    due_date: 60_000,
                    assignee_type: "owner".into(),
                    state: "closed".into(),
                    ..Default::default()
                },
                ChecklistItem {
                    id: "i2".into(),
                    title: "Page".into(),
                    ..Default::default()
                },
            ],
        }],
        broadcast_enabled: true,
        broadcast_channel_ids: vec!["c1".into()],
        webhook_on_creation_enabled: true,
        webhook_on_creation_urls: vec!["https://hooks.example.com/x".into()],
        invite_users_enabled: true,
        invited_user_ids: vec!["carol".into(), "dave".into()],
        ..Default::default()
    }
}

fn req(playbook_id: &str, owner: &str) -> StartRequest {
    StartRequest {
        playbook_id: playbook_id.into(),
        owner_user_id: owner.into(),
        team_id: "t1".into(),
        ..Default::default()
    }
}

#[test]
fn starts_a_run_from_a_playbook() {
    let host = TestHost::new();
    put_playbook(&host, &playbook());
    let run = start_run(&host, "bob", req(PB, "carol")).expect("run");
    let now = host.now_ms();
    assert_eq!(run.name, "INC-00001 carol by bob");
    assert_eq!(run.sequential_id, "INC-00001");
    assert_eq!(run.run_number, 1);
    assert_eq!(run.kind, "playbook");
    assert_eq!(run.current_status, "InProgress");
    assert_eq!(run.create_at, now);
    assert_eq!(run.last_status_update_at, now);
    assert_eq!(run.owner_user_id, "carol");
    assert_eq!(run.reporter_user_id, "bob");
    // dave is not in the team: not invited.
    assert_eq!(run.participant_ids, vec!["carol", "bob"]);
    let item = &run.checklists[0].items[0];
    assert_eq!(item.due_date, now + 60_000);
    assert_eq!(item.state, "", "a run starts with open tasks");
    assert_eq!(item.assignee_id, "carol");
    assert_eq!(run.checklists[0].items[1].due_date, 0);
    assert_eq!((run.task_total, run.task_completed), (2, 0));
    assert_eq!(run.timeline_events.len(), 1);
    assert_eq!(run.timeline_events[0].event_type, "incident_created");

    // Channel: private, named from the run, header links the playbook.
    let channel = host.channel(&run.channel_id).unwrap().expect("channel");
    assert_eq!(channel.channel_type, "P");
    assert!(
        channel.name.starts_with("inc-00001-carol-by-bob-"),
        "{}",
        channel.name
    );
    assert!(channel.name.len() <= 64);
    assert_eq!(channel.display_name, run.name);
    assert_eq!(
        channel.header,
        format!(
            "This channel was created as part of the [Incident](/playbooks/playbooks/{PB}) playbook."
        )
    );
    for user in ["bot", "bob", "carol"] {
        assert!(host.is_channel_member(&channel.id, user).unwrap(), "{user}");
    }
    assert!(!host.is_channel_member(&channel.id, "dave").unwrap());
    assert!(host.is_team_member("t1", "bot").unwrap());

    // Stored, announced, DMed, webhook, event, counters.
    assert_eq!(
        RunStore::new(&host).get(&run.id).unwrap(),
        Some(run.clone())
    );
    let posts = host.inner.posts.borrow().clone();
    assert!(posts.iter().any(|p| {
        p.channel_id == "c1"
            && p.message
                .starts_with("@bob ran the [Incident](/playbooks/playbooks/")
    }));
    assert!(posts.iter().any(|p| p.channel_id == "bot__carol"));
    let hooks = host.inner.webhooks.borrow().clone();
    assert_eq!(hooks.len(), 1);
    let payload: Value = serde_json::from_str(&hooks[0].1).unwrap();
    assert_eq!(payload["id"], run.id.as_str());
    assert_eq!(payload["event"]["type"], "incident_created");
    assert_eq!(
        payload["details_url"],
        format!("/playbooks/runs/{}", run.id)
    );
    assert!(
        payload["channel_url"]
            .as_str()
            .unwrap()
            .starts_with("/team-one/channels/inc-")
    );
    let events = host.events();
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "playbook_run_created");
    assert_eq!(data["playbook_run"]["id"], run.id.as_str());
    let pb = PlaybookStore::new(&host).get(PB).unwrap().unwrap();
    assert_eq!((pb.num_runs, pb.active_runs, pb.last_run_at), (1, 1, now));

    // Numbers go on.
    let second = start_run(&host, "bob", req(PB, "")).unwrap();
    assert_eq!(second.sequential_id, "INC-00002");
    assert_eq!(second.owner_user_id, "bob");
    assert_ne!(second.channel_id, run.channel_id);
}

#[test]
fn permissions_and_field_errors() {
    let host = TestHost::new();
    put_playbook(&host, &playbook());
    // carol is in the team but not a member of the private playbook.
    assert!(matches!(
        start_run(&host, "carol", req(PB, "")),
        Err(RunError::Forbidden(_))
    ));
    // dave is not in the team.
    assert!(matches!(
        start_run(&host, "dave", req(PB, "")),
        Err(RunError::Forbidden(_))
    ));
    let field = |r: RunResult<PlaybookRun>| match r {
        Err(RunError::Invalid(e)) => e.field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(start_run(&host, "bob", req("nope", ""))),
        "playbook_id"
    );
    assert_eq!(
        field(start_run(&host, "bob", req(PB, "dave"))),
        "owner_user_id"
    );
    assert_eq!(
        field(start_run(&host, "bob", req(PB, "ghost"))),
        "owner_user_id"
    );
    let mut r = req(PB, "");
    r.team_id = "t2".into();
    assert_eq!(field(start_run(&host, "bob", r)), "team_id");
    let mut r = req(PB, "");
    r.kind = "weird".into();
    assert_eq!(field(start_run(&host, "bob", r)), "type");
    let mut pb = playbook();
    pb.channel_name_template = "{SEQ} {NOPE}".into();
    put_playbook(&host, &pb);
    assert_eq!(
        field(start_run(&host, "bob", req(PB, ""))),
        "channel_name_template"
    );
    pb.delete_at = 5;
    pb.channel_name_template.clear();
    put_playbook(&host, &pb);
    assert_eq!(field(start_run(&host, "bob", req(PB, ""))), "playbook_id");
    // Admin may run any playbook.
    pb.delete_at = 0;
    put_playbook(&host, &pb);
    let run = start_run(&host, "admin", req(PB, "")).unwrap();
    assert!(run.name.ends_with(" - Untitled"), "{}", run.name);
}

#[test]
fn links_existing_channels_and_standalone_runs() {
    let host = TestHost::new();
    let mut pb = playbook();
    pb.channel_mode = "link_existing_channel".into();
    pb.channel_id = "c1".into();
    pb.create_public_playbook_run = true;
    pb.webhook_on_creation_enabled = false;
    put_playbook(&host, &pb);
    let mut r = req(PB, "");
    r.name = "Outage".into();
    let run = start_run(&host, "bob", r).unwrap();
    assert_eq!(run.channel_id, "c1");
    assert_eq!(run.name, "Outage");
    assert!(host.inner.webhooks.borrow().is_empty());
    // carol cannot link a channel she is not in.
    let host = TestHost::new();
    let mut pb2 = playbook();
    pb2.public = true;
    pb2.channel_mode = "link_existing_channel".into();
    pb2.channel_id = "c1".into();
    put_playbook(&host, &pb2);
    assert!(matches!(
        start_run(&host, "carol", req(PB, "")),
        Err(RunError::Forbidden(_))
    ));

    // Standalone: in c1, and in a new public channel.
    let run = start_run(
        &host,
        "bob",
        StartRequest {
            name: "Checklist".into(),
            channel_id: "c1".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(run.kind, "channelChecklist");
    assert_eq!(
        (run.team_id.as_str(), run.channel_id.as_str()),
        ("t1", "c1")
    );
    assert!(run.checklists.is_empty());
    assert_eq!(run.run_number, 0);
    let run = start_run(
        &host,
        "bob",
        StartRequest {
            name: "Äh! Big   Launch".into(),
            team_id: "t1".into(),
            create_public_run: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let channel = host.channel(&run.channel_id).unwrap().unwrap();
    assert_eq!(channel.channel_type, "O");
    assert!(
        channel.name.starts_with("h-big-launch-"),
        "{}",
        channel.name
    );
    assert_eq!(channel.header, "");
}

#[test]
fn quotes_the_originating_post() {
    let host = TestHost::new();
    let post = host
        .create_post(Post {
            channel_id: "c1".into(),
            message: "db down\nhelp".into(),
            ..Default::default()
        })
        .unwrap();
    let run = start_run(
        &host,
        "bob",
        StartRequest {
            name: "From post".into(),
            team_id: "t1".into(),
            post_id: post.id.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let posts = host.inner.posts.borrow().clone();
    assert!(
        posts
            .iter()
            .any(|p| p.channel_id == run.channel_id && p.message.contains("> db down\n> help"))
    );
}

#[test]
fn name_templates_and_channel_names() {
    assert_eq!(
        resolve_name("{SEQ} x", "A-00001", "o", "c").unwrap(),
        "A-00001 x"
    );
    assert_eq!(
        resolve_name("", "A-00001", "o", "c").unwrap(),
        "A-00001 - Untitled"
    );
    assert_eq!(resolve_name("  ", "", "o", "c").unwrap(), "Untitled");
    assert_eq!(resolve_name("{SEQ}", "", "o", "c").unwrap(), "Untitled");
    assert_eq!(
        resolve_name("{OWNER}/{CREATOR} {x} {", "", "o", "c").unwrap(),
        "o/c {x} {"
    );
    assert!(
        resolve_name("{FOO}", "", "o", "c")
            .unwrap_err()
            .contains("{FOO}")
    );
    assert_eq!(channel_name("Big Outage!!", "ab12"), "big-outage-ab12");
    assert_eq!(channel_name("!!!", "ab12"), "run-ab12");
    let long = channel_name(&"x".repeat(100), "ab12");
    assert_eq!(long.len(), 64);
    assert!(long.ends_with("-ab12"));
}

#[test]
fn run_numbers_survive_concurrency() {
    let host = TestHost::new();
    assert_eq!(next_run_number(&host, PB).unwrap(), 1);
    // Someone else takes number 2 between our read and our write.
    host.before_next_write(|inner| {
        assert_eq!(next_run_number(inner, PB).unwrap(), 2);
    });
    assert_eq!(next_run_number(&host, PB).unwrap(), 3);
}
