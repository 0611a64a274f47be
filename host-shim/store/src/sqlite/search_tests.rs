use rusqlite::{Connection, params};

use super::*;
use crate::model::{Channel, Team, User, new_id};
use crate::ports::ChatStore;
use crate::sqlite::schema::MIGRATIONS;
use crate::sqlite::tests::temp_store;

fn user(store: &SqliteStore, name: &str) -> User {
    crate::sqlite::tests::stored_user(store, name)
}

fn team(store: &SqliteStore, name: &str) -> Team {
    let team = Team {
        id: new_id(),
        name: name.into(),
        team_type: "O".into(),
        ..Default::default()
    };
    store.create_team(&team).unwrap();
    team
}

fn channel(store: &SqliteStore, team_id: &str, name: &str, kind: &str) -> Channel {
    let channel = Channel {
        id: new_id(),
        team_id: team_id.into(),
        channel_type: kind.into(),
        name: name.into(),
        ..Default::default()
    };
    store.create_channel(&channel).unwrap();
    channel
}

fn make(channel: &Channel, user: &User, at: i64, message: &str) -> Post {
    Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        channel_id: channel.id.clone(),
        user_id: user.id.clone(),
        message: message.into(),
        ..Default::default()
    }
}

fn post(store: &SqliteStore, channel: &Channel, user: &User, at: i64, message: &str) -> Post {
    let post = make(channel, user, at, message);
    store.create_post(&post).unwrap();
    post
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    alice: User,
    bob: User,
    core: Team,
    town: Channel,
}

/// Alice and Bob in team `core`, both members of `town`.
fn fixture() -> Fixture {
    let (dir, store) = temp_store();
    let alice = user(&store, "alice");
    let bob = user(&store, "bob");
    let core = team(&store, "core");
    for u in [&alice, &bob] {
        store.add_team_member(&core.id, &u.id, "team_user").unwrap();
    }
    let town = channel(&store, &core.id, "town-square", "O");
    store.add_channel_member(&town.id, &alice.id, 0).unwrap();
    store.add_channel_member(&town.id, &bob.id, 0).unwrap();
    Fixture {
        _dir: dir,
        store,
        alice,
        bob,
        core,
        town,
    }
}

impl Fixture {
    fn query(&self, user: &User, terms: &[&str]) -> PostSearchQuery {
        PostSearchQuery {
            user_id: user.id.clone(),
            team_id: Some(self.core.id.clone()),
            terms: terms.iter().map(|t| SearchTerm::word(t)).collect(),
            limit: 60,
            ..Default::default()
        }
    }

    fn ids(&self, query: &PostSearchQuery) -> Vec<String> {
        self.store
            .search_posts(query)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect()
    }

    fn find(&self, terms: &[&str]) -> Vec<String> {
        self.ids(&self.query(&self.alice, terms))
    }
}

#[test]
fn words_match_all_terms_newest_first_case_and_accent_blind() {
    let f = fixture();
    let a = post(&f.store, &f.town, &f.alice, 10, "The Database is down");
    let b = post(
        &f.store,
        &f.town,
        &f.bob,
        20,
        "database restored, café open",
    );
    let _c = post(&f.store, &f.town, &f.bob, 30, "lunch?");
    assert_eq!(f.find(&["database"]), vec![b.id.clone(), a.id.clone()]);
    assert_eq!(f.find(&["DATABASE", "down"]), vec![a.id.clone()]);
    assert_eq!(f.find(&["cafe"]), vec![b.id.clone()]);
    assert!(f.find(&["database", "lunch"]).is_empty());

    let mut or = f.query(&f.alice, &["down", "lunch"]);
    or.or_terms = true;
    assert_eq!(f.ids(&or).len(), 2);
}

#[test]
fn phrases_prefixes_and_exclusions() {
    let f = fixture();
    let a = post(&f.store, &f.town, &f.alice, 10, "deploy the new build");
    let b = post(
        &f.store,
        &f.town,
        &f.alice,
        20,
        "new deployment of the build",
    );
    assert_eq!(f.find(&["new build"]), vec![a.id.clone()]);
    let mut prefix = f.query(&f.alice, &["deploy"]);
    assert_eq!(f.ids(&prefix), vec![a.id.clone()]);
    prefix.terms[0].prefix = true;
    assert_eq!(f.ids(&prefix), vec![b.id.clone(), a.id.clone()]);
    prefix.excluded_terms = vec![SearchTerm::word("deployment")];
    assert_eq!(f.ids(&prefix), vec![a.id.clone()]);

    // Exclusions alone (with a filter) leave out what they name.
    let mut only_excluded = f.query(&f.alice, &[]);
    only_excluded.from_user_ids = vec![f.alice.id.clone()];
    only_excluded.excluded_terms = vec![SearchTerm::word("new build")];
    assert_eq!(f.ids(&only_excluded), vec![b.id.clone()]);
}

