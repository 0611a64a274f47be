//! The counters stay exactly the runs through creates, changes, deletes
//! and imports, and a list's `total_count` from them equals counting the
//! runs, for admins and members alike.

use crate::host::prelude::*;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::create::tests::{playbook, put_playbook};
use crate::runs::model::{PlaybookRun, status};
use crate::runs::query::Query;
use crate::runs::store::{RunError, RunFilter, RunStore, Viewer};

const USERS: [&str; 4] = ["bob", "carol", "dave", "erin"];
const PLAYBOOKS: [&str; 3] = [
    "",
    "pbpublicaaaaaaaaaaaaaaaaaa",
    "pbprivateaaaaaaaaaaaaaaaaa",
];

/// A small deterministic generator (no dependency, repeatable).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn setup() -> TestHost {
    let host = TestHost::new();
    for (id, public) in [(PLAYBOOKS[1], true), (PLAYBOOKS[2], false)] {
        let mut pb = playbook();
        pb.id = id.into();
        pb.public = public;
        pb.run_number_prefix = if public { "PUB".into() } else { "PRI".into() };
        put_playbook(&host, &pb);
    }
    for user in USERS {
        host.inner.add_team_member("t1", user).unwrap();
    }
    host
}

fn random_run(rng: &mut Lcg, i: usize) -> PlaybookRun {
    let owner = USERS[rng.next(USERS.len())];
    let mut participants = vec![owner.to_owned()];
    participants.extend(
        USERS
            .iter()
            .filter(|_| rng.next(3) == 0)
            .map(|u| (*u).to_owned()),
    );
    PlaybookRun {
        id: format!("run{i:0>23}"),
        name: format!("run {i}"),
        team_id: if rng.next(5) == 0 { "t2" } else { "t1" }.into(),
        channel_id: format!("ch{i}"),
        playbook_id: PLAYBOOKS[rng.next(PLAYBOOKS.len())].into(),
        owner_user_id: owner.into(),
        participant_ids: participants,
        current_status: if rng.next(3) == 0 {
            status::FINISHED
        } else {
            status::IN_PROGRESS
        }
        .into(),
        create_at: 1 + i as i64,
        ..Default::default()
    }
}

/// The counter rows that are not zero, and the same counted from the tables.
fn counters_and_truth(host: &TestHost) -> [(Vec<String>, Vec<String>); 2] {
    let read = |sql: &str| -> Vec<String> {
        host.inner
            .sql_query(sql, &[])
            .unwrap()
            .rows
            .iter()
            .map(|r| format!("{r:?}"))
            .collect()
    };
    let keys = "team_id, playbook_id, owner_user_id, current_status";
    let r_keys = "r.team_id, r.playbook_id, r.owner_user_id, r.current_status";
    [
        (
            read(&format!(
                "SELECT {keys}, n FROM run_counts WHERE n <> 0 ORDER BY {keys}"
            )),
            read(&format!(
                "SELECT {keys}, COUNT(*) FROM runs GROUP BY {keys} ORDER BY {keys}"
            )),
        ),
        (
            read(&format!(
                "SELECT user_id, {keys}, n FROM run_participant_counts WHERE n <> 0 \
                 ORDER BY user_id, {keys}"
            )),
            read(&format!(
                "SELECT p.user_id, {r_keys}, COUNT(*) FROM run_participants p \
                 JOIN runs r ON r.id = p.run_id GROUP BY p.user_id, {r_keys} \
                 ORDER BY p.user_id, {r_keys}"
            )),
        ),
    ]
}

fn assert_counts_match(host: &TestHost, when: &str) {
    for (counters, truth) in counters_and_truth(host) {
        assert_eq!(counters, truth, "{when}");
    }
}

