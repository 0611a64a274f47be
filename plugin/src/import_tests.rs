//! The importer against KV data written as the old code wrote it (both run
//! layouts), its resumability and its idempotence.

use crate::host::prelude::*;
use serde_json::json;

use super::*;
use crate::channel_actions::model::ChannelAction;
use crate::fake::FakeHost;
use crate::playbooks::model::PlaybookMember;
use crate::playbooks::store::PlaybookStore;
use crate::runs::model::{StatusPost, TimelineEvent};
use crate::runs::store::{RunFilter, RunStore, Viewer, next_run_number};

fn put(host: &FakeHost, key: String, value: &serde_json::Value) {
    host.kv_set(&key, &serde_json::to_vec(value).unwrap())
        .unwrap();
}

fn playbook(id: &str) -> Playbook {
    Playbook {
        id: id.into(),
        title: format!("Playbook {id}"),
        team_id: "t1".into(),
        run_number_prefix: "INC".into(),
        num_runs: 2,
        active_runs: 1,
        last_run_at: 77,
        members: vec![PlaybookMember {
            user_id: "bob".into(),
            roles: vec!["playbook_member".into()],
        }],
        ..Default::default()
    }
}

fn event(run: &str, n: u64) -> TimelineEvent {
    TimelineEvent {
        id: format!("e{n}"),
        playbook_run_id: run.into(),
        create_at: n as i64,
        event_type: "task_state_modified".into(),
        summary: format!("event {n}"),
        ..Default::default()
    }
}

fn run(id: &str, events: u64) -> PlaybookRun {
    PlaybookRun {
        id: id.into(),
        name: format!("Run {id}"),
        team_id: "t1".into(),
        channel_id: format!("ch-{id}"),
        playbook_id: "pb1".into(),
        owner_user_id: "bob".into(),
        participant_ids: vec!["bob".into()],
        followers: vec!["carol".into()],
        create_at: 10,
        timeline_events: (0..events).map(|n| event(id, n)).collect(),
        status_posts: vec![StatusPost {
            id: format!("p-{id}"),
            create_at: 5,
            delete_at: 0,
        }],
        ..Default::default()
    }
}

/// The oldest layout: everything inline in `run/<id>`.
fn write_inline(host: &FakeHost, r: &PlaybookRun) {
    put(
        host,
        legacy::run_key(&r.id),
        &serde_json::to_value(r).unwrap(),
    );
    host.kv_set(&legacy::run_team_key(&r.team_id, r.create_at, &r.id), b"")
        .unwrap();
}

/// The `_logs` layout: the record without its logs, one key per entry.
fn write_split(host: &FakeHost, r: &PlaybookRun) {
    let mut record = serde_json::to_value(r).unwrap();
    let fields = record.as_object_mut().unwrap();
    fields.remove("timeline_events");
    fields.remove("status_posts");
    let first = 3; // trimmed logs start later
    fields.insert(
        "_logs".into(),
        json!({
            "timeline": {"first": first, "next": first + r.timeline_events.len() as u64},
            "status_posts": {"first": 0, "next": r.status_posts.len()},
        }),
    );
    put(host, legacy::run_key(&r.id), &record);
    for (i, e) in r.timeline_events.iter().enumerate() {
        put(
            host,
            legacy::timeline_key(&r.id, first + i as u64),
            &serde_json::to_value(e).unwrap(),
        );
    }
    for (i, p) in r.status_posts.iter().enumerate() {
        put(
            host,
            legacy::status_post_key(&r.id, i as u64),
            &serde_json::to_value(p).unwrap(),
        );
    }
}

fn admin() -> Viewer {
    Viewer {
        user_id: "admin".into(),
        is_system_admin: true,
    }
}

fn count(host: &FakeHost, table: &str) -> i64 {
    host.sql_query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
        .unwrap()
        .first()
        .unwrap()
        .i64("n")
        .unwrap()
}

