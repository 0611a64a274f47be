//! Searching through the gram index finds exactly what scanning the names
//! finds, through renames, deletes and imports, and reads only postings.

use super::{PROBE, ensure, grams, invalidate};
use crate::host::prelude::*;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::model::PlaybookRun;
use crate::runs::query::Query;
use crate::runs::store::{RunError, RunFilter, RunStore, Viewer};

const WORDS: [&str; 8] = [
    "db", "outage", "Login", "ÉCHEC", "api-42", "50%_off", "run", "r",
];

fn viewer(id: &str) -> Viewer {
    Viewer {
        user_id: id.into(),
        is_system_admin: id == "admin",
    }
}

fn named(i: usize, name: String) -> PlaybookRun {
    PlaybookRun {
        id: format!("run{i:0>23}"),
        name,
        team_id: if i.is_multiple_of(4) { "t2" } else { "t1" }.into(),
        channel_id: format!("ch{i}"),
        owner_user_id: "bob".into(),
        participant_ids: vec![if i.is_multiple_of(3) { "carol" } else { "bob" }.into()],
        create_at: 1 + i as i64,
        ..Default::default()
    }
}

fn name(i: usize) -> String {
    let w = |k: usize| WORDS[(i * 7 + k * 3) % WORDS.len()];
    format!("{} {} {}", w(0), w(i % 3), i)
}

/// The ids a search finds, and the ids whose name contains the term.
fn found_and_expected(
    host: &TestHost,
    v: &Viewer,
    team: &str,
    term: &str,
) -> (Vec<String>, Vec<String>) {
    let store = RunStore::new(host);
    let filter = RunFilter {
        team_id: team.into(),
        search_term: term.into(),
        per_page: 1000,
        ..Default::default()
    };
    let page = store.list(v, &filter).unwrap();
    assert_eq!(page.total_count, page.items.len());
    let mut found: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    found.sort();
    let all = RunFilter {
        team_id: team.into(),
        per_page: 1000,
        ..Default::default()
    };
    let mut expected: Vec<String> = store
        .list(v, &all)
        .unwrap()
        .items
        .into_iter()
        .filter(|r| r.name.to_lowercase().contains(&term.to_lowercase()))
        .map(|r| r.id)
        .collect();
    expected.sort();
    (found, expected)
}

fn check_searches(host: &TestHost, when: &str) -> usize {
    let mut hits = 0;
    for term in [
        "out", "OUTAGE", "db o", "échec", "api-4", "0%_", "%_o", "42", "un ", "zzz", "r", "1 ",
        "e 1",
    ] {
        for v in ["admin", "bob", "carol"] {
            for team in ["t1", ""] {
                let (found, expected) = found_and_expected(host, &viewer(v), team, term);
                assert_eq!(found, expected, "{when}: {term:?} as {v} in {team:?}");
                hits += found.len();
            }
        }
    }
    hits
}

#[test]
fn grams_are_the_distinct_lowercase_three_character_windows() {
    let g: Vec<String> = grams("ABab ÉÉ").into_iter().collect();
    assert_eq!(g, [" éé", "ab ", "aba", "b é", "bab"]);
    assert!(grams("ab").is_empty());
}

#[test]
fn searches_find_what_a_scan_finds_through_renames_deletes_and_imports() {
    let host = TestHost::new();
    for user in ["bob", "carol"] {
        host.inner.add_team_member("t1", user).unwrap();
    }
    ensure(&host.inner).unwrap();
    let store = RunStore::new(&host);
    for i in 0..60 {
        store.create(named(i, name(i))).unwrap();
    }
    assert!(check_searches(&host, "created") > 100);
    for i in (0..60).step_by(5) {
        store
            .update(&format!("run{i:0>23}"), |r| {
                r.name = format!("renamed outage {i}");
                Ok::<(), RunError>(())
            })
            .unwrap();
    }
    for i in (1..60).step_by(7) {
        store
            .delete(&format!("run{i:0>23}"), |_| Ok::<(), RunError>(()))
            .unwrap();
    }
    check_searches(&host, "renamed and deleted");
    let rows = |sql: &str| {
        host.inner
            .sql_query(sql, &[])
            .unwrap()
            .first()
            .unwrap()
            .i64("n")
            .unwrap()
    };
    let orphans =
        rows("SELECT COUNT(*) AS n FROM run_name_grams WHERE g_run NOT IN (SELECT id FROM runs)");
    assert_eq!(orphans, 0, "deleted runs leave no postings");

    // Runs stored the importer's way have no postings until the index is
    // rebuilt; meanwhile searches scan, and still find them.
    invalidate(&host.inner).unwrap();
    for i in 100..130 {
        assert!(store.put_raw(&named(i, name(i))).unwrap());
    }
    check_searches(&host, "imported, index incomplete");
    assert_eq!(ensure(&host.inner).unwrap(), 60 - 9 + 30);
    assert_eq!(ensure(&host.inner).unwrap(), 0, "complete: nothing to do");
    check_searches(&host, "imported and indexed");
}