#[test]
fn counters_follow_creates_changes_and_deletes() {
    let host = setup();
    let store = RunStore::new(&host);
    let mut rng = Lcg(7);
    let mut ids = Vec::new();
    for i in 0..120 {
        match rng.next(4) {
            0 | 1 => ids.push(store.create(random_run(&mut rng, i)).unwrap().id),
            2 if !ids.is_empty() => {
                let id = ids[rng.next(ids.len())].clone();
                let (owner, finish, joiner) = (
                    USERS[rng.next(USERS.len())],
                    rng.next(2) == 0,
                    USERS[rng.next(USERS.len())],
                );
                store
                    .update(&id, |r| {
                        r.owner_user_id = owner.into();
                        r.current_status = if finish {
                            status::FINISHED
                        } else {
                            status::IN_PROGRESS
                        }
                        .into();
                        if r.participant_ids.iter().any(|p| p == joiner) {
                            r.participant_ids.retain(|p| p != joiner);
                        } else {
                            r.participant_ids.push(joiner.into());
                        }
                        Ok::<(), RunError>(())
                    })
                    .unwrap();
            }
            3 if !ids.is_empty() => {
                let id = ids.swap_remove(rng.next(ids.len()));
                store.delete(&id, |_| Ok::<(), RunError>(())).unwrap();
            }
            _ => {}
        }
        assert_counts_match(&host, &format!("after step {i}"));
    }
    assert!(ids.len() > 20, "the test made runs: {}", ids.len());
}

#[test]
fn a_list_total_from_the_counters_equals_counting_the_runs() {
    let host = setup();
    let store = RunStore::new(&host);
    let mut rng = Lcg(11);
    for i in 0..200 {
        store.create(random_run(&mut rng, i)).unwrap();
    }
    let viewers = [
        Viewer {
            user_id: "admin".into(),
            is_system_admin: true,
        },
        Viewer {
            user_id: "bob".into(),
            is_system_admin: false,
        },
        Viewer {
            user_id: "carol".into(),
            is_system_admin: false,
        },
    ];
    let filters = [
        RunFilter {
            team_id: "t1".into(),
            ..Default::default()
        },
        RunFilter::default(),
        RunFilter {
            team_id: "t1".into(),
            owner_user_id: "carol".into(),
            statuses: vec![status::IN_PROGRESS.into()],
            ..Default::default()
        },
        RunFilter {
            team_id: "t1".into(),
            playbook_id: PLAYBOOKS[2].into(),
            ..Default::default()
        },
        RunFilter {
            statuses: vec![status::FINISHED.into(), status::IN_PROGRESS.into()],
            owner_user_id: "dave".into(),
            ..Default::default()
        },
    ];
    let mut nonzero = 0;
    for viewer in &viewers {
        for filter in &filters {
            let q = Query::build(&host, viewer, filter).unwrap().unwrap();
            let (sql, params) = q.count_runs();
            let exact = host
                .inner
                .sql_query(&sql, &params)
                .unwrap()
                .first()
                .unwrap()
                .i64("n")
                .unwrap();
            let (sql, params) = q.count();
            assert!(
                sql.contains("run_counts") || sql.contains("run_participant_counts"),
                "{sql}"
            );
            let total = store.list(viewer, filter).unwrap().total_count as i64;
            assert_eq!(total, exact, "{} {filter:?}", viewer.user_id);
            let _ = params;
            nonzero += usize::from(exact > 0);
        }
    }
    assert!(nonzero > 10, "the cases count something: {nonzero}");
    // A filter on anything else counts the runs.
    let search = RunFilter {
        team_id: "t1".into(),
        search_term: "run 1".into(),
        ..Default::default()
    };
    let q = Query::build(&host, &viewers[1], &search).unwrap().unwrap();
    assert!(!q.count().0.contains("run_counts"));
}

#[test]
fn an_import_is_recounted_once_and_a_crash_before_the_recount_recounts_at_the_next_start() {
    let host = setup();
    let store = RunStore::new(&host);
    let mut rng = Lcg(3);
    // Runs written the importer's way: no counter deltas.
    for i in 0..30 {
        assert!(store.put_raw(&random_run(&mut rng, i)).unwrap());
    }
    super::invalidate(&host.inner).unwrap();
    assert!(super::ensure(&host.inner).unwrap(), "recounted");
    assert_counts_match(&host, "after the recount");
    assert!(!super::ensure(&host.inner).unwrap(), "once");
    // An import that starts marks the counts stale before writing.
    super::invalidate(&host.inner).unwrap();
    store.put_raw(&random_run(&mut rng, 99)).unwrap();
    assert!(super::ensure(&host.inner).unwrap());
    assert_counts_match(&host, "after the second import");
}
