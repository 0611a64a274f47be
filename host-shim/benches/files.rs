//! File throughput: one 50 MB upload and its download, through the real
//! server (multipart to `POST /api/v4/files`, then `GET /api/v4/files/{id}`).
//!
//! Starts the server binary on a fresh data dir (loopback, random port),
//! signs up a user with a channel, then `FILES_ROUNDS` times (default 3)
//! uploads `FILES_MB` MB (default 50) and downloads it back, checking the
//! bytes. Prints MB/s for each direction (best and median) and the server's
//! RSS before, peak during uploads (VmRSS sampled every 5 ms) and its high
//! water mark (VmHWM): an upload is streamed to disk, so RSS must not grow
//! by the file size.
//!
//! ```text
//! cargo build --release -p host-shim
//! cargo bench -p host-shim --bench files
//! ```
//!
//! `HOST_SHIM_BIN` overrides the server binary (default
//! `target/release/host-shim`). Everything goes to 127.0.0.1, the run is
//! bounded, and the server is stopped at the end.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{env_or, memory_kib, server_binary, start};

async fn call(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> Value {
    let resp = http
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.unwrap()
}

/// A user with a team and a channel: (token, channel id).
async fn set_up(http: &reqwest::Client, base: &str) -> (String, String) {
    let created = http
        .post(format!("{base}/api/v4/users"))
        .json(&json!({"username": "bench", "email": "bench@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let login = http
        .post(format!("{base}/api/v4/users/login"))
        .json(&json!({"login_id": "bench", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    let token = login.headers()["token"].to_str().unwrap().to_string();
    let team = call(
        http,
        &token,
        reqwest::Method::POST,
        format!("{base}/api/v4/teams"),
        json!({"name": "bench", "display_name": "Bench", "type": "O"}),
    )
    .await;
    let channel = call(
        http,
        &token,
        reqwest::Method::POST,
        format!("{base}/api/v4/channels"),
        json!({"team_id": team["id"], "name": "uploads", "display_name": "Uploads", "type": "O"}),
    )
    .await;
    (token, channel["id"].as_str().unwrap().to_string())
}

fn mb_per_s(bytes: usize, took: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / took.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let mb: usize = env_or("FILES_MB", 50);
    let rounds: usize = env_or("FILES_ROUNDS", 3).max(1);
    let server = start(&[]).await;
    let pid = server.child.id();
    let http = reqwest::Client::new();
    let (token, channel_id) = set_up(&http, &server.base).await;
    let content: Vec<u8> = (0..mb * 1_000_000).map(|i| (i * 31 % 251) as u8).collect();
    let rss_before = memory_kib(pid, "VmRSS:");

    let sampling = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, peak) = (sampling.clone(), peak.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(memory_kib(pid, "VmRSS:"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let (mut ups, mut downs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let form = reqwest::multipart::Form::new()
            .text("channel_id", channel_id.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(content.clone())
                    .file_name(format!("big{round}.bin")),
            );
        let started = Instant::now();
        let resp = http
            .post(format!("{}/api/v4/files", server.base))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        let up = started.elapsed();
        let id = body["file_infos"][0]["id"].as_str().unwrap().to_string();

        let started = Instant::now();
        let mut resp = http
            .get(format!("{}/api/v4/files/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let mut received = Vec::with_capacity(content.len());
        while let Some(chunk) = resp.chunk().await.unwrap() {
            received.extend_from_slice(&chunk);
        }
        let down = started.elapsed();
        assert!(received == content, "the download differs from the upload");
        println!(
            "round {round}: upload {:.0} MB/s ({:.2} s), download {:.0} MB/s ({:.2} s)",
            mb_per_s(content.len(), up),
            up.as_secs_f64(),
            mb_per_s(content.len(), down),
            down.as_secs_f64()
        );
        ups.push(mb_per_s(content.len(), up));
        downs.push(mb_per_s(content.len(), down));
    }
    sampling.store(false, Ordering::Relaxed);
    sampler.await.unwrap();

    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "file: {mb} MB, {rounds} rounds ({})",
        server_binary().display()
    );
    println!(
        "upload:   best {:.0} MB/s, median {:.0} MB/s",
        best(&ups),
        median(ups.clone())
    );
    println!(
        "download: best {:.0} MB/s, median {:.0} MB/s",
        best(&downs),
        median(downs.clone())
    );
    println!(
        "server RSS: before {} MB, peak while transferring {} MB, high water mark {} MB",
        rss_before / 1024,
        peak.load(Ordering::Relaxed) / 1024,
        memory_kib(pid, "VmHWM:") / 1024
    );
}
