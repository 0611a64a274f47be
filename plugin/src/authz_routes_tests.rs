//! Every entry point that hands an id to the bot goes through
//! [`crate::authz`]: REST run creation, playbook saving, the run dialog,
//! the keyword prompt's button, status update broadcasts.

use serde_json::{Value, json};

use crate::api::{ActionRequest, DialogSubmission};
use crate::channel_actions::prompt::{ACTION_RUN, PROMPT_PROP};
use crate::commands::dialogs::RUN_DIALOG;
use crate::hooks;
use crate::host::{Channel, Post};
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, start};
use crate::runs::create::tests::{PB, playbook, put_playbook};

/// Id-shaped channel ids (the playbook validation wants them).
const PRIVATE: &str = "pppppppppppppppppppppppppp";
const ARCHIVED: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
const OPEN: &str = "oooooooooooooooooooooooooo";

/// The test host plus: `OPEN` (bob a member), `PRIVATE` (admin only),
/// `ARCHIVED` (bob a member), posts `pp` (private), `px` (deleted, open),
/// `po` (open), and the test playbook runnable by bob.
fn setup() -> TestHost {
    let host = TestHost::new();
    for (id, kind, deleted, member) in [
        (OPEN, "O", 0, "bob"),
        (PRIVATE, "P", 0, "admin"),
        (ARCHIVED, "O", 7, "bob"),
    ] {
        host.inner.channels.borrow_mut().insert(
            id.into(),
            Channel {
                id: id.into(),
                team_id: "t1".into(),
                channel_type: kind.into(),
                name: id.into(),
                delete_at: deleted,
                ..Default::default()
            },
        );
        host.inner
            .members
            .borrow_mut()
            .push((id.into(), member.into()));
    }
    for (id, channel, deleted) in [("pp", PRIVATE, 0), ("px", OPEN, 3), ("po", OPEN, 0)] {
        host.inner.posts.borrow_mut().push(Post {
            id: id.into(),
            channel_id: channel.into(),
            user_id: "admin".into(),
            message: format!("SECRET-{id}"),
            delete_at: deleted,
            ..Default::default()
        });
    }
    let mut pb = playbook();
    pb.invite_users_enabled = false;
    put_playbook(&host, &pb);
    host
}

fn quoted(host: &TestHost, id: &str) -> bool {
    host.inner
        .posts
        .borrow()
        .iter()
        .any(|p| p.user_id == "bot" && p.message.contains(&format!("SECRET-{id}")))
}

#[test]
fn run_creation_quotes_only_readable_posts() {
    let host = setup();
    for (post, status) in [("pp", 403), ("px", 404), ("nope", 404)] {
        let r = call(
            &host,
            Some("bob"),
            "POST",
            "/runs",
            Some(json!({"playbook_id": PB, "team_id": "t1", "post_id": post})),
        );
        assert_eq!(r.status, status, "{post}: {}", r.body);
        assert!(r.message().starts_with("post_id: "), "{}", r.message());
        assert!(!quoted(&host, post));
    }
    start(
        &host,
        "bob",
        json!({"playbook_id": PB, "team_id": "t1", "post_id": "po"}),
    );
    assert!(quoted(&host, "po"));
}

#[test]
fn a_linked_channel_must_be_postable() {
    let host = setup();
    for channel in [ARCHIVED, PRIVATE] {
        let r = call(
            &host,
            Some("bob"),
            "POST",
            "/runs",
            Some(json!({"playbook_id": PB, "team_id": "t1", "channel_id": channel})),
        );
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.message().starts_with("channel_id: "), "{}", r.message());
    }
}

#[test]
fn the_run_dialog_rechecks_the_post_in_its_state() {
    let host = setup();
    let submit = |post: &str| {
        hooks::dialog_submit(
            &host,
            &DialogSubmission {
                callback_id: RUN_DIALOG.into(),
                state: json!({"channel_id": PRIVATE, "post_id": post}).to_string(),
                user_id: "bob".into(),
                channel_id: OPEN.into(),
                team_id: "t1".into(),
                submission: json!({"playbook_id": PB}),
                cancelled: false,
            },
        )
        .unwrap()
    };
    let refused = submit("pp");
    assert!(refused.error.starts_with("post_id: "), "{refused:?}");
    assert!(!quoted(&host, "pp"));
    // A readable post starts the run; the note goes to the submission's
    // channel, not to the unreadable one named in the state.
    assert_eq!(submit("po").error, "");
    assert!(quoted(&host, "po"));
    let notes = host.inner.ephemerals.borrow();
    assert!(
        notes.iter().all(|(_, p)| p.channel_id != PRIVATE),
        "{notes:?}"
    );
}

