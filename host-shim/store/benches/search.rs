//! Post search over a large store: `cargo bench --workspace --bench search`.
//!
//! Builds (once, cached under `target/search-bench/`) a SQLite database of
//! `SEARCH_BENCH_POSTS` posts (default 1,000,000) in 2,000 channels of one
//! team, written by 2,000 users who each belong to 40 random channels, with
//! messages of 4–30 words drawn from a Zipf-distributed vocabulary of 20,000
//! words (a few dozen real chat words at the top). Posts go in through plain
//! `INSERT`s, so the search index is filled by the same triggers as in
//! production. Then it times typical searches through the store port and
//! prints p50 / p95 / max per kind.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chat_store::SearchStore;
use chat_store::ports::search::{PostSearchQuery, SearchTerm};
use chat_store::sqlite::SqliteStore;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CHANNELS: usize = 2_000;
const USERS: usize = 2_000;
const CHANNELS_PER_USER: usize = 40;
const VOCABULARY: usize = 20_000;
const RUNS_PER_KIND: usize = 60;
const TEAM: &str = "team0000000000000000000000";

const COMMON: &[&str] = &[
    "the",
    "to",
    "and",
    "is",
    "we",
    "it",
    "on",
    "for",
    "in",
    "this",
    "deploy",
    "database",
    "incident",
    "server",
    "release",
    "customer",
    "error",
    "build",
    "please",
    "review",
    "fixed",
    "today",
    "meeting",
    "latency",
    "rollback",
    "alert",
    "config",
    "cluster",
    "ticket",
    "update",
    "migration",
    "timeout",
    "dashboard",
    "outage",
    "staging",
    "production",
    "merge",
    "branch",
];

fn vocabulary() -> Vec<String> {
    let consonants = [
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "st",
    ];
    let vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
    let mut rng = StdRng::seed_from_u64(7);
    let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
    let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
    while words.len() < VOCABULARY {
        let syllables = rng.random_range(2..=4);
        let mut word = String::new();
        for _ in 0..syllables {
            word.push_str(consonants[rng.random_range(0..consonants.len())]);
            word.push_str(vowels[rng.random_range(0..vowels.len())]);
        }
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// Zipf(s = 1) sampler by inverse CDF over `n` ranks.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for rank in 1..=n {
            total += 1.0 / rank as f64;
            cdf.push(total);
        }
        Zipf(cdf.into_iter().map(|c| c / total).collect())
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let x: f64 = rng.random();
        self.0.partition_point(|c| *c < x).min(self.0.len() - 1)
    }
}

fn id(kind: &str, n: usize) -> String {
    format!("{kind}{n:0>w$}", w = 26 - kind.len())
}

fn build(path: &PathBuf, posts: usize) {
    let started = Instant::now();
    let _ = std::fs::remove_file(path);
    drop(SqliteStore::open(path).expect("create the schema"));
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let words = vocabulary();
    let zipf = Zipf::new(words.len());
    let mut rng = StdRng::seed_from_u64(42);
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO teams (id, name, display_name) VALUES (?1, 'bench', 'Bench')",
        [TEAM],
    )
    .unwrap();
    for c in 0..CHANNELS {
        tx.execute(
            "INSERT INTO channels (id, team_id, type, name, display_name)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            rusqlite::params![
                id("chan", c),
                TEAM,
                if c % 5 == 0 { "P" } else { "O" },
                format!("channel-{c}")
            ],
        )
        .unwrap();
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); CHANNELS];
    for u in 0..USERS {
        tx.execute(
            "INSERT INTO users (id, username, email) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                id("user", u),
                format!("user{u}"),
                format!("user{u}@example.com")
            ],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)",
            [TEAM, &id("user", u)],
        )
        .unwrap();
        let mut mine = std::collections::HashSet::new();
        while mine.len() < CHANNELS_PER_USER {
            mine.insert(rng.random_range(0..CHANNELS));
        }
        for c in mine {
            tx.execute(
                "INSERT INTO channel_members (channel_id, user_id) VALUES (?1, ?2)",
                [&id("chan", c), &id("user", u)],
            )
            .unwrap();
            members[c].push(u);
        }
    }
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        // Two years of posts, a little over a minute apart.
        let start = 1_700_000_000_000_i64;
        let step = 2 * 365 * 86_400_000 / posts.max(1) as i64;
        for p in 0..posts {
            let mut c = rng.random_range(0..CHANNELS);
            while members[c].is_empty() {
                c = rng.random_range(0..CHANNELS);
            }
            let author = members[c][rng.random_range(0..members[c].len())];
            let len = rng.random_range(4..=30);
            let message: Vec<&str> = (0..len)
                .map(|_| words[zipf.sample(&mut rng)].as_str())
                .collect();
            insert
                .execute(rusqlite::params![
                    id("post", p),
                    start + p as i64 * step,
                    id("user", author),
                    id("chan", c),
                    message.join(" "),
                ])
                .unwrap();
            if p % 100_000 == 99_999 {
                eprintln!("  {} posts ({:.0?})", p + 1, started.elapsed());
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    eprintln!("built {posts} posts in {:.1?}", started.elapsed());
}

fn term(text: &str) -> SearchTerm {
    SearchTerm::word(text)
}

fn report(kind: &str, mut times: Vec<Duration>, hits: usize) {
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{kind:<34} p50 {:>7.2} ms   p95 {:>7.2} ms   max {:>7.2} ms   ({} runs, {:.1} hits/run)",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        times.len(),
        hits as f64 / times.len() as f64
    );
}

