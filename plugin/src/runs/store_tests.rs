//! Store tests with the test host (users `admin`, `bob`, `carol` in `t1`,
//! `dave` in `t2`).

use super::*;
use crate::host::prelude::*;
use crate::playbooks::new_id_from_host;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::create::tests::{PB, playbook, put_playbook};
use crate::runs::model::status;

fn run(host: &TestHost, name: &str, team: &str, create_at: i64, owner: &str) -> PlaybookRun {
    PlaybookRun {
        id: new_id_from_host(host).unwrap(),
        name: name.into(),
        team_id: team.into(),
        channel_id: format!("ch-{name}"),
        owner_user_id: owner.into(),
        reporter_user_id: owner.into(),
        participant_ids: vec![owner.into()],
        create_at,
        ..Default::default()
    }
}

fn admin() -> Viewer {
    Viewer {
        user_id: "admin".into(),
        is_system_admin: true,
    }
}

fn user(id: &str) -> Viewer {
    Viewer {
        user_id: id.into(),
        is_system_admin: false,
    }
}

/// Rows about run `id` in `table` (`id` column for `runs`, else `run_id`).
fn rows(host: &TestHost, table: &str, id: &str) -> i64 {
    let column = if table == "runs" { "id" } else { "run_id" };
    host.inner
        .sql_query(
            &format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1"),
            &crate::params![id],
        )
        .unwrap()
        .first()
        .unwrap()
        .i64("n")
        .unwrap()
}

/// A text column of run `id`'s row.
fn column(host: &TestHost, id: &str, column: &str) -> String {
    host.inner
        .sql_query(
            &format!("SELECT {column} AS v FROM runs WHERE id = $1"),
            &crate::params![id],
        )
        .unwrap()
        .first()
        .unwrap()
        .text("v")
        .unwrap()
}

fn names(page: &RunPage) -> Vec<&str> {
    page.items.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn create_writes_record_and_indexes() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut r = run(&host, "a", "t1", 42, "bob");
    r.playbook_id = PB.into();
    let stored = store.create(r.clone()).unwrap();
    assert_eq!(stored.update_at, 42);
    assert_eq!(store.get(&r.id).unwrap(), Some(stored.clone()));
    assert_eq!(column(&host, &r.id, "team_id"), "t1");
    assert_eq!(column(&host, &r.id, "channel_id"), "ch-a");
    assert_eq!(column(&host, &r.id, "playbook_id"), PB);
    assert_eq!(column(&host, &r.id, "create_at"), "42");
    assert_eq!(rows(&host, "run_participants", &r.id), 1);
    assert!(matches!(
        store.create(r.clone()),
        Err(RunError::Conflict(_))
    ));
    let mut bad = run(&host, "b", "t1", 1, "bob");
    bad.team_id = "a/b".into();
    assert!(matches!(store.create(bad), Err(RunError::Invalid(e)) if e.field == "team_id"));
    assert_eq!(store.in_channel("ch-a").unwrap().len(), 1);
}

/// The most participants and followers a run may have, and a long
/// timeline, fit in the statements one host transaction takes (the fake
/// refuses more than the host's 1000, as the server does).
#[test]
fn a_run_at_every_limit_is_written_in_one_transaction() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut r = run(&host, "full", "t1", 7, "bob");
    let many: Vec<String> = (0..crate::limits::MEMBERS)
        .map(|i| format!("user{i:04}"))
        .collect();
    r.participant_ids = many.clone();
    r.followers = many;
    r.timeline_events = (0..3000)
        .map(|i| crate::runs::model::TimelineEvent {
            id: format!("e{i}"),
            event_type: "task_state_modified".into(),
            ..Default::default()
        })
        .collect();
    let stored = store.create(r.clone()).unwrap();
    assert_eq!(rows(&host, "run_participants", &r.id), 1000);
    assert_eq!(rows(&host, "run_followers", &r.id), 1000);
    assert_eq!(rows(&host, "run_timeline", &r.id), 3000);
    assert_eq!(store.get(&r.id).unwrap(), Some(stored));
}

