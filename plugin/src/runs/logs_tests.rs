//! The run logs as rows, through [`RunStore`]: the run's row stays small
//! however long the timeline, changes write only what changed, the cap,
//! deletes clean up, and a 10,000-event run reads and updates quickly.

use crate::host::prelude::*;
use crate::playbooks::new_id_from_host;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::model::{PlaybookRun, StatusPost, TimelineEvent};
use crate::runs::store::{RunError, RunStore};

fn new_run(host: &TestHost) -> PlaybookRun {
    PlaybookRun {
        id: new_id_from_host(host).unwrap(),
        name: "r".into(),
        team_id: "t1".into(),
        channel_id: "ch".into(),
        owner_user_id: "bob".into(),
        participant_ids: vec!["bob".into()],
        create_at: 1,
        timeline_events: vec![event(0)],
        ..Default::default()
    }
}

fn event(n: usize) -> TimelineEvent {
    TimelineEvent {
        id: format!("e{n}"),
        event_type: "task_state_modified".into(),
        summary: "x".repeat(1000),
        ..Default::default()
    }
}

fn record_len(host: &TestHost, id: &str) -> usize {
    host.inner
        .sql_query("SELECT data FROM runs WHERE id = $1", &crate::params![id])
        .unwrap()
        .first()
        .unwrap()
        .text("data")
        .unwrap()
        .len()
}

/// Rows of run `id` in `table`.
fn rows(host: &TestHost, table: &str, id: &str) -> usize {
    host.inner
        .sql_query(
            &format!("SELECT COUNT(*) AS n FROM {table} WHERE run_id = $1"),
            &crate::params![id],
        )
        .unwrap()
        .first()
        .unwrap()
        .i64("n")
        .unwrap() as usize
}

fn short_event(n: usize) -> TimelineEvent {
    TimelineEvent {
        summary: "short".into(),
        ..event(n)
    }
}

#[test]
fn the_record_stays_small_however_long_the_timeline() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let run = store.create(new_run(&host)).unwrap();
    let small = record_len(&host, &run.id);
    for n in 1..1100 {
        store
            .update(&run.id, |r| {
                r.timeline_events.push(event(n));
                r.status_posts.push(StatusPost {
                    id: format!("p{n}"),
                    ..Default::default()
                });
                Ok::<(), RunError>(())
            })
            .unwrap();
    }
    // 1.1 MB of events: more than one value could hold.
    assert!(record_len(&host, &run.id) < small + 200, "record grew");
    let got = store.get(&run.id).unwrap().unwrap();
    assert_eq!(got.timeline_events.len(), 1100);
    assert_eq!(got.timeline_events[1099].id, "e1099");
    assert_eq!(got.status_posts.len(), 1099);
    // The JSON shape is unchanged.
    let json = got.to_json();
    assert_eq!(json["timeline_events"][0]["id"], "e0");
    assert!(json.get("_logs").is_none());
    assert_eq!(rows(&host, "run_timeline", &run.id), 1100);
    // Lists assemble them too.
    let many = store.get_many(std::slice::from_ref(&run.id)).unwrap();
    assert_eq!(many[0], got);
}

#[test]
fn changes_in_place_and_the_cap() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let run = store.create(new_run(&host)).unwrap();
    // A change names an entry by id: that entry is rewritten in place.
    let mut gone = store.timeline_event(&run.id, "e0").unwrap().unwrap();
    gone.delete_at = 7;
    store
        .update(&run.id, |r| {
            assert!(r.timeline_events.is_empty(), "changes never see the logs");
            r.timeline_events.push(gone.clone());
            Ok::<(), RunError>(())
        })
        .unwrap();
    let got = store.get(&run.id).unwrap().unwrap();
    assert_eq!(got.timeline_events.len(), 1);
    assert_eq!(got.timeline_events[0].delete_at, 7);
    // Past the cap the oldest go, and their rows with them.
    let cap = crate::limits::TIMELINE_EVENTS;
    store
        .update(&run.id, |r| {
            r.timeline_events.extend((1..cap + 5).map(short_event));
            Ok::<(), RunError>(())
        })
        .unwrap();
    let got = store.get(&run.id).unwrap().unwrap();
    assert_eq!(got.timeline_events.len(), cap);
    assert_eq!(got.timeline_events[0].id, "e5");
    assert_eq!(rows(&host, "run_timeline", &run.id), cap);
    // Soft-deleting one entry rewrites that one only, in place.
    let mut fourth = got.timeline_events[3].clone();
    fourth.delete_at = 9;
    let before = host.inner.sql.calls.get();
    store
        .update(&run.id, |r| {
            r.timeline_events.push(fourth.clone());
            Ok::<(), RunError>(())
        })
        .unwrap();
    // The row and tails, the ids named, one transaction.
    assert_eq!(host.inner.sql.calls.get() - before, 4);
    let after = store.get(&run.id).unwrap().unwrap();
    assert_eq!(after.timeline_events[3].delete_at, 9);
    assert_eq!(after.timeline_events.len(), cap);
    assert_eq!(after.timeline_events[4], got.timeline_events[4]);

    // Deleting the run deletes its logs.
    store.delete(&run.id, |_| Ok::<(), RunError>(())).unwrap();
    assert_eq!(rows(&host, "run_timeline", &run.id), 0);
    assert_eq!(rows(&host, "run_status_posts", &run.id), 0);
}

/// Issue 13: a run with 10,000 timeline events reads and updates in a few
/// milliseconds (natively, optimised; this debug test prints its figures
/// and checks what an update writes: the new event only).
#[test]
fn ten_thousand_events_read_and_update() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut run = new_run(&host);
    run.timeline_events = (0..10_000).map(short_event).collect();
    let run = store.create(run).unwrap();
    let started = std::time::Instant::now();
    let got = store.get(&run.id).unwrap().unwrap();
    let read = started.elapsed();
    assert_eq!(got.timeline_events.len(), 10_000);
    assert_eq!(got.timeline_events[9_999].id, "e9999");
    let before = host.inner.sql.calls.get();
    let started = std::time::Instant::now();
    store
        .update(&run.id, |r| {
            r.timeline_events.push(short_event(10_000));
            Ok::<(), RunError>(())
        })
        .unwrap();
    let update = started.elapsed();
    // The row, where the logs stand, the new entry's id (is it stored?),
    // then one transaction: never the 10,000 events.
    assert_eq!(host.inner.sql.calls.get() - before, 4);
    assert_eq!(rows(&host, "run_timeline", &run.id), 10_001);
    eprintln!("10k-event run (debug build): read {read:?}, update {update:?}");
}

#[test]
fn writes_over_the_limits_are_refused_naming_the_field() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let run = store.create(new_run(&host)).unwrap();
    let err = store
        .update(&run.id, |r| {
            r.summary = "x".repeat(1_000_000);
            Ok::<(), RunError>(())
        })
        .unwrap_err();
    assert!(
        matches!(&err, RunError::Invalid(e) if e.field == "summary"),
        "{err:?}"
    );
    let mut big = new_run(&host);
    big.retrospective = "x".repeat(1_000_000);
    assert!(matches!(store.create(big), Err(RunError::Invalid(e)) if e.field == "retrospective"));
}
