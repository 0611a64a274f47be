//! Runtime benchmark: what a plugin costs the host. Plain `harness = false`
//! timing over many iterations (run with `cargo bench -p host-shim`; needs
//! `cargo xtask build-plugins` first). Prints one line per measurement.
//!
//! - cold compile of the playbooks component vs. loading it from the cache;
//! - instantiating a fresh instance (what a trap costs);
//! - a `serve-http` round trip through a pooled instance;
//! - a KV write and read through the sandbox guest's HTTP route (host call +
//!   SQLite transaction);
//! - one `sql.query` (a `SELECT` by primary key) through the sandbox: the
//!   SQL guest runs it 10,000 times in one hook, minus a hook that runs it
//!   no times.

use std::path::Path;
use std::time::{Duration, Instant};

use host_shim::runtime::hooks;
use host_shim::startup::{ServerConfig, build};

fn bundle(id: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bundles")
        .join(id)
}

fn report(name: &str, iterations: u32, total: Duration) {
    let per = total / iterations;
    println!("{name:<48} {iterations:>6} iterations  {per:>12.2?} each");
}

fn request(path: &str, method: &str, body: &[u8]) -> hooks::HttpRequest {
    hooks::HttpRequest {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers: Vec::new(),
        body: body.to_vec(),
        user_id: None,
    }
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let wasm = std::fs::read(bundle("playbooks").join("server/plugin.wasm"))?;

        let cache = dir.path().join("cache");
        let rt = host_shim::runtime::PluginRuntime::new(Default::default(), cache.clone())?;
        let started = Instant::now();
        rt.engine
            .precompile_component(&wasm)
            .map_err(anyhow::Error::from)?;
        report("compile playbooks component (cold)", 1, started.elapsed());
        rt.load_component(&wasm)?;
        let started = Instant::now();
        for _ in 0..20 {
            rt.load_component(&wasm)?;
        }
        report("load playbooks component from cache", 20, started.elapsed());

        let config = ServerConfig::new("127.0.0.1:0".parse()?, dir.path().join("data"));
        let state = build(&config).await?;
        let plugins = state.plugins.clone();
        let guest = bundle("sandbox-guest");
        tokio::task::spawn_blocking(move || plugins.install_dir(&guest, true)).await??;
        let plugins = state.plugins.clone();
        let sql_guest = bundle("sql-guest");
        tokio::task::spawn_blocking(move || plugins.install_dir(&sql_guest, true)).await??;
        let loaded = state
            .plugins
            .running("playbooks")
            .ok_or_else(|| anyhow::anyhow!("playbooks not running"))?;

        let n = 2000;
        let started = Instant::now();
        for _ in 0..n {
            let req = request("/api/v0/version", "GET", b"");
            loaded
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        report(
            "serve-http round trip (pooled instance)",
            n,
            started.elapsed(),
        );

        let guest = state
            .plugins
            .running("sandbox-guest")
            .ok_or_else(|| anyhow::anyhow!("guest not running"))?;
        let started = Instant::now();
        for i in 0..n {
            let req = request(
                &format!("/kv/bench-{i}"),
                "PUT",
                b"some value of moderate size",
            );
            guest
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        report(
            "KV write via plugin (hook + host call + commit)",
            n,
            started.elapsed(),
        );
        let started = Instant::now();
        for i in 0..n {
            let req = request(&format!("/kv/bench-{i}"), "GET", b"");
            guest
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        report("KV read via plugin", n, started.elapsed());

        let sql = state
            .plugins
            .running("sql-guest")
            .ok_or_else(|| anyhow::anyhow!("sql guest not running"))?;
        let call_sql = |body: serde_json::Value| {
            let req = request(path_of(&body), "POST", body.to_string().as_bytes());
            sql.call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))
        };
        fn path_of(body: &serde_json::Value) -> &'static str {
            if body.get("times").is_some() { "/repeat" } else { "/execute" }
        }
        call_sql(serde_json::json!({
            "sql": "INSERT INTO notes (id, body) SELECT i, 'note ' || i FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT i FROM n)",
        }))?;
        let by_key = |times: u32| serde_json::json!({
            "sql": "SELECT body FROM notes WHERE id = $1", "params": [4242], "times": times,
        });
        let (times, rounds) = (10_000u32, 5);
        let mut per_call = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            call_sql(by_key(0))?;
            let empty = started.elapsed();
            let started = Instant::now();
            call_sql(by_key(times))?;
            per_call.push(started.elapsed().saturating_sub(empty) / times);
        }
        per_call.sort();
        println!(
            "{:<48} {:>6} calls x {rounds}  {:>12.2?} each (median)",
            "sql.query SELECT by primary key via plugin",
            times,
            per_call[rounds / 2]
        );

        // A fresh instance per call: the cost a trap adds to the next call.
        let shared = std::sync::Arc::new(host_shim::runtime::PluginRuntime::new(
            Default::default(),
            cache,
        )?);
        let m = 200;
        let started = Instant::now();
        for _ in 0..m {
            let fresh = host_shim::runtime::LoadedPlugin::new(
                "bench",
                shared.clone(),
                &wasm,
                state.services.clone(),
                Default::default(),
            )?;
            let req = request("/api/v0/version", "GET", b"");
            fresh
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        report(
            "cached load + instantiate + first call",
            m,
            started.elapsed(),
        );
        Ok(())
    })
}