fn main() {
    let posts: usize = std::env::var("SEARCH_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/search-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("posts-{posts}-v1.db"));
    if !path.exists() {
        eprintln!("building {} (once)…", path.display());
        build(&path, posts);
    }
    {
        // Databases built by an earlier version of this benchmark ran ANALYZE.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;")
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let words = vocabulary();
    let mut rng = StdRng::seed_from_u64(1);
    let base = |rng: &mut StdRng| PostSearchQuery {
        user_id: id("user", rng.random_range(0..USERS)),
        team_id: Some(TEAM.to_string()),
        limit: 61,
        ..Default::default()
    };
    // Word ranks: 0..38 are the common chat words; 100 is frequent, 2,000
    // mid, 15,000 rare.
    type Make = Box<dyn Fn(&mut StdRng, PostSearchQuery) -> PostSearchQuery>;
    let kinds: Vec<(&str, Make)> = vec![
        (
            "one common word (deploy)",
            Box::new(move |_, mut q| {
                q.terms = vec![term("deploy")];
                q
            }),
        ),
        ("one mid-frequency word", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![term(&words[rng.random_range(1_000..3_000)])];
                q
            })
        }),
        ("one rare word", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![term(&words[rng.random_range(10_000..20_000)])];
                q
            })
        }),
        ("two words AND (common + mid)", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![
                    term(&words[rng.random_range(10..38)]),
                    term(&words[rng.random_range(200..2_000)]),
                ];
                q
            })
        }),
        ("two mid words AND", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![
                    term(&words[rng.random_range(100..1_000)]),
                    term(&words[rng.random_range(100..1_000)]),
                ];
                q
            })
        }),
        ("two words OR", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![
                    term(&words[rng.random_range(500..5_000)]),
                    term(&words[rng.random_range(500..5_000)]),
                ];
                q.or_terms = true;
                q
            })
        }),
        (
            "phrase (\"database outage\")",
            Box::new(|_, mut q| {
                q.terms = vec![term("database outage")];
                q
            }),
        ),
        ("phrase of two mid words", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![term(&format!(
                    "{} {}",
                    words[rng.random_range(40..400)],
                    words[rng.random_range(40..400)]
                ))];
                q
            })
        }),
        ("prefix (3 letters*)", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                let word = &words[rng.random_range(100..2_000)];
                q.terms = vec![SearchTerm {
                    text: word.chars().take(3).collect(),
                    prefix: true,
                }];
                q
            })
        }),
        ("word -excluded", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.terms = vec![term(&words[rng.random_range(10..38)])];
                q.excluded_terms = vec![term(&words[rng.random_range(38..200)])];
                q
            })
        }),
        (
            "from:user + common word",
            Box::new(move |rng, mut q| {
                q.from_user_ids = vec![id("user", rng.random_range(0..USERS))];
                q.user_id = q.from_user_ids[0].clone();
                q.terms = vec![term("release")];
                q
            }),
        ),
        ("from:user + rare word", {
            let words = words.clone();
            Box::new(move |rng, mut q| {
                q.from_user_ids = vec![id("user", rng.random_range(0..USERS))];
                q.user_id = q.from_user_ids[0].clone();
                q.terms = vec![term(&words[rng.random_range(10_000..20_000)])];
                q
            })
        }),
        (
            "in:channel + common word",
            Box::new(move |rng, mut q| {
                q.in_channel_ids = vec![id("chan", rng.random_range(0..CHANNELS))];
                q.terms = vec![term("customer")];
                q
            }),
        ),
        (
            "from:user only (no words)",
            Box::new(move |rng, mut q| {
                q.from_user_ids = vec![id("user", rng.random_range(0..USERS))];
                q
            }),
        ),
        (
            "word + after:/before: (a month)",
            Box::new(move |rng, mut q| {
                let start = 1_700_000_000_000_i64 + rng.random_range(0..700) * 86_400_000;
                q.after_ms = Some(start);
                q.before_ms = Some(start + 30 * 86_400_000);
                q.terms = vec![term("build")];
                q
            }),
        ),
        (
            "page 10 of a common word",
            Box::new(move |_, mut q| {
                q.terms = vec![term("error")];
                q.offset = 600;
                q
            }),
        ),
    ];
    println!(
        "search over {posts} posts, {CHANNELS} channels, {USERS} users × {CHANNELS_PER_USER} channels; 60 per page"
    );
    // Warm the page cache once; show each kind's plan and first time.
    for (kind, make) in &kinds {
        let start = base(&mut rng);
        let q = make(&mut rng, start);
        eprintln!("{kind}: {}", store.search_plan(&q).unwrap().join(" / "));
        let started = Instant::now();
        store.search_posts(&q).unwrap();
        eprintln!("  first run {:.1?}", started.elapsed());
    }
    let mut all = Vec::new();
    for (kind, make) in &kinds {
        let mut times = Vec::with_capacity(RUNS_PER_KIND);
        let mut hits = 0;
        for _ in 0..RUNS_PER_KIND {
            let start = base(&mut rng);
            let q = make(&mut rng, start);
            let started = Instant::now();
            hits += store.search_posts(&q).unwrap().len();
            times.push(started.elapsed());
        }
        all.extend(times.iter().copied());
        report(kind, times, hits);
    }
    report("ALL", all, 0);
}