#[test]
fn updates_keep_indexed_fields_and_lose_nothing() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let r = store.create(run(&host, "a", "t1", 5, "bob")).unwrap();
    // A concurrent writer adds a follower between our read and write.
    let id = r.id.clone();
    host.before_next_write(move |inner| {
        RunStore::new(inner)
            .update(&id, |run| {
                run.followers.push("carol".into());
                Ok::<_, RunError>(())
            })
            .unwrap();
    });
    let updated = store
        .update(&r.id, |run| {
            run.name = "renamed".into();
            run.team_id = "t2".into(); // ignored
            Ok::<_, RunError>(())
        })
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.team_id, "t1");
    assert_eq!(
        updated.followers,
        vec!["carol"],
        "the concurrent follow survives"
    );
    assert_eq!(updated.update_at, host.now_ms());
    // No-op updates write nothing.
    let writes = host.writes.get();
    store.update(&r.id, |_| Ok::<_, RunError>(())).unwrap();
    assert_eq!(host.writes.get(), writes);
    assert!(matches!(
        store.update("missing", |_| Ok::<_, RunError>(())),
        Err(RunError::NotFound(_))
    ));
}

#[test]
fn list_filters_sorting_and_paging() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut a = run(&host, "Alpha", "t1", 100, "bob");
    a.participant_ids.push("carol".into());
    let mut b = run(&host, "beta", "t1", 300, "carol");
    b.current_status = status::FINISHED.into();
    b.end_at = 400;
    let mut c = run(&host, "Gamma", "t1", 200, "bob");
    c.followers.push("carol".into());
    c.playbook_id = PB.into();
    let d = run(&host, "Delta", "t2", 50, "dave");
    for r in [&a, &b, &c, &d] {
        store.create(r.clone()).unwrap();
    }
    let list = |viewer: &Viewer, f: RunFilter| store.list(viewer, &f).unwrap();
    let all = list(&admin(), RunFilter::default());
    assert_eq!(names(&all), vec!["Delta", "Alpha", "Gamma", "beta"]);
    assert_eq!(
        (all.total_count, all.page_count, all.per_page, all.has_more),
        (4, 1, 1000, false)
    );
    let t1 = |f: RunFilter| RunFilter {
        team_id: "t1".into(),
        ..f
    };
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                descending: true,
                ..Default::default()
            })
        )),
        vec!["beta", "Gamma", "Alpha"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                sort: RunSort::Name,
                ..Default::default()
            })
        )),
        vec!["Alpha", "beta", "Gamma"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                statuses: vec!["Finished".into()],
                ..Default::default()
            })
        )),
        vec!["beta"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                omit_ended: true,
                ..Default::default()
            })
        )),
        vec!["Alpha", "Gamma"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                owner_user_id: "carol".into(),
                ..Default::default()
            })
        )),
        vec!["beta"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                participant_id: "carol".into(),
                ..Default::default()
            })
        )),
        vec!["Alpha", "beta"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                participant_or_follower_id: "carol".into(),
                ..Default::default()
            })
        )),
        vec!["Alpha", "Gamma", "beta"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            RunFilter {
                search_term: "ALP".into(),
                ..Default::default()
            }
        )),
        vec!["Alpha"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            RunFilter {
                started_gte: 100,
                started_lt: 300,
                ..Default::default()
            }
        )),
        vec!["Alpha", "Gamma"]
    );
    // Active at or after 450: the running ones (beta ended at 400).
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                active_gte: 450,
                ..Default::default()
            })
        )),
        vec!["Alpha", "Gamma"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            t1(RunFilter {
                active_lt: 150,
                ..Default::default()
            })
        )),
        vec!["Alpha"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            RunFilter {
                playbook_id: PB.into(),
                ..Default::default()
            }
        )),
        vec!["Gamma"]
    );
    assert_eq!(
        names(&list(
            &admin(),
            RunFilter {
                channel_id: "ch-beta".into(),
                ..Default::default()
            }
        )),
        vec!["beta"]
    );
    assert_eq!(
        list(
            &admin(),
            RunFilter {
                since: 250,
                ..Default::default()
            }
        )
        .total_count,
        1
    );
    // Paging.
    let p = list(
        &admin(),
        RunFilter {
            per_page: 3,
            page: 1,
            ..Default::default()
        },
    );
    assert_eq!(
        (names(&p), p.total_count, p.page_count, p.has_more),
        (vec!["beta"], 4, 2, false)
    );
    let p = list(
        &admin(),
        RunFilter {
            per_page: 3,
            ..Default::default()
        },
    );
    assert!(p.has_more);
    assert_eq!(
        list(
            &admin(),
            RunFilter {
                per_page: 9,
                page: 7,
                ..Default::default()
            }
        )
        .items
        .len(),
        0
    );

    // Visibility: participants; Gamma's playbook is private to bob.
    put_playbook(&host, &playbook());
    assert_eq!(
        names(&list(&user("carol"), RunFilter::default())),
        vec!["Alpha", "beta"]
    );
    assert_eq!(
        names(&list(&user("bob"), RunFilter::default())),
        vec!["Alpha", "Gamma"]
    );
    assert_eq!(
        names(&list(&user("dave"), RunFilter::default())),
        vec!["Delta"]
    );
    // Public playbook: every team member sees its runs.
    let mut pb = playbook();
    pb.public = true;
    put_playbook(&host, &pb);
    assert_eq!(
        names(&list(&user("carol"), RunFilter::default())),
        vec!["Alpha", "Gamma", "beta"]
    );
    assert_eq!(
        names(&list(&user("dave"), RunFilter::default())),
        vec!["Delta"]
    );
}

