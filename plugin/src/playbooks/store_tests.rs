use crate::host::prelude::*;
use std::cell::Cell;

use super::test_host::TestHost;
use super::*;
use crate::playbooks::model::{Checklist, ChecklistItem, PlaybookMember, role};

fn playbook(id: &str, title: &str) -> Playbook {
    Playbook {
        id: id.into(),
        title: title.into(),
        team_id: "t1".into(),
        members: vec![PlaybookMember {
            user_id: "bob".into(),
            roles: vec![role::MEMBER.into(), role::ADMIN.into()],
        }],
        ..Default::default()
    }
}

fn with_prefix(id: &str, prefix: &str) -> Playbook {
    Playbook {
        run_number_prefix: prefix.into(),
        ..playbook(id, id)
    }
}

/// What the old KV layout kept under `key`, asked of the tables:
/// `pbt/<team>/<id>` ("" when listed in the team) and
/// `pbpfx/<team>/<PREFIX>` (the claiming playbook's id).
fn kv(host: &TestHost, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let (sql, value) = match parts[0] {
        "pbt" => (
            "SELECT '' AS v FROM playbooks WHERE team_id = $1 AND id = $2",
            "v",
        ),
        "pbpfx" => (
            "SELECT playbook_id AS v FROM playbook_prefixes WHERE team_id = $1 AND prefix = $2",
            "v",
        ),
        other => panic!("no table for {other}"),
    };
    let rows = host
        .inner
        .sql_query(sql, &crate::params![parts[1], parts[2]])
        .unwrap();
    rows.first().map(|r| r.text(value).unwrap())
}

fn playbook_rows(host: &TestHost) -> i64 {
    let rows = host
        .inner
        .sql_query("SELECT COUNT(*) AS n FROM playbooks", &[])
        .unwrap();
    rows.first().unwrap().i64("n").unwrap()
}

fn field(err: StoreError) -> String {
    match err {
        StoreError::Invalid(e) => e.field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn create_writes_record_index_and_claim_in_one_transaction() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    let mut pb = with_prefix("p1", "inc");
    pb.checklists = vec![Checklist {
        id: "c1".into(),
        title: "Triage".into(),
        items: vec![
            ChecklistItem {
                title: "a".into(),
                ..Default::default()
            },
            ChecklistItem {
                title: "b".into(),
                ..Default::default()
            },
        ],
    }];
    pb.num_stages = 99; // never trusted
    let stored = store.create(pb).unwrap();
    assert_eq!(host.writes.get(), 1);
    assert_eq!(
        (stored.create_at, stored.update_at),
        (host.inner.now, host.inner.now)
    );
    assert_eq!((stored.num_stages, stored.num_steps), (1, 2));
    assert_eq!(kv(&host, "pbt/t1/p1").as_deref(), Some(""));
    assert_eq!(kv(&host, "pbpfx/t1/INC").as_deref(), Some("p1"));
    assert_eq!(store.get("p1").unwrap(), Some(stored));
    assert_eq!(store.get("nope").unwrap(), None);
}

#[test]
fn create_refuses_an_existing_id_and_invalid_playbooks() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(playbook("p1", "One")).unwrap();
    let again = store.create(playbook("p1", "Other")).unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    assert_eq!(store.get("p1").unwrap().unwrap().title, "One");

    assert_eq!(
        field(store.create(playbook("p2", " ")).unwrap_err()),
        "title"
    );
    assert_eq!(field(store.create(playbook("a/b", "x")).unwrap_err()), "id");
    let mut bad_team = playbook("p3", "x");
    bad_team.team_id = "t1/x".into();
    assert_eq!(field(store.create(bad_team).unwrap_err()), "team_id");
    assert_eq!(playbook_rows(&host), 1, "nothing but p1");
}

