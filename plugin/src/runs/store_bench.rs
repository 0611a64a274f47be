//! Benchmarks of issue 13 (ignored; informative): run them in release,
//! `cargo test --release -p playbooks-plugin -- --ignored bench --nocapture`
//! (`BENCH_RUNS=1000000` for the 1M figures). They use the fake host's
//! in-memory SQLite, the same SQLite as the server's, and go through the
//! REST layer, so a figure is what one `GET /runs` costs the plugin.
//!
//! Data: team `t1` with ten playbooks — `pb0` private with member `bob`,
//! `pb1`..`pb4` public, `pb5`..`pb9` private without members — and
//! `BENCH_RUNS` runs: every 20th has no playbook, the others cycle through
//! the playbooks; owners (the participants) cycle through `bob`, `carol`,
//! `dave`, `erin` (25% of all runs each: a worst case for the participant
//! half of visibility); every third run is finished. `bob` sees the runs of
//! `pb0`..`pb4` and those he takes part in; `carol` those of `pb1`..`pb4`
//! and hers.

use std::time::{Duration, Instant};

use serde_json::json;

use super::*;
use crate::host::prelude::*;
use crate::playbooks::model::MetricConfig;
use crate::playbooks::store::test_host::TestHost;
use crate::rest::test_client::{call, ok};
use crate::runs::create::tests::{playbook, put_playbook};
use crate::runs::model::{RunMetricData, status};

const OWNERS: [&str; 4] = ["bob", "carol", "dave", "erin"];
const SAMPLES: usize = 11;

fn playbook_id(k: usize) -> String {
    format!("{:a<26}", format!("pb{k}"))
}