#[test]
fn fts_syntax_in_terms_is_plain_text_never_an_error() {
    let f = fixture();
    let hit = post(
        &f.store,
        &f.town,
        &f.alice,
        10,
        "a message NEAR the AND operator",
    );
    for term in [
        "\"",
        "\"\"",
        "NEAR(a b)",
        "message:x",
        "AND",
        "OR NOT",
        "*",
        "^a",
        "(",
        ")",
        "a\"b",
        "{message}",
        "+",
        "-",
        "col : x",
        "\0",
        "é\u{301}",
        "\u{301}",
        "'",
        ";",
        "--",
    ] {
        for prefix in [false, true] {
            let mut q = f.query(&f.alice, &[term]);
            q.terms[0].prefix = prefix;
            f.store
                .search_posts(&q)
                .unwrap_or_else(|e| panic!("{term:?}: {e}"));
            q.excluded_terms = q.terms.clone();
            q.terms = vec![SearchTerm::word("message")];
            f.store
                .search_posts(&q)
                .unwrap_or_else(|e| panic!("excluded {term:?}: {e}"));
        }
    }
    assert_eq!(f.find(&["near"]), vec![hit.id.clone()]);
    assert_eq!(f.find(&["AND operator"]), vec![hit.id]);
}

#[test]
fn edits_deletes_and_system_posts_keep_the_index_in_step() {
    let f = fixture();
    let mut root = post(&f.store, &f.town, &f.alice, 10, "original words");
    post(&f.store, &f.town, &f.bob, 11, "another root with words");
    let reply = Post {
        root_id: root.id.clone(),
        ..make(&f.town, &f.bob, 12, "a reply with words")
    };
    f.store.create_post(&reply).unwrap();
    assert_eq!(f.find(&["words"]).len(), 3);

    root.message = "edited text".into();
    f.store.update_post(&root).unwrap();
    assert!(f.find(&["original"]).is_empty());
    assert_eq!(f.find(&["edited"]), vec![root.id.clone()]);

    // Pinning (no text change) keeps it findable.
    root.is_pinned = true;
    f.store.update_post(&root).unwrap();
    assert_eq!(f.find(&["edited"]), vec![root.id.clone()]);

    f.store.delete_post(&root.id, 99).unwrap();
    assert!(f.find(&["edited"]).is_empty());
    assert_eq!(
        f.find(&["words"]).len(),
        1,
        "the root's reply went with it; the other root stays"
    );

    let mut system = Post {
        post_type: "system_join_channel".into(),
        ..make(&f.town, &f.bob, 50, "bob joined the channel")
    };
    f.store.create_post(&system).unwrap();
    assert!(f.find(&["joined"]).is_empty());
    // Edited into a normal post it becomes searchable, and back out again.
    system.post_type = String::new();
    f.store.update_post(&system).unwrap();
    assert_eq!(f.find(&["joined"]), vec![system.id.clone()]);
    system.post_type = "system_header_change".into();
    f.store.update_post(&system).unwrap();
    assert!(f.find(&["joined"]).is_empty());

    let deleted = Post {
        delete_at: 5,
        ..make(&f.town, &f.bob, 60, "born deleted")
    };
    f.store.create_post(&deleted).unwrap();
    assert!(f.find(&["born"]).is_empty());
}