#[test]
fn run_number_prefix_is_unique_per_team_case_insensitively() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(with_prefix("p1", "INC")).unwrap();
    let err = store.create(with_prefix("p2", "inc")).unwrap_err();
    assert_eq!(field(err.clone()), "run_number_prefix");
    assert!(err.to_string().contains("already used"), "{err}");
    assert_eq!(store.get("p2").unwrap(), None);
    assert_eq!(kv(&host, "pbt/t1/p2"), None);
    // Another team may use it; no prefix claims nothing.
    let mut other_team = with_prefix("p3", "INC");
    other_team.team_id = "t2".into();
    store.create(other_team).unwrap();
    store.create(with_prefix("p4", "")).unwrap();
    store.create(with_prefix("p5", "")).unwrap();
    assert_eq!(kv(&host, "pbpfx/t2/INC").as_deref(), Some("p3"));
}

#[test]
fn changing_the_prefix_releases_the_old_claim_and_takes_the_new_one() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(with_prefix("p1", "INC")).unwrap();
    store.create(with_prefix("p2", "SEV")).unwrap();

    let updated = store
        .update("p1", |pb| {
            pb.run_number_prefix = "OPS".into();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(updated.run_number_prefix, "OPS");
    assert_eq!(kv(&host, "pbpfx/t1/INC"), None);
    assert_eq!(kv(&host, "pbpfx/t1/OPS").as_deref(), Some("p1"));

    // Taken by p2: refused, nothing changes.
    let err = store
        .update("p1", |pb| {
            pb.run_number_prefix = "sev".into();
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    assert_eq!(field(err), "run_number_prefix");
    assert_eq!(store.get("p1").unwrap().unwrap().run_number_prefix, "OPS");
    assert_eq!(kv(&host, "pbpfx/t1/SEV").as_deref(), Some("p2"));

    // Released prefixes are free again; a case change keeps the claim.
    store
        .update("p2", |pb| {
            pb.run_number_prefix = "INC".into();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store
        .update("p1", |pb| {
            pb.run_number_prefix = "ops".into();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(kv(&host, "pbpfx/t1/OPS").as_deref(), Some("p1"));
    assert_eq!(kv(&host, "pbpfx/t1/SEV"), None);
    // Clearing the prefix releases it.
    store
        .update("p1", |pb| {
            pb.run_number_prefix.clear();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(kv(&host, "pbpfx/t1/OPS"), None);
}

#[test]
fn update_keeps_identity_and_stamps_update_at() {
    let mut host = TestHost::new();
    host.inner.now = 1000;
    PlaybookStore::new(&host)
        .create(playbook("p1", "One"))
        .unwrap();
    host.inner.now = 2000;
    let store = PlaybookStore::new(&host);
    let updated = store
        .update("p1", |pb| {
            pb.id = "other".into();
            pb.team_id = "t2".into();
            pb.create_at = 5;
            pb.title = "Renamed".into();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(
        (updated.id.as_str(), updated.team_id.as_str()),
        ("p1", "t1")
    );
    assert_eq!((updated.create_at, updated.update_at), (1000, 2000));
    assert_eq!(store.get("p1").unwrap(), Some(updated));
    assert_eq!(store.get("other").unwrap(), None);
}

#[test]
fn update_without_changes_writes_nothing() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    let created = store.create(playbook("p1", "One")).unwrap();
    let writes = host.writes.get();
    let same = store.update("p1", |_| Ok::<_, StoreError>(())).unwrap();
    assert_eq!(same, created);
    assert_eq!(host.writes.get(), writes);
}

#[test]
fn update_errors() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    let missing = store.update("nope", |_| Ok::<_, StoreError>(()));
    assert_eq!(missing, Err(StoreError::NotFound));
    let created = store.create(playbook("p1", "One")).unwrap();
    let invalid = store.update("p1", |pb| {
        pb.title.clear();
        Ok::<_, StoreError>(())
    });
    assert_eq!(field(invalid.unwrap_err()), "title");
    // The closure's own error passes through untouched.
    let refused = store.update("p1", |_| Err(StoreError::Conflict("no".into())));
    assert_eq!(refused, Err(StoreError::Conflict("no".into())));
    assert_eq!(store.get("p1").unwrap(), Some(created));
}

#[test]
fn a_concurrent_write_between_read_and_compare_and_set_is_not_lost() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(playbook("p1", "One")).unwrap();
    // Another writer changes the description after our read, before our
    // compare-and-set.
    host.before_next_write(|fake| {
        PlaybookStore::new(fake)
            .update("p1", |pb| {
                pb.description = "written concurrently".into();
                Ok::<_, StoreError>(())
            })
            .unwrap();
    });
    let calls = Cell::new(0);
    let updated = store
        .update("p1", |pb| {
            calls.set(calls.get() + 1);
            pb.title = "Renamed".into();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(calls.get(), 2, "the change ran again on the fresh record");
    assert_eq!(updated.title, "Renamed");
    assert_eq!(updated.description, "written concurrently");
    assert_eq!(store.get("p1").unwrap(), Some(updated));
}

#[test]
fn a_prefix_claimed_concurrently_is_detected_on_retry() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(with_prefix("p1", "INC")).unwrap();
    host.before_next_write(|fake| {
        PlaybookStore::new(fake)
            .create(with_prefix("p9", "SEV"))
            .unwrap();
    });
    let err = store
        .update("p1", |pb| {
            pb.run_number_prefix = "SEV".into();
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    assert_eq!(field(err), "run_number_prefix");
    assert_eq!(kv(&host, "pbpfx/t1/INC").as_deref(), Some("p1"));
    assert_eq!(store.get("p1").unwrap().unwrap().run_number_prefix, "INC");
}

#[test]
fn a_prefix_claimed_concurrently_fails_create() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    host.before_next_write(|fake| {
        PlaybookStore::new(fake)
            .create(with_prefix("p9", "INC"))
            .unwrap();
    });
    assert_eq!(
        field(store.create(with_prefix("p1", "INC")).unwrap_err()),
        "run_number_prefix"
    );
    assert_eq!(store.get("p1").unwrap(), None);
}

/// Titles and run counts of a small catalogue in team t1.
fn catalogue(store: &PlaybookStore<'_, TestHost>) {
    for (id, title, runs, public) in [
        ("p1", "Incident response", 5, true),
        ("p2", "bug triage", 1, true),
        ("p3", "Release", 9, true),
        ("p4", "Security incident", 3, false),
        ("p5", "Onboarding", 0, true),
    ] {
        let mut pb = playbook(id, title);
        pb.public = public;
        pb.num_runs = runs;
        pb.last_run_at = runs * 10;
        store.create(pb).unwrap();
    }
    store
        .update("p5", |pb| {
            pb.delete_at = 1;
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

fn titles(page: &PlaybookPage) -> Vec<&str> {
    page.items.iter().map(|p| p.title.as_str()).collect()
}

#[test]
fn list_sorts_searches_filters_and_pages() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    catalogue(&store);
    let t1 = ["t1".to_string()];
    let list = |f: ListFilter| store.list(&t1, &f).unwrap();

    let all = list(ListFilter::default());
    assert_eq!(all.total_count, 4, "archived left out");
    assert_eq!(
        titles(&all),
        [
            "bug triage",
            "Incident response",
            "Release",
            "Security incident"
        ],
        "title order is case-insensitive"
    );
    let by_runs = list(ListFilter {
        sort: SortField::Runs,
        descending: true,
        ..Default::default()
    });
    assert_eq!(
        titles(&by_runs),
        [
            "Release",
            "Incident response",
            "Security incident",
            "bug triage"
        ]
    );
    let by_last_run = list(ListFilter {
        sort: SortField::LastRunAt,
        ..Default::default()
    });
    assert_eq!(titles(&by_last_run)[0], "bug triage");

    let search = list(ListFilter {
        search_term: "INCIDENT".into(),
        ..Default::default()
    });
    assert_eq!(titles(&search), ["Incident response", "Security incident"]);

    let archived = list(ListFilter {
        with_archived: true,
        ..Default::default()
    });
    assert_eq!(archived.total_count, 5);

    // Private p4 is only listed for its members.
    let carol = list(ListFilter {
        visible_to: Some("carol".into()),
        ..Default::default()
    });
    assert_eq!(
        titles(&carol),
        ["bug triage", "Incident response", "Release"]
    );
    let bob = list(ListFilter {
        visible_to: Some("bob".into()),
        ..Default::default()
    });
    assert_eq!(bob.total_count, 4);

    let page = |page, per_page| {
        list(ListFilter {
            page,
            per_page,
            ..Default::default()
        })
    };
    let first = page(0, 3);
    assert_eq!(
        (first.total_count, first.page_count, first.has_more),
        (4, 2, true)
    );
    assert_eq!(first.items.len(), 3);
    let second = page(1, 3);
    assert_eq!((second.page_count, second.has_more), (2, false));
    assert_eq!(titles(&second), ["Security incident"]);
    let beyond = page(7, 3);
    assert!(beyond.items.is_empty() && !beyond.has_more);
    assert_eq!(beyond.total_count, 4);
    let exact = page(1, 2);
    assert_eq!(
        (exact.page_count, exact.has_more, exact.items.len()),
        (2, false, 2)
    );
}

#[test]
fn list_spans_teams_and_ignores_foreign_index_entries() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(playbook("p1", "A")).unwrap();
    let mut other = playbook("p2", "B");
    other.team_id = "t2".into();
    store.create(other).unwrap();
    // A stray index entry pointing at another team's playbook.
    host.inner
        .kv
        .borrow_mut()
        .insert("pbt/t1/p2".into(), Vec::new());
    assert_eq!(store.team_ids().unwrap(), ["t1", "t2"]);
    let only_t1 = store.list(&["t1".into()], &ListFilter::default()).unwrap();
    assert_eq!(titles(&only_t1), ["A"]);
    let both = store
        .list(
            &["t2".into(), "t1".into(), "t1".into()],
            &ListFilter::default(),
        )
        .unwrap();
    assert_eq!(titles(&both), ["A", "B"]);
    assert_eq!(
        store.list(&[], &ListFilter::default()).unwrap().total_count,
        0
    );
}

#[test]
fn list_pages_through_more_than_a_thousand_keys() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    for n in 0..1203 {
        store
            .create(playbook(&format!("p{n:04}"), &format!("Playbook {n:04}")))
            .unwrap();
    }
    assert_eq!(store.ids_in_team("t1").unwrap().len(), 1203);
    let page = store
        .list(
            &["t1".into()],
            &ListFilter {
                page: 1,
                per_page: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (page.total_count, page.page_count, page.has_more),
        (1203, 2, false)
    );
    assert_eq!(page.items.len(), 203);
    assert_eq!(page.items[0].title, "Playbook 1000");
}

#[test]
fn unreadable_records_are_skipped_in_lists_and_errors_on_get() {
    let host = TestHost::new();
    let store = PlaybookStore::new(&host);
    store.create(playbook("p1", "A")).unwrap();
    store.create(playbook("p2", "B")).unwrap();
    host.inner
        .sql_execute(
            "UPDATE playbooks SET data = 'not json' WHERE id = 'p2'",
            &[],
        )
        .unwrap();
    assert_eq!(
        store
            .list(&["t1".into()], &ListFilter::default())
            .unwrap()
            .total_count,
        1
    );
    assert!(
        host.inner
            .logs
            .borrow()
            .iter()
            .any(|l| l.contains("playbook p2"))
    );
    assert!(matches!(store.get("p2"), Err(StoreError::Host(_))));
}

#[test]
fn sort_names() {
    for name in SortField::NAMES {
        assert!(SortField::parse(name).is_some(), "{name}");
    }
    assert_eq!(SortField::parse("RUNS"), Some(SortField::Runs));
    assert_eq!(SortField::parse("name"), None);
}
