//! Reactions vs post throughput (decision 018).
//!
//! Starts the server binary on a fresh data dir (loopback, random port),
//! with a team, a channel and a few members, then measures:
//!
//! 1. posts/s with `WRITERS` (default 4) clients posting as fast as they can
//!    for `BENCH_SECS` (default 10) — alone; while `REACTORS` (default 4)
//!    other clients add and remove reactions on the newest posts at
//!    `REACTION_RATE` changes/s in all (default 50, a busy incident); and
//!    while they do so as fast as they can (which competes for the same CPU
//!    and write lock as any other write would);
//! 2. `GET /channels/{id}/posts?per_page=200` latency (p50, p99) on a page
//!    of 200 posts without reactions and on one where every post has 10
//!    reactions (2,000 in all).
//!
//! ```text
//! cargo xtask build-plugins            # the server embeds the bundle
//! cargo build --release -p host-shim
//! cargo bench -p host-shim --bench reactions
//! ```
//!
//! `HOST_SHIM_BIN` overrides the binary (default `target/release/host-shim`).
//! Loopback only, bounded in time; the server is killed (by its pid) at the
//! end. Not run by CI.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{env_or, start};
use tokio::sync::Mutex;

const USERS: usize = 5;

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
    id: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                (status, resp.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    async fn post(&self, channel_id: &str, message: &str) -> Option<String> {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/api/v4/posts",
                Some(json!({"channel_id": channel_id, "message": message})),
            )
            .await;
        (status == 201).then(|| body["id"].as_str().unwrap_or_default().to_string())
    }

    async fn react(&self, post_id: &str, emoji: &str, on: bool) -> bool {
        let (status, _) = if on {
            self.call(
                reqwest::Method::POST,
                "/api/v4/reactions",
                Some(json!({"user_id": self.id, "post_id": post_id, "emoji_name": emoji})),
            )
            .await
        } else {
            self.call(
                reqwest::Method::DELETE,
                &format!(
                    "/api/v4/users/{}/posts/{post_id}/reactions/{emoji}",
                    self.id
                ),
                None,
            )
            .await
        };
        status == 200
    }
}