#[test]
fn only_channels_the_caller_belongs_to_are_searched() {
    let f = fixture();
    let secret = channel(&f.store, &f.core.id, "secret", "P");
    f.store
        .add_channel_member(&secret.id, &f.bob.id, 0)
        .unwrap();
    let open_not_joined = channel(&f.store, &f.core.id, "open", "O");
    f.store
        .add_channel_member(&open_not_joined.id, &f.bob.id, 0)
        .unwrap();
    let carol = user(&f.store, "carol");
    let dm = channel(&f.store, "", &format!("{}__{}", f.bob.id, carol.id), "D");
    f.store.add_channel_member(&dm.id, &f.bob.id, 0).unwrap();
    f.store.add_channel_member(&dm.id, &carol.id, 0).unwrap();
    let other = team(&f.store, "other");
    f.store
        .add_team_member(&other.id, &f.bob.id, "team_user")
        .unwrap();
    let elsewhere = channel(&f.store, &other.id, "elsewhere", "O");
    f.store
        .add_channel_member(&elsewhere.id, &f.bob.id, 0)
        .unwrap();
    for c in [&secret, &open_not_joined, &dm, &elsewhere] {
        post(&f.store, c, &f.bob, 10, "hidden treasure");
    }
    let mine = post(&f.store, &f.town, &f.bob, 20, "visible treasure");

    assert_eq!(f.find(&["treasure"]), vec![mine.id.clone()]);
    let mut named = f.query(&f.alice, &["treasure"]);
    named.in_channel_ids = vec![secret.id.clone(), dm.id.clone(), elsewhere.id.clone()];
    assert!(f.ids(&named).is_empty(), "in: cannot widen the scope");
    named.team_id = None;
    assert!(f.ids(&named).is_empty());

    // Bob sees his team's channels and DM; the other team only without a team.
    let bob_core = f.query(&f.bob, &["treasure"]);
    assert_eq!(f.ids(&bob_core).len(), 4);
    let mut bob_all = bob_core.clone();
    bob_all.team_id = None;
    assert_eq!(f.ids(&bob_all).len(), 5);
    // Leaving the other team takes its channels out of an all-teams search.
    f.store
        .write(|tx| {
            tx.execute(
                "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2",
                params![other.id, f.bob.id],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(f.ids(&bob_all).len(), 4);
}

#[test]
fn archived_channels_only_on_request() {
    let f = fixture();
    let mut old = channel(&f.store, &f.core.id, "old", "O");
    f.store.add_channel_member(&old.id, &f.alice.id, 0).unwrap();
    let p = post(&f.store, &old, &f.alice, 10, "archived note");
    old.delete_at = 100;
    f.store.update_channel(&old).unwrap();
    assert!(f.find(&["note"]).is_empty());
    let mut q = f.query(&f.alice, &["note"]);
    q.include_deleted_channels = true;
    assert_eq!(f.ids(&q), vec![p.id]);
}

#[test]
fn filters_dates_and_paging() {
    let f = fixture();
    let mut posts = Vec::new();
    for i in 0..10 {
        let author = if i % 2 == 0 { &f.alice } else { &f.bob };
        // Two posts share each millisecond: order still follows insertion.
        posts.push(post(
            &f.store,
            &f.town,
            author,
            100 + i / 2,
            &format!("item {i}"),
        ));
    }
    let newest_first: Vec<String> = posts.iter().rev().map(|p| p.id.clone()).collect();
    assert_eq!(f.find(&["item"]), newest_first);

    let mut q = f.query(&f.alice, &["item"]);
    q.limit = 3;
    q.offset = 3;
    assert_eq!(f.ids(&q), newest_first[3..6]);

    let mut from = f.query(&f.alice, &["item"]);
    from.from_user_ids = vec![f.bob.id.clone()];
    assert_eq!(f.ids(&from).len(), 5);
    from.from_user_ids.clear();
    from.excluded_user_ids = vec![f.bob.id.clone()];
    assert_eq!(f.ids(&from).len(), 5);

    let mut dates = f.query(&f.alice, &["item"]);
    dates.after_ms = Some(101);
    dates.before_ms = Some(103);
    assert_eq!(f.ids(&dates), newest_first[4..8]);

    // Bounds outside what doc ids encode still filter exactly.
    dates.after_ms = Some(-5_000);
    dates.before_ms = Some(i64::MAX);
    assert_eq!(f.ids(&dates), newest_first);
    dates.after_ms = Some(104);
    assert_eq!(f.ids(&dates), newest_first[..2]);
    dates.after_ms = Some(1 << 50);
    assert!(f.ids(&dates).is_empty());
    // With from: too (the other query shape).
    dates.after_ms = Some(101);
    dates.before_ms = Some(103);
    dates.from_user_ids = vec![f.alice.id.clone(), f.bob.id.clone()];
    assert_eq!(f.ids(&dates), newest_first[4..8]);
    dates.in_channel_ids = vec![f.town.id.clone()];
    dates.from_user_ids = vec![f.bob.id.clone()];
    assert_eq!(f.ids(&dates).len(), 2);

    // No terms: every post passing the filters.
    let mut filter_only = f.query(&f.alice, &[]);
    filter_only.in_channel_ids = vec![f.town.id.clone()];
    assert_eq!(f.ids(&filter_only), newest_first);
    filter_only.excluded_channel_ids = vec![f.town.id.clone()];
    assert!(f.ids(&filter_only).is_empty());
}

#[test]
fn upgrading_indexes_existing_posts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // The last release's schema (version 4: before reactions, search,
    // files and presence). Not "all but the last migration": later
    // migrations come after search, and starting from them would find the
    // index already there and test nothing.
    let search_index = 4;
    assert!(
        !MIGRATIONS[..search_index]
            .iter()
            .any(|m| m.contains("post_search")),
        "the old schema must not have the search index yet"
    );
    let (uid, tid, cid) = (new_id(), new_id(), new_id());
    {
        // A database as the last release (before search) left it.
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..search_index] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", search_index as i64)
            .unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO users (id, username, email) VALUES ('{uid}', 'old', 'old@x');
             INSERT INTO teams (id, name) VALUES ('{tid}', 'old');
             INSERT INTO channels (id, team_id, name) VALUES ('{cid}', '{tid}', 'c');
             INSERT INTO channel_members (channel_id, user_id) VALUES ('{cid}', '{uid}');
             INSERT INTO posts (id, create_at, user_id, channel_id, message)
                 VALUES ('p1', 5, '{uid}', '{cid}', 'legacy alpha'),
                        ('p2', 5, '{uid}', '{cid}', 'legacy beta'),
                        ('p3', 9, '{uid}', '{cid}', 'legacy gamma');
             INSERT INTO posts (id, create_at, user_id, channel_id, message, delete_at)
                 VALUES ('p4', 9, '{uid}', '{cid}', 'legacy deleted', 3);
             INSERT INTO posts (id, create_at, user_id, channel_id, message, type)
                 VALUES ('p5', 9, '{uid}', '{cid}', 'legacy joined', 'system_join_channel');"
        ))
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let query = PostSearchQuery {
        user_id: uid.clone(),
        team_id: Some(tid.clone()),
        terms: vec![SearchTerm::word("legacy")],
        limit: 10,
        ..Default::default()
    };
    let ids: Vec<String> = store
        .search_posts(&query)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["p3", "p2", "p1"]);
    // Posts written after the upgrade land after the back-filled ones.
    let user = User {
        id: uid,
        ..Default::default()
    };
    let chan = Channel {
        id: cid,
        ..Default::default()
    };
    let late = post(&store, &chan, &user, 5, "legacy delta");
    let first = store.search_posts(&query).unwrap();
    assert_eq!(first.len(), 4);
    assert_eq!(
        first[1].id, late.id,
        "same millisecond as p1/p2, stored last"
    );
}