#[test]
fn a_search_reads_the_postings_of_one_gram_not_every_name() {
    let host = TestHost::new();
    ensure(&host.inner).unwrap();
    let store = RunStore::new(&host);
    // "run" is in every name; "777" in one.
    for i in 0..(PROBE + 50) {
        store.create(named(i, format!("run {i}"))).unwrap();
    }
    let filter = RunFilter {
        team_id: "t1".into(),
        search_term: "run 777".into(),
        ..Default::default()
    };
    let q = Query::build(&host, &viewer("admin"), &filter)
        .unwrap()
        .unwrap();
    let (sql, params) = q.count();
    // Not a gram every name has ("run", "un "): a rare one of the term.
    let rare = [" 77", "777", "n 7"];
    assert!(
        params
            .iter()
            .any(|p| p.as_str().is_some_and(|g| rare.contains(&g))),
        "a rare gram: {params:?}"
    );
    let plan: Vec<String> = host
        .inner
        .sql_query(&format!("EXPLAIN QUERY PLAN {sql}"), &params)
        .unwrap()
        .iter()
        .map(|r| r.text("detail").unwrap())
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("SEARCH run_name_grams"), "{plan}");
    assert!(!plan.contains("SCAN runs"), "{plan}");
    let page = store.list(&viewer("admin"), &filter).unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.items[0].name, "run 777");

    // Every gram of "run 1" is common: the rarest drives, the others
    // filter the postings, and the answer is still exactly the scan's.
    let plan = super::plan(&host.inner, "run 1", "t1").unwrap().unwrap();
    assert_eq!(plan.driver, "n 1");
    assert_eq!(plan.filters.len(), 2, "{plan:?}");
    let filter = RunFilter {
        team_id: "t1".into(),
        search_term: "run 1".into(),
        per_page: 1000,
        ..Default::default()
    };
    let (sql, params) = Query::build(&host, &viewer("admin"), &filter)
        .unwrap()
        .unwrap()
        .count();
    assert!(sql.contains("EXISTS"), "{sql} {params:?}");
    let expected = (0..(PROBE + 50))
        .filter(|i| !i.is_multiple_of(4) && format!("run {i}").contains("run 1"))
        .count();
    let page = store.list(&viewer("admin"), &filter).unwrap();
    assert_eq!(page.total_count, expected);
    assert!(page.items.iter().all(|r| r.name.contains("run 1")));
}

/// After an import `activate` indexes a little and leaves the rest to a
/// scheduled job, whose firings finish it; searches are right meanwhile.
#[test]
fn a_large_import_is_indexed_in_the_background() {
    let host = TestHost::new();
    let store = RunStore::new(&host);
    super::invalidate(&host.inner).unwrap();
    let total = super::PAGE * super::INLINE_PAGES + 30;
    for i in 0..total {
        store.put_raw(&named(i, format!("Run {i}"))).unwrap();
    }
    super::build_in_background(&host.inner).unwrap();
    assert!(!super::complete(&host.inner).unwrap());
    assert!(
        host.inner.jobs.borrow().contains_key(super::JOB),
        "the rest is scheduled"
    );
    // In t1 (every 4th run is in t2), named "Run …123…".
    let expected: Vec<String> = (0..total)
        .filter(|i| !i.is_multiple_of(4) && format!("run {i}").contains("run 123"))
        .map(|i| format!("run{i:0>23}"))
        .collect();
    let found = |host: &TestHost| -> Vec<String> {
        let filter = RunFilter {
            team_id: "t1".into(),
            search_term: "run 123".into(),
            per_page: 100,
            ..Default::default()
        };
        let mut ids: Vec<String> = RunStore::new(host)
            .list(&viewer("admin"), &filter)
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        found(&host),
        expected,
        "searches scan until the index is complete"
    );
    host.inner.jobs.borrow_mut().clear();
    crate::hooks::scheduled_job(&host, super::JOB, "");
    assert!(super::complete(&host.inner).unwrap());
    let indexed = host
        .inner
        .sql_query("SELECT COUNT(DISTINCT g_run) AS n FROM run_name_grams", &[])
        .unwrap()
        .first()
        .unwrap()
        .i64("n")
        .unwrap();
    assert_eq!(indexed as usize, total);
    assert_eq!(found(&host), expected);
    assert!(!expected.is_empty());
}