#[test]
fn many_runs_are_loaded_in_chunks() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    for i in 0..1203 {
        store
            .create(run(&host, &format!("r{i}"), "t1", i, "bob"))
            .unwrap();
    }
    let page = store
        .list(
            &user("bob"),
            &RunFilter {
                team_id: "t1".into(),
                per_page: 5000,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (page.total_count, page.items.len(), page.page_count),
        (1203, 1000, 2)
    );
}

#[test]
fn counters_touch_only_counters() {
    let host = TestHost::new();
    put_playbook(&host, &playbook());
    bump_playbook_counters(&host, PB, 1, 1, Some(9)).unwrap();
    bump_playbook_counters(&host, PB, 0, -5, None).unwrap();
    let pb = crate::playbooks::store::PlaybookStore::new(&host)
        .get(PB)
        .unwrap()
        .unwrap();
    assert_eq!((pb.num_runs, pb.active_runs, pb.last_run_at), (1, 0, 9));
    assert_eq!(pb.title, "Incident");
    bump_playbook_counters(&host, "missing", 1, 1, None).unwrap();
}

#[test]
fn list_columns_and_child_rows_kept_in_step_with_updates() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let r = store.create(run(&host, "alpha", "t1", 10, "bob")).unwrap();
    assert_eq!(column(&host, &r.id, "current_status"), "InProgress");
    // An update rewrites the summary with the record.
    store
        .update(&r.id, |run| {
            run.current_status = status::FINISHED.into();
            run.followers.push("carol".into());
            run.name = "alpha renamed".into();
            Ok::<(), RunError>(())
        })
        .unwrap();
    assert_eq!(
        (
            column(&host, &r.id, "current_status"),
            column(&host, &r.id, "name_lower")
        ),
        ("Finished".into(), "alpha renamed".into())
    );
    assert_eq!(rows(&host, "run_followers", &r.id), 1);
    let finished = RunFilter {
        team_id: "t1".into(),
        statuses: vec![status::FINISHED.into()],
        participant_or_follower_id: "carol".into(),
        ..Default::default()
    };
    let page = store.list(&admin(), &finished).unwrap();
    assert_eq!(names(&page), vec!["alpha renamed"]);
    // The page holds whole runs, not skeletons.
    assert_eq!(page.items[0].reporter_user_id, "bob");

    store.create(run(&host, "legacy", "t1", 20, "bob")).unwrap();
    let all = store
        .list(
            &admin(),
            &RunFilter {
                team_id: "t1".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(names(&all), vec!["alpha renamed", "legacy"]);
    // `all` returns whole runs too.
    let whole = store
        .all(
            &admin(),
            &RunFilter {
                team_id: "t1".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(whole.iter().all(|r| r.reporter_user_id == "bob"));
}

#[test]
fn delete_removes_record_and_indexes_after_the_check() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut r = run(&host, "gone", "t1", 7, "bob");
    r.playbook_id = PB.into();
    let kept = store.create(run(&host, "kept", "t1", 8, "bob")).unwrap();
    let r = store.create(r).unwrap();
    // A refusing check leaves everything in place.
    let refused: Result<PlaybookRun, RunError> =
        store.delete(&r.id, |_| Err(RunError::Forbidden("no".into())));
    assert_eq!(refused, Err(RunError::Forbidden("no".into())));
    assert!(store.get(&r.id).unwrap().is_some());
    let deleted: PlaybookRun = store.delete(&r.id, |_| Ok::<(), RunError>(())).unwrap();
    assert_eq!(deleted.id, r.id);
    assert_eq!(store.get(&r.id).unwrap(), None);
    for table in ["runs", "run_participants", "run_timeline", "run_metrics"] {
        assert_eq!(rows(&host, table, &r.id), 0, "{table} rows left");
    }
    assert_eq!(rows(&host, "runs", &kept.id), 1);
    assert_eq!(rows(&host, "run_participants", &kept.id), 1);
    assert!(matches!(
        store.delete(&r.id, |_| Ok::<(), RunError>(())),
        Err(RunError::NotFound(_))
    ));
}

/// Visibility is the database's: pages and `total_count` count only what
/// the viewer may see (participant, or viewer of the source playbook).
#[test]
fn visibility_pages_and_total_count_in_sql() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut pb = playbook(); // private; bob is a member, carol is not
    pb.public = false;
    put_playbook(&host, &pb);
    for i in 0..25 {
        let mut r = run(&host, &format!("pb{i:02}"), "t1", 1000 + i, "bob");
        r.playbook_id = PB.into();
        if i % 5 == 0 {
            r.participant_ids.push("carol".into());
        }
        store.create(r).unwrap();
    }
    store.create(run(&host, "other", "t1", 5, "dave")).unwrap();
    let filter = |page| RunFilter {
        team_id: "t1".into(),
        per_page: 2,
        page,
        ..Default::default()
    };
    let bob = store.list(&user("bob"), &filter(0)).unwrap();
    assert_eq!(
        (bob.total_count, bob.page_count, bob.has_more),
        (25, 13, true)
    );
    assert_eq!(names(&bob), ["pb00", "pb01"]);
    let carol = store.list(&user("carol"), &filter(2)).unwrap();
    assert_eq!((carol.total_count, carol.has_more), (5, false));
    assert_eq!(names(&carol), ["pb20"]);
    // Public playbook: every team member sees its runs.
    pb.public = true;
    put_playbook(&host, &pb);
    assert_eq!(
        store.list(&user("carol"), &filter(0)).unwrap().total_count,
        25
    );
    // Not in the team: only runs taken part in.
    assert_eq!(
        store.list(&user("dave"), &filter(0)).unwrap().total_count,
        1
    );
    assert_eq!(store.list(&admin(), &filter(0)).unwrap().total_count, 26);
}

#[test]
fn sorts_tie_break_on_start_then_id_and_search_escapes_wildcards() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    for (name, at, owner) in [("b 100%", 3, "carol"), ("A_1", 1, "bob"), ("a11", 2, "bob")] {
        store.create(run(&host, name, "t1", at, owner)).unwrap();
    }
    let list = |f: RunFilter| {
        names(&store.list(&admin(), &f).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let by = |sort, descending| RunFilter {
        sort,
        descending,
        ..Default::default()
    };
    assert_eq!(list(by(RunSort::Name, false)), ["a11", "A_1", "b 100%"]);
    assert_eq!(
        list(by(RunSort::OwnerUserId, false)),
        ["A_1", "a11", "b 100%"]
    );
    assert_eq!(
        list(by(RunSort::OwnerUserId, true)),
        ["b 100%", "a11", "A_1"]
    );
    assert_eq!(list(by(RunSort::CreateAt, true)), ["b 100%", "a11", "A_1"]);
    let search = |term: &str| {
        list(RunFilter {
            search_term: term.into(),
            ..Default::default()
        })
    };
    assert_eq!(search("a_"), ["A_1"], "_ is not a wildcard");
    assert_eq!(search("0%"), ["b 100%"], "% is not a wildcard");
    assert_eq!(search("A1"), ["a11"]);
    assert!(search("\\").is_empty());
}

/// The plan's `detail` lines of `sql`.
fn plan(host: &TestHost, (sql, params): (String, Vec<crate::sql::SqlValue>)) -> String {
    host.inner
        .sql_query(&format!("EXPLAIN QUERY PLAN {sql}"), &params)
        .unwrap()
        .iter()
        .map(|r| r.text("detail").unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issue 13: a member's list never reads the runs' rows one by one to
/// decide visibility — the count and the first page run on indexes (the
/// team indexes carry `playbook_id`; "runs I take part in" comes from
/// `run_participants` alone), and filters use their index.
#[test]
fn list_queries_use_indexes_not_a_scan_of_runs() {
    let host = TestHost::new();
    put_playbook(&host, &playbook());
    let member = user("bob");
    let q = |f: RunFilter| {
        super::super::query::Query::build(&host, &member, &f)
            .unwrap()
            .unwrap()
    };
    let team = |f: RunFilter| RunFilter {
        team_id: "t1".into(),
        per_page: 20,
        descending: true,
        ..f
    };
    let first = q(team(RunFilter::default()));
    // The count sums counters (runs/counts.rs), found by their keys.
    let counted = plan(&host, first.count());
    assert!(!counted.contains("SCAN run"), "{counted}");
    assert!(
        counted.contains("run_counts") && counted.contains("run_participant_counts"),
        "{counted}"
    );
    for plan in [
        plan(&host, first.count_runs()),
        plan(&host, first.ordered(&["id"], Some((20, 0)))),
    ] {
        assert!(!plan.contains("SCAN runs"), "{plan}");
        assert!(!plan.contains("USE TEMP B-TREE"), "{plan}");
        assert!(plan.contains("run_participants_viewer"), "{plan}");
        assert!(plan.contains("USING COVERING INDEX runs_team_"), "{plan}");
    }
    let owner = q(team(RunFilter {
        owner_user_id: "carol".into(),
        statuses: vec![status::IN_PROGRESS.into()],
        ..Default::default()
    }));
    let counted = plan(&host, owner.count());
    assert!(!counted.contains("SCAN run"), "{counted}");
    for plan in [
        plan(&host, owner.count_runs()),
        plan(&host, owner.ordered(&["id"], Some((20, 0)))),
    ] {
        assert!(
            plan.contains("COVERING INDEX runs_team_owner (team_id=? AND owner_user_id=? AND current_status=?)"),
            "{plan}"
        );
        assert!(!plan.contains("USE TEMP B-TREE"), "{plan}");
    }
    let search = q(team(RunFilter {
        search_term: "run 42".into(),
        ..Default::default()
    }));
    for plan in [
        plan(&host, search.count()),
        plan(&host, search.ordered(&["id"], Some((20, 0)))),
    ] {
        assert!(
            plan.contains("COVERING INDEX runs_team_create_pb"),
            "{plan}"
        );
        assert!(!plan.contains("USE TEMP B-TREE"), "{plan}");
    }
}

/// Old participant rows get the run's team, playbook and start from the
/// v4 migration, so the participant branch of a member's list finds them.
#[test]
fn participant_rows_carry_the_runs_identity() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    let mut r = run(&host, "a", "t1", 42, "bob");
    r.playbook_id = PB.into();
    let r = store.create(r).unwrap();
    store
        .update(&r.id, |run| {
            run.participant_ids.push("carol".into());
            Ok::<_, RunError>(())
        })
        .unwrap();
    let rows = host
        .inner
        .sql_query(
            "SELECT user_id, team_id, playbook_id, create_at FROM run_participants \
             WHERE run_id = $1 ORDER BY user_id",
            &crate::params![&r.id],
        )
        .unwrap();
    let got: Vec<(String, String, String, i64)> = rows
        .iter()
        .map(|row| {
            (
                row.text("user_id").unwrap(),
                row.text("team_id").unwrap(),
                row.text("playbook_id").unwrap(),
                row.i64("create_at").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("bob".into(), "t1".into(), PB.into(), 42),
            ("carol".into(), "t1".into(), PB.into(), 42)
        ]
    );
}