async fn sign_up(http: &reqwest::Client, base: &str, username: &str) -> Api {
    let created = http
        .post(format!("{base}/api/v4/users"))
        .json(&json!({"username": username, "email": format!("{username}@example.com"), "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let login = http
        .post(format!("{base}/api/v4/users/login"))
        .json(&json!({"login_id": username, "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = login.headers()["token"].to_str().unwrap().to_string();
    let me: Value = login.json().await.unwrap();
    Api {
        http: http.clone(),
        base: base.to_string(),
        token,
        id: me["id"].as_str().unwrap().to_string(),
    }
}

async fn channel(admin: &Api, team_id: &str, name: &str, members: &[Api]) -> String {
    let (status, channel) = admin
        .call(
            reqwest::Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": name, "display_name": name, "type": "O"})),
        )
        .await;
    assert_eq!(status, 201, "{channel}");
    let id = channel["id"].as_str().unwrap().to_string();
    for m in members {
        let (status, body) = admin
            .call(
                reqwest::Method::POST,
                &format!("/api/v4/channels/{id}/members"),
                Some(json!({"user_id": m.id})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    id
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Posts/s for `secs` seconds with `writers` posting clients, plus
/// reactions/s when `reactors` > 0.
async fn throughput(
    users: &[Api],
    channel_id: &str,
    secs: u64,
    writers: usize,
    reactors: usize,
    emoji: &[String],
    // Reaction changes per second over all reactors; 0: as fast as they can.
    rate: u64,
) -> (f64, f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let posts = Arc::new(AtomicU64::new(0));
    let reactions = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let recent: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for w in 0..writers {
        let api = users[w % users.len()].clone();
        let (stop, posts, failures, recent) = (
            stop.clone(),
            posts.clone(),
            failures.clone(),
            recent.clone(),
        );
        let channel_id = channel_id.to_string();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match api.post(&channel_id, &format!("writer {w} post {n}")).await {
                    Some(id) => {
                        posts.fetch_add(1, Ordering::Relaxed);
                        let mut recent = recent.lock().await;
                        recent.push(id);
                        if recent.len() > 50 {
                            recent.remove(0);
                        }
                    }
                    None => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for r in 0..reactors {
        let api = users[(r + 1) % users.len()].clone();
        let (stop, reactions, failures, recent) = (
            stop.clone(),
            reactions.clone(),
            failures.clone(),
            recent.clone(),
        );
        let emoji = emoji.to_vec();
        // Each reactor's share of the rate: one add+remove pair per tick.
        let pause =
            (rate > 0).then(|| Duration::from_secs_f64(2.0 * reactors as f64 / rate as f64));
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            let mut ticker = pause.map(tokio::time::interval);
            while !stop.load(Ordering::Relaxed) {
                if let Some(ticker) = ticker.as_mut() {
                    ticker.tick().await;
                }
                let target = {
                    let recent = recent.lock().await;
                    recent.get(n % recent.len().max(1)).cloned()
                };
                let Some(post_id) = target else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let name = &emoji[(n + r) % emoji.len()];
                // Add, then remove: the table stays small, every call writes.
                for on in [true, false] {
                    if api.react(&post_id, name, on).await {
                        reactions.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
    }
    (
        posts.load(Ordering::Relaxed) as f64 / secs as f64,
        reactions.load(Ordering::Relaxed) as f64 / secs as f64,
        failures.load(Ordering::Relaxed),
    )
}

/// Time to the last byte of the answer (the client does not parse it, so
/// only the server's work and the transfer are measured).
async fn page_latency(
    api: &Api,
    channel_id: &str,
    rounds: usize,
) -> (Duration, Duration, usize, usize) {
    let url = format!(
        "{}/api/v4/channels/{channel_id}/posts?per_page=200",
        api.base
    );
    let mut latencies = Vec::with_capacity(rounds);
    let mut last = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let resp = api
            .http
            .get(&url)
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        last = resp.bytes().await.unwrap().to_vec();
        latencies.push(started.elapsed());
    }
    let body: Value = serde_json::from_slice(&last).unwrap();
    let reactions = body["posts"]
        .as_object()
        .map(|posts| {
            posts
                .values()
                .map(|p| p["metadata"]["reactions"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    latencies.sort();
    (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        reactions,
        last.len(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` only builds this.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let secs = env_or("BENCH_SECS", 10u64).clamp(1, 120);
    let writers = env_or("WRITERS", 4usize).clamp(1, 64);
    let reactors = env_or("REACTORS", 4usize).clamp(1, 64);
    let rate = env_or("REACTION_RATE", 50u64).clamp(1, 10_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let server = start(&[]).await;
        let http = reqwest::Client::new();
        let mut users = Vec::new();
        for i in 0..USERS {
            users.push(sign_up(&http, &server.base, &format!("user{i}")).await);
        }
        let admin = users[0].clone();
        let (status, team) = admin
            .call(
                reqwest::Method::POST,
                "/api/v4/teams",
                Some(json!({"name": "bench", "display_name": "Bench", "type": "O"})),
            )
            .await;
        assert_eq!(status, 201, "{team}");
        let team_id = team["id"].as_str().unwrap().to_string();
        for u in &users[1..] {
            let (status, body) = admin
                .call(
                    reqwest::Method::POST,
                    &format!("/api/v4/teams/{team_id}/members"),
                    Some(json!({"team_id": team_id, "user_id": u.id})),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
        let (_, list) = admin
            .call(reqwest::Method::GET, "/api/v4/emoji/standard", None)
            .await;
        let emoji: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .take(10)
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect();

        let quiet = channel(&admin, &team_id, "quiet", &users[1..]).await;
        let paced = channel(&admin, &team_id, "paced", &users[1..]).await;
        let busy = channel(&admin, &team_id, "busy", &users[1..]).await;
        // Warm up (connections, caches) before measuring.
        throughput(&users, &quiet, 1, writers, 0, &emoji, 0).await;
        let (alone, _, failed_alone) =
            throughput(&users, &quiet, secs, writers, 0, &emoji, 0).await;
        let (with_paced, paced_rate, failed_paced) =
            throughput(&users, &paced, secs, writers, reactors, &emoji, rate).await;
        let (with_flood, flood_rate, failed_flood) =
            throughput(&users, &busy, secs, writers, reactors, &emoji, 0).await;
        println!("== post throughput ({writers} writers, {secs} s each)");
        println!("   posts alone:                        {alone:.0} posts/s ({failed_alone} failed)");
        println!(
            "   with reactions at ~{rate}/s:            {with_paced:.0} posts/s, {paced_rate:.0} reaction changes/s ({failed_paced} failed)"
        );
        println!(
            "   with {reactors} clients reacting flat out:  {with_flood:.0} posts/s, {flood_rate:.0} reaction changes/s ({failed_flood} failed)"
        );

        // A page of 200 posts, without and with 10 reactions each.
        let plain = channel(&admin, &team_id, "plain", &users[1..]).await;
        let reacted = channel(&admin, &team_id, "reacted", &users[1..]).await;
        for i in 0..200 {
            admin.post(&plain, &format!("plain {i}")).await.unwrap();
            let id = admin.post(&reacted, &format!("reacted {i}")).await.unwrap();
            for (n, name) in emoji.iter().take(10).enumerate() {
                assert!(users[n % USERS].react(&id, name, true).await);
            }
        }
        let rounds = 200;
        page_latency(&admin, &plain, 20).await;
        let (p50_plain, p99_plain, _, bytes_plain) = page_latency(&admin, &plain, rounds).await;
        let (p50_reacted, p99_reacted, count, bytes_reacted) =
            page_latency(&admin, &reacted, rounds).await;
        println!("== GET /channels/{{id}}/posts?per_page=200 ({rounds} requests each)");
        println!(
            "   200 posts, no reactions:         p50 {:.2} ms, p99 {:.2} ms, {} KiB",
            ms(p50_plain),
            ms(p99_plain),
            bytes_plain / 1024
        );
        println!(
            "   200 posts, {count} reactions:      p50 {:.2} ms, p99 {:.2} ms, {} KiB",
            ms(p50_reacted),
            ms(p99_reacted),
            bytes_reacted / 1024
        );
        drop(server);
    });
}