#[test]
fn the_search_query_uses_the_index_and_stops_early() {
    let f = fixture();
    let plan = f
        .store
        .search_plan(&f.query(&f.alice, &["x"]))
        .unwrap()
        .join("\n");
    // The full-text index drives (outer loop), in doc_id order, no sorting.
    let fts = plan.find("VIRTUAL TABLE INDEX").expect(&plan);
    let docs = plan.find("USING INTEGER PRIMARY KEY").expect(&plan);
    assert!(fts < docs, "{plan}");
    assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{plan}");

    // Dates become rowid bounds of the index itself.
    let mut dated = f.query(&f.alice, &["x"]);
    dated.after_ms = Some(5);
    dated.before_ms = Some(9);
    let plan = f.store.search_plan(&dated).unwrap().join("\n");
    // FTS5's index string: M(atch), then the rowid bounds `>` and `<`.
    let first = plan.lines().next().unwrap();
    assert!(
        first.contains("VIRTUAL TABLE INDEX") && first.contains('>') && first.contains('<'),
        "rowid range: {plan}"
    );

    // from: walks that person's posts by index, newest first.
    let mut from = f.query(&f.alice, &["x"]);
    from.from_user_ids = vec![f.bob.id.clone()];
    let plan = f.store.search_plan(&from).unwrap().join("\n");
    assert!(plan.contains("post_search_docs_user"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{plan}");

    // Unless that person wrote too many posts to walk one by one: then the
    // word's matches drive, and the results are the same.
    let mut many = Vec::new();
    for i in 0..=MAX_WALKED_POSTS {
        let message = if i % 1000 == 0 { "x marks" } else { "filler" };
        many.push(make(&f.town, &f.bob, 10 + i, message));
    }
    f.store
        .write(|tx| {
            for p in &many {
                tx.execute(
                    "INSERT INTO posts (id, create_at, user_id, channel_id, message)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![p.id, p.create_at, p.user_id, p.channel_id, p.message],
                )?;
            }
            Ok(())
        })
        .unwrap();
    let plan = f.store.search_plan(&from).unwrap().join("\n");
    assert!(plan.starts_with("SCAN f VIRTUAL TABLE"), "{plan}");
    let found: Vec<String> = f.ids(&from);
    let expected: Vec<String> = many
        .iter()
        .rev()
        .filter(|p| p.message == "x marks")
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(found, expected);
    // Few posts by alice: still walked.
    from.from_user_ids = vec![f.alice.id.clone()];
    let plan = f.store.search_plan(&from).unwrap().join("\n");
    assert!(plan.contains("post_search_docs_user"), "{plan}");
}