#[test]
fn both_run_layouts_playbooks_and_run_numbers_move_over_whole() {
    let host = FakeHost::with_basics();
    let pb = playbook("pb1");
    put(
        &host,
        legacy::playbook_key("pb1"),
        &serde_json::to_value(&pb).unwrap(),
    );
    host.kv_set(&legacy::playbook_team_key("t1", "pb1"), b"")
        .unwrap();
    host.kv_set(&legacy::prefix_key("t1", "INC"), b"pb1")
        .unwrap();
    host.kv_set(&legacy::seq_key("pb1"), b"41").unwrap();
    let inline = run("r-inline", 2600);
    let split = run("r-split", 1200);
    write_inline(&host, &inline);
    write_split(&host, &split);
    host.kv_set("run/broken", b"not json").unwrap();

    crate::lifecycle::activate(&host).unwrap();

    let stored = PlaybookStore::new(&host).get("pb1").unwrap().unwrap();
    assert_eq!(stored, pb, "counters included");
    let runs = RunStore::new(&host);
    assert_eq!(runs.get("r-inline").unwrap().unwrap(), inline);
    assert_eq!(runs.get("r-split").unwrap().unwrap(), split);
    assert!(host.logs.borrow().iter().any(|l| l.contains("run/broken")));
    assert_eq!(next_run_number(&host, "pb1").unwrap(), 42);
    // Lists find them through the tables (followers and all).
    let followed = runs
        .list(
            &admin(),
            &RunFilter {
                participant_or_follower_id: "carol".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(followed.total_count, 2);
    // An imported run keeps every entry it had, also on its next write.
    runs.update("r-inline", |r| {
        r.summary = "after import".into();
        Ok::<_, crate::runs::RunError>(())
    })
    .unwrap();
    let updated = runs.get("r-inline").unwrap().unwrap();
    assert_eq!(updated.summary, "after import");
    assert_eq!(updated.timeline_events.len(), 2600);
    // The KV records stay where they were.
    assert!(host.kv_get(&legacy::run_key("r-split")).unwrap().is_some());
}

#[test]
fn an_interrupted_import_resumes_after_its_cursor_without_duplicates() {
    let host = FakeHost::bare();
    crate::schema::migrate(&host).unwrap();
    let total = BATCH as usize * 2 + 7;
    for i in 0..total {
        let mut r = run(&format!("r{i:05}"), 1);
        r.status_posts.clear();
        write_inline(&host, &r);
    }
    // One batch, then a "crash".
    assert_eq!(step(&host, "runs").unwrap(), Some(BATCH as usize));
    assert_eq!(count(&host, "runs"), BATCH as i64);
    let cursor = host
        .sql_query(
            "SELECT cursor, done FROM kv_import WHERE name = 'runs'",
            &[],
        )
        .unwrap();
    let row = cursor.first().unwrap();
    assert_eq!(
        row.text("cursor").unwrap(),
        format!("run/r{:05}", BATCH - 1)
    );
    assert_eq!(row.i64("done").unwrap(), 0);

    // The next start continues after the cursor.
    assert_eq!(run_import(&host), total - BATCH as usize);
    assert_eq!(count(&host, "runs") as usize, total);
    assert_eq!(count(&host, "run_timeline") as usize, total);
    assert_eq!(count(&host, "run_participants") as usize, total);
    // Done: nothing more to do.
    assert_eq!(run_import(&host), 0);

    // A batch repeated (progress lost, or two instances) is harmless.
    host.sql_execute("DELETE FROM kv_import", &[]).unwrap();
    run_import(&host);
    assert_eq!(count(&host, "runs") as usize, total);
    assert_eq!(count(&host, "run_timeline") as usize, total);
    assert_eq!(count(&host, "run_followers") as usize, total);
}

fn run_import(host: &FakeHost) -> usize {
    super::run(host).unwrap()
}

fn action(channel: &str, id: &str, keyword: &str) -> ChannelAction {
    ChannelAction {
        id: id.into(),
        channel_id: channel.into(),
        enabled: true,
        action_type: "prompt_run_playbook".into(),
        trigger_type: "keywords".into(),
        payload: json!({"keywords": [keyword], "playbook_id": "pb1", "match_mode": "word"}),
        ..Default::default()
    }
}

#[test]
fn channel_actions_their_versions_and_ignore_flags_move_over() {
    use crate::channel_actions::store;
    let host = FakeHost::with_basics();
    let a1 = action("c1", "a1", "outage");
    let mut a2 = action("c1", "a2", "");
    a2.action_type = "send_welcome_message".into();
    a2.trigger_type = "new_member_joins".into();
    a2.payload = json!({"message": "Welcome!"});
    let b1 = action("c2", "b1", "sev");
    for a in [&a1, &a2, &b1] {
        put(
            &host,
            legacy::action_key(&a.channel_id, &a.id),
            &serde_json::to_value(a).unwrap(),
        );
    }
    host.kv_set(&legacy::action_version_key("c1"), b"7")
        .unwrap();
    host.kv_set(&legacy::action_version_key("c2"), b"0")
        .unwrap();
    host.kv_set("ca/c3/broken", b"not json").unwrap();
    host.kv_set(&legacy::ignore_key("t1", "bob"), b"1").unwrap();
    host.kv_set(&legacy::ignore_key("t2", "carol"), b"1")
        .unwrap();
    host.kv_set("kwignore/no-user", b"1").unwrap();
    host.kv_set("kwprompt/t1", b"123").unwrap();

    crate::lifecycle::activate(&host).unwrap();

    assert_eq!(store::list(&host, "c1").unwrap(), vec![a1.clone(), a2]);
    assert_eq!(store::get(&host, "c2", "b1").unwrap(), Some(b1));
    assert!(store::list(&host, "c3").unwrap().is_empty());
    // The KV version carries over, but never lowers what the import
    // counted (c2: one action imported, a stray version 0 in KV).
    assert_eq!(store::version(&host, "c1").unwrap(), Some(7));
    assert_eq!(store::version(&host, "c2").unwrap(), Some(1));
    let compiled = store::compiled(&host, "c1").unwrap().unwrap();
    assert_eq!(compiled.version, 7);
    assert_eq!(compiled.matcher.find("an OUTAGE").len(), 1);
    assert!(store::is_ignored(&host, "t1", "bob").unwrap());
    assert!(store::is_ignored(&host, "t2", "carol").unwrap());
    assert!(!store::is_ignored(&host, "t1", "carol").unwrap());
    assert_eq!(count(&host, "keyword_ignores"), 2);
    let logs = host.logs.borrow();
    assert!(logs.iter().any(|l| l.contains("ca/c3/broken")));
    assert!(logs.iter().any(|l| l.contains("kwignore/no-user")));
    drop(logs);
    // The rate-limit stamps stay in KV, and the old records stay put.
    assert!(host.kv_get("kwprompt/t1").unwrap().is_some());
    assert!(
        host.kv_get(&legacy::action_key("c1", "a1"))
            .unwrap()
            .is_some()
    );
}

#[test]
fn channel_action_and_ignore_imports_resume_and_repeat_harmlessly() {
    use crate::channel_actions::store;
    let host = FakeHost::bare();
    crate::schema::migrate(&host).unwrap();
    let actions = BATCH as usize + 3;
    for i in 0..actions {
        let a = action(&format!("c{}", i % 10), &format!("a{i:05}"), "outage");
        put(
            &host,
            legacy::action_key(&a.channel_id, &a.id),
            &serde_json::to_value(&a).unwrap(),
        );
    }
    let ignores = BATCH as usize * 2 + 5;
    for i in 0..ignores {
        host.kv_set(&legacy::ignore_key(&format!("t{i:05}"), "bob"), b"1")
            .unwrap();
    }

    // One batch of each, then a "crash".
    assert_eq!(
        step(&host, "channel_actions").unwrap(),
        Some(BATCH as usize)
    );
    assert_eq!(
        step(&host, "keyword_ignores").unwrap(),
        Some(BATCH as usize)
    );
    assert_eq!(count(&host, "channel_actions"), BATCH as i64);
    assert_eq!(count(&host, "keyword_ignores"), BATCH as i64);
    let cursor = host
        .sql_query(
            "SELECT cursor, done FROM kv_import WHERE name = 'keyword_ignores'",
            &[],
        )
        .unwrap();
    let row = cursor.first().unwrap();
    assert_eq!(
        row.text("cursor").unwrap(),
        format!("kwignore/t{:05}/bob", BATCH - 1)
    );
    assert_eq!(row.i64("done").unwrap(), 0);

    // The next start continues after the cursors.
    assert_eq!(
        run_import(&host),
        actions - BATCH as usize + ignores - BATCH as usize
    );
    assert_eq!(count(&host, "channel_actions") as usize, actions);
    assert_eq!(count(&host, "keyword_ignores") as usize, ignores);
    assert_eq!(count(&host, "channel_action_versions"), 10);
    assert_eq!(run_import(&host), 0);

    // An edit after the import, then the whole import again (progress
    // lost): the edit stays, nothing doubles, no version goes back.
    let mut edited = store::get(&host, "c3", "a00003").unwrap().unwrap();
    edited.enabled = false;
    store::put(&host, &edited).unwrap();
    let version = store::version(&host, "c3").unwrap().unwrap();
    host.sql_execute("DELETE FROM kv_import", &[]).unwrap();
    run_import(&host);
    assert_eq!(count(&host, "channel_actions") as usize, actions);
    assert_eq!(count(&host, "keyword_ignores") as usize, ignores);
    assert_eq!(store::get(&host, "c3", "a00003").unwrap(), Some(edited));
    assert!(store::version(&host, "c3").unwrap().unwrap() >= version);
}
