//! The run logs layout through [`RunStore`]: records stay small however
//! long the timeline, old-layout records read and migrate, deletes clean
//! up.

use crate::playbooks::new_id_from_host;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::model::{PlaybookRun, StatusPost, TimelineEvent};
use crate::runs::store::{RunError, RunStore, record_key};

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
    host.inner.kv.borrow()[&record_key(id)].len()
}

fn keys_under(host: &TestHost, prefix: &str) -> usize {
    host.inner
        .kv
        .borrow()
        .keys()
        .filter(|k| k.starts_with(prefix))
        .count()
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
    // Lists assemble them too.
    let many = store.get_many(std::slice::from_ref(&run.id)).unwrap();
    assert_eq!(many[0], got);
}

#[test]
fn changes_in_place_and_the_cap() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let run = store.create(new_run(&host)).unwrap();
    store
        .update(&run.id, |r| {
            r.timeline_events[0].delete_at = 7;
            Ok::<(), RunError>(())
        })
        .unwrap();
    assert_eq!(
        store.get(&run.id).unwrap().unwrap().timeline_events[0].delete_at,
        7
    );
    // Past the cap the oldest go, and their keys with them.
    let cap = crate::limits::TIMELINE_EVENTS;
    store
        .update(&run.id, |r| {
            r.timeline_events.extend((1..cap + 5).map(event));
            Ok::<(), RunError>(())
        })
        .unwrap();
    let got = store.get(&run.id).unwrap().unwrap();
    assert_eq!(got.timeline_events.len(), cap);
    assert_eq!(got.timeline_events[0].id, "e5");
    assert_eq!(keys_under(&host, &format!("rtl/{}/", run.id)), cap);
}

#[test]
fn old_layout_records_read_and_migrate_on_write() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    // A record as written before the logs moved out: everything inline,
    // more entries than one host call can write and than the cap.
    let mut old = new_run(&host);
    old.timeline_events = (0..2600).map(event).collect();
    for e in &mut old.timeline_events {
        e.summary = "short".into();
    }
    old.status_posts = vec![StatusPost {
        id: "p0".into(),
        create_at: 3,
        delete_at: 0,
    }];
    let key = record_key(&old.id);
    let team = crate::runs::store::team_key("t1", 1, &old.id);
    host.inner
        .kv
        .borrow_mut()
        .insert(key.clone(), serde_json::to_vec(&old).unwrap());
    host.inner.kv.borrow_mut().insert(team, Vec::new());
    assert_eq!(store.get(&old.id).unwrap().unwrap(), old, "reads as it was");

    // The first write moves the logs out, dropping nothing (even a write
    // that changes nothing else).
    store.update(&old.id, |_| Ok::<(), RunError>(())).unwrap();
    let record: serde_json::Value = serde_json::from_slice(&host.inner.kv.borrow()[&key]).unwrap();
    assert!(record.get("timeline_events").is_none(), "moved out");
    assert_eq!(record["_logs"]["timeline"]["next"], 2600);
    assert_eq!(store.get(&old.id).unwrap().unwrap(), old, "all of it");

    // From then on the run keeps as many entries as it held: a new one
    // retires the oldest.
    let updated = store
        .update(&old.id, |r| {
            r.summary = "migrated".into();
            r.timeline_events.push(event(9999));
            Ok::<(), RunError>(())
        })
        .unwrap();
    assert_eq!(updated.timeline_events.len(), 2600);
    let got = store.get(&old.id).unwrap().unwrap();
    assert_eq!(got, updated);
    assert_eq!(got.timeline_events[0].id, "e1");
    assert_eq!(got.timeline_events[2599].id, "e9999");
    assert_eq!(got.status_posts, old.status_posts);
    assert_eq!(keys_under(&host, &format!("rtl/{}/", old.id)), 2600);

    // Deleting the run deletes its logs.
    store.delete(&old.id, |_| Ok::<(), RunError>(())).unwrap();
    assert_eq!(keys_under(&host, &format!("rtl/{}/", old.id)), 0);
    assert_eq!(keys_under(&host, &format!("rsp/{}/", old.id)), 0);
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