fn bench_runs() -> i64 {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// The median of [`SAMPLES`] runs of `f`.
fn p50(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[SAMPLES / 2]
}

/// Stores `runs` with as few transactions as the importer would use.
fn put_all(host: &TestHost, runs: impl Iterator<Item = PlaybookRun>) {
    let mut tx = Vec::new();
    for run in runs {
        let statements = raw_statements(&run).unwrap();
        // The host takes at most 1,000 statements per transaction.
        if tx.len() + statements.len() > crate::sql::MAX_STATEMENTS {
            host.inner.sql_transaction(&tx).unwrap();
            tx.clear();
        }
        tx.extend(statements);
    }
    if !tx.is_empty() {
        host.inner.sql_transaction(&tx).unwrap();
    }
    // Imported the importer's way: the counters are recounted and the
    // names indexed after, as `activate` does.
    let started = Instant::now();
    crate::runs::counts::invalidate(&host.inner).unwrap();
    crate::runs::counts::ensure(&host.inner).unwrap();
    let counted = started.elapsed();
    crate::runs::name_index::invalidate(&host.inner).unwrap();
    crate::runs::name_index::ensure(&host.inner).unwrap();
    eprintln!(
        "after the fill: recount {counted:?}, name index {:?}",
        started.elapsed() - counted
    );
}

fn bench_run(i: i64, playbook: String) -> PlaybookRun {
    let owner = OWNERS[i as usize % 4];
    let finished = i % 3 == 0;
    PlaybookRun {
        id: format!("{:0>26}", i * 7919 % 1_000_003),
        name: format!("Run {i}"),
        team_id: "t1".into(),
        channel_id: format!("ch{i}"),
        playbook_id: playbook,
        owner_user_id: owner.into(),
        reporter_user_id: owner.into(),
        participant_ids: vec![owner.into()],
        current_status: if finished {
            status::FINISHED
        } else {
            status::IN_PROGRESS
        }
        .into(),
        create_at: 1_000 + i,
        update_at: 1_000 + i,
        end_at: if finished { 1_000 + i + 500 } else { 0 },
        ..Default::default()
    }
}

#[test]
#[ignore]
fn bench_list_runs() {
    let host = TestHost::new();
    for k in 0..10 {
        let mut pb = playbook();
        pb.id = playbook_id(k);
        pb.run_number_prefix = format!("P{k}");
        pb.public = (1..=4).contains(&k);
        if k != 0 {
            pb.members.clear();
        }
        put_playbook(&host, &pb);
    }
    let n = bench_runs();
    let started = Instant::now();
    put_all(
        &host,
        (0..n).map(|i| {
            let pb = if i % 20 == 19 {
                String::new()
            } else {
                playbook_id(i as usize % 10)
            };
            bench_run(i, pb)
        }),
    );
    eprintln!("{n} runs: fill {:?}", started.elapsed());
    let cases = [
        ("first page", ""),
        ("owner + status", "&owner_user_id=carol&statuses=InProgress"),
        ("search", "&search_term=run%204242"),
    ];
    for (label, extra) in cases {
        for user in ["admin", "bob", "carol"] {
            let target = format!("/runs?team_id=t1&per_page=20&direction=desc{extra}");
            let mut total = 0;
            let t = p50(|| {
                let page = ok(&host, user, "GET", &target, None);
                total = page["total_count"].as_u64().unwrap();
                assert!(page["items"].as_array().unwrap().len() <= 20);
            });
            eprintln!("{n} runs, {label}, {user}: p50 {t:?} (total_count {total})");
        }
    }
}

/// `/stats/playbook` over one playbook with `BENCH_RUNS` runs, each with a
/// metric value; and a run with 10,000 timeline events read and updated.
#[test]
#[ignore]
fn bench_stats_and_long_timeline() {
    let host = TestHost::new();
    let mut pb = playbook();
    pb.metrics = vec![MetricConfig {
        id: "m1".into(),
        title: "Cost".into(),
        kind: "metric_integer".into(),
        ..Default::default()
    }];
    put_playbook(&host, &pb);
    let n = bench_runs();
    let started = Instant::now();
    put_all(
        &host,
        (0..n).map(|i| {
            let mut run = bench_run(i, pb.id.clone());
            run.metrics_data = vec![RunMetricData {
                metric_config_id: "m1".into(),
                value: Some(i % 1000),
            }];
            run
        }),
    );
    eprintln!("{n} runs in one playbook: fill {:?}", started.elapsed());
    let target = format!("/stats/playbook?playbook_id={}", pb.id);
    let t = p50(|| {
        let stats = ok(&host, "bob", "GET", &target, None);
        assert_eq!(stats["runs_in_progress"], json!(n - (n + 2) / 3));
    });
    eprintln!("{n} runs, /stats/playbook: p50 {t:?}");

    let store = RunStore::new(&host);
    let mut run = bench_run(n + 1, pb.id.clone());
    run.id = "longtimelinelongtimeline00".into();
    run.timeline_events = (0..10_000)
        .map(|i| TimelineEvent {
            id: format!("{i:0>26}"),
            playbook_run_id: run.id.clone(),
            create_at: i,
            event_at: i,
            event_type: "event_from_post".into(),
            summary: format!("event {i}"),
            details: "{}".into(),
            ..Default::default()
        })
        .collect();
    put_all(&host, std::iter::once(run.clone()));
    let read = p50(|| {
        let got = store.get(&run.id).unwrap().unwrap();
        assert_eq!(got.timeline_events.len(), 10_000);
    });
    let mut k = 0;
    let update = p50(|| {
        k += 1;
        store
            .update(&run.id, |r| {
                r.timeline_events.push(TimelineEvent {
                    id: format!("new{k:0>23}"),
                    playbook_run_id: r.id.clone(),
                    summary: "added".into(),
                    ..Default::default()
                });
                Ok::<_, RunError>(())
            })
            .unwrap();
    });
    let mut k = 0;
    let follow = p50(|| {
        k += 1;
        let method = if k % 2 == 0 { "PUT" } else { "DELETE" };
        let r = call(
            &host,
            Some("bob"),
            method,
            &format!("/runs/{}/followers", run.id),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
    });
    eprintln!("run with 10,000 timeline events: follow / unfollow through REST p50 {follow:?}");
    let head = p50(|| {
        let got = store.get_head(&run.id).unwrap().unwrap();
        assert!(got.timeline_events.is_empty());
    });
    let rest = p50(|| {
        let r = call(
            &host,
            Some("bob"),
            "GET",
            &format!("/runs/{}", run.id),
            None,
        );
        assert_eq!(r.status, 200);
    });
    eprintln!(
        "run with 10,000 timeline events: read whole p50 {read:?}, read without logs p50 \
         {head:?}, update (one event added) p50 {update:?}, GET /runs/{{id}} p50 {rest:?} \
         (this includes decoding the answer in the test)"
    );
}