#[test]
fn the_prompt_button_passes_on_only_a_readable_post_of_its_channel() {
    let host = setup();
    host.inner.posts.borrow_mut().push(Post {
        id: "prompt".into(),
        channel_id: OPEN.into(),
        user_id: "bot".into(),
        root_id: "po".into(),
        props: serde_json::from_value(json!({PROMPT_PROP: true})).unwrap(),
        ..Default::default()
    });
    *host.inner.bot.borrow_mut() = Some("bot".into());
    let click = |post: &str| {
        let response = hooks::post_action(
            &host,
            &ActionRequest {
                user_id: "bob".into(),
                channel_id: OPEN.into(),
                team_id: "t1".into(),
                post_id: "prompt".into(),
                trigger_id: "trigger".into(),
                context: json!({"action": ACTION_RUN, "post_id": post, "playbook_ids": [PB]}),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(response.ephemeral_text, "");
        let dialogs = host.inner.dialogs.borrow();
        let state: Value =
            serde_json::from_str(dialogs.last().unwrap().1["state"].as_str().unwrap()).unwrap();
        state["post_id"].as_str().unwrap().to_owned()
    };
    assert_eq!(click("pp"), "", "unreadable");
    assert_eq!(click("px"), "", "deleted");
    assert_eq!(click("po"), "po");
}

#[test]
fn saving_a_playbook_checks_the_broadcast_channels_it_adds() {
    let host = setup();
    let body = |channels: Value| {
        json!({"title": "B", "team_id": "t1", "broadcast_enabled": true,
               "broadcast_channel_ids": channels})
    };
    for channel in [PRIVATE, ARCHIVED] {
        let r = call(
            &host,
            Some("bob"),
            "POST",
            "/playbooks",
            Some(body(json!([channel]))),
        );
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.message().starts_with("broadcast_channel_ids: "));
    }
    let unknown = "uuuuuuuuuuuuuuuuuuuuuuuuuu";
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/playbooks",
        Some(body(json!([unknown]))),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    // Saved by admin (a member of PRIVATE), bob may still edit the rest.
    host.inner
        .members
        .borrow_mut()
        .push((OPEN.into(), "admin".into()));
    let r = call(
        &host,
        Some("admin"),
        "POST",
        "/playbooks",
        Some(
            json!({"title": "Shared", "team_id": "t1", "broadcast_enabled": true,
                    "broadcast_channel_ids": [PRIVATE, OPEN],
                    "members": [{"user_id": "admin", "roles": ["playbook_member", "playbook_admin"]},
                                {"user_id": "bob", "roles": ["playbook_member"]}]}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &format!("/playbooks/{id}"),
        Some(json!({"description": "edited"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &format!("/playbooks/{id}"),
        Some(json!({"broadcast_channel_ids": [PRIVATE, OPEN, ARCHIVED]})),
    );
    assert_eq!(r.status, 403, "{}", r.body);
}

#[test]
fn broadcasts_skip_channels_the_actor_cannot_post_in() {
    let host = setup();
    let mut pb = playbook();
    pb.invite_users_enabled = false;
    pb.broadcast_enabled = true;
    pb.status_update_enabled = true;
    pb.broadcast_channel_ids = vec![OPEN.into(), PRIVATE.into(), ARCHIVED.into()];
    put_playbook(&host, &pb);
    let run = start(
        &host,
        "bob",
        json!({"playbook_id": PB, "team_id": "t1", "name": "Outage"}),
    );
    let id = run["id"].as_str().unwrap();
    let r = call(
        &host,
        Some("bob"),
        "POST",
        &format!("/runs/{id}/status"),
        Some(json!({"message": "all good", "reminder": 600})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let by_channel = |channel: &str| {
        host.inner
            .posts
            .borrow()
            .iter()
            .filter(|p| p.channel_id == channel && p.user_id == "bot")
            .count()
    };
    assert_eq!(by_channel(OPEN), 2, "announcement and update");
    assert_eq!(by_channel(PRIVATE), 0);
    assert_eq!(by_channel(ARCHIVED), 0);
    let notes: Vec<String> = host
        .inner
        .ephemerals
        .borrow()
        .iter()
        .filter(|(u, _)| u == "bob")
        .map(|(_, p)| p.message.clone())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("Not announced in 2 broadcast channel(s)"));
    assert!(notes[1].starts_with("Not broadcast in 2 broadcast channel(s)"));
    assert!(host.inner.logs.borrow().iter().any(|l| l.contains(PRIVATE)));
}

#[test]
fn the_linked_channel_of_a_playbook_must_be_postable_by_its_saver() {
    let host = setup();
    let body = |channel: &str| {
        json!({"title": "L", "team_id": "t1", "channel_mode": "link_existing_channel",
               "channel_id": channel})
    };
    let r = call(
        &host,
        Some("bob"),
        "POST",
        "/playbooks",
        Some(body(PRIVATE)),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.message().starts_with("channel_id: "), "{}", r.message());
    let r = call(&host, Some("bob"), "POST", "/playbooks", Some(body(OPEN)));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    let r = call(
        &host,
        Some("bob"),
        "PATCH",
        &format!("/playbooks/{id}"),
        Some(json!({"channel_id": ARCHIVED})),
    );
    assert_eq!(r.status, 403, "{}", r.body);
}
