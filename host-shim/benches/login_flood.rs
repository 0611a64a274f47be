//! Login flood: what 200 concurrent bad logins do to the server.
//!
//! Starts the release server binary on a fresh data dir (loopback, random
//! port), signs up a few accounts, then for `FLOOD_SECS` (default 20) keeps
//! `FLOOD_CONCURRENCY` (default 200) bad logins in flight against them while
//! one client asks `/api/v4/users/me` with a valid token every 10 ms. Prints
//! the `/users/me` latency (p50, p99, max), the server's RSS (peak VmHWM and
//! the last VmRSS, from /proc) and what the flood got back.
//!
//! Two scenarios: the server as configured by default (rate limits on), and
//! with the rate limits off, so only the bounded password pool stands
//! between the flood and the server. Targets (issue 11): RSS < 300 MB and
//! `/users/me` p99 < 50 ms during the flood.
//!
//! ```text
//! cargo xtask build-plugins            # the server embeds the bundle
//! cargo build --release -p host-shim
//! cargo bench -p host-shim --bench login_flood
//! ```
//!
//! `HOST_SHIM_BIN` overrides the server binary (default
//! `target/release/host-shim`). Every request goes to 127.0.0.1 only, and the
//! run is bounded in time; the server is stopped at the end.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{env_or, start};

const ACCOUNTS: usize = 5;

async fn sign_up_and_log_in(http: &reqwest::Client, base: &str, username: &str) -> String {
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
    login.headers()["token"].to_str().unwrap().to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn scenario(name: &str, extra: &[&str], secs: u64, concurrency: usize) {
    let server = start(extra).await;
    let http = reqwest::Client::new();
    let token = sign_up_and_log_in(&http, &server.base, "admin").await;
    for i in 0..ACCOUNTS {
        sign_up_and_log_in(&http, &server.base, &format!("user{i}")).await;
    }
    let rss_before = server.memory_kib("VmRSS:");

    let stop = Arc::new(AtomicBool::new(false));
    let counts: Arc<[AtomicU64; 5]> = Arc::new(Default::default()); // 200, 401, 429, 503, other
    let flood_client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut flood = Vec::new();
    for worker in 0..concurrency {
        let (stop, counts, http) = (stop.clone(), counts.clone(), flood_client.clone());
        let url = format!("{}/api/v4/users/login", server.base);
        flood.push(tokio::spawn(async move {
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({"login_id": format!("user{}", n % ACCOUNTS), "password": "not the password"});
                let slot = match http.post(&url).json(&body).send().await {
                    Ok(resp) => match resp.status().as_u16() {
                        200 => 0,
                        401 => 1,
                        429 => 2,
                        503 => 3,
                        _ => 4,
                    },
                    Err(_) => 4,
                };
                counts[slot].fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // The valid-token prober and the memory sampler.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let prober = reqwest::Client::new();
    let mut latencies = Vec::new();
    let mut failures = 0u64;
    let mut peak_rss = 0u64;
    while Instant::now() < deadline {
        let asked = Instant::now();
        let ok = prober
            .get(format!("{}/api/v4/users/me", server.base))
            .bearer_auth(&token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        latencies.push(asked.elapsed());
        if !ok {
            failures += 1;
        }
        peak_rss = peak_rss.max(server.memory_kib("VmRSS:"));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in flood {
        let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
    }
    let hwm = server.memory_kib("VmHWM:");
    latencies.sort();
    let attempts: Vec<u64> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let total: u64 = attempts.iter().sum();
    println!("== {name} ({concurrency} concurrent bad logins for {secs} s)");
    println!(
        "   /users/me: {} requests, {failures} failed; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
    println!(
        "   server RSS: {:.1} MiB before, peak sampled {:.1} MiB, VmHWM {:.1} MiB",
        rss_before as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!(
        "   logins: {total} answered ({:.0}/s): 200 {}, 401 {}, 429 {}, 503 {}, other/error {}",
        total as f64 / secs as f64,
        attempts[0],
        attempts[1],
        attempts[2],
        attempts[3],
        attempts[4]
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a test run (`cargo test --benches`)
    // passes nothing and only checks that this builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let secs = env_or("FLOOD_SECS", 20u64).clamp(1, 120);
    let concurrency = env_or("FLOOD_CONCURRENCY", 200usize).clamp(1, 1000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        scenario("default limits", &[], secs, concurrency).await;
        // FLOOD_ONLY_DEFAULT=1: a server without the limit options (e.g.
        // an older build) runs the first scenario only.
        if env_or("FLOOD_ONLY_DEFAULT", 0u8) == 1 {
            return;
        }
        scenario(
            "rate limits off (password pool only)",
            &[
                "--login-limit-per-address",
                "off",
                "--login-limit-per-account",
                "off",
                "--signup-limit-per-address",
                "off",
            ],
            secs,
            concurrency,
        )
        .await;
    });
}
