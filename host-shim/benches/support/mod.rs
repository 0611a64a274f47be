//! What the server benchmarks share: the real `host-shim` binary started on
//! a free port over a fresh data dir, killed when dropped, and its memory
//! read from `/proc`. Benchmarks measure the process a user would run, not
//! an in-process router, so they include HTTP, the plugin and SQLite.

#![allow(dead_code)] // each bench uses its own subset

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `name` from the environment, parsed, else `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `HOST_SHIM_BIN`, else the release build.
pub fn server_binary() -> PathBuf {
    std::env::var_os("HOST_SHIM_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/host-shim")
        })
}

/// A server process we started; killed (by its own pid) when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// A `/proc/<pid>/status` field in KiB (`VmRSS:`, `VmHWM:`); 0 if unknown.
    pub fn memory_kib(&self, field: &str) -> u64 {
        memory_kib(self.child.id(), field)
    }
}

/// A `/proc/<pid>/status` field in KiB; 0 if unknown.
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Starts the server with `extra` arguments after `serve --addr --data-dir`
/// and waits (at most 30 s) until it answers `/system/ping`.
pub async fn start(extra: &[&str]) -> Server {
    let binary = server_binary();
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release -p host-shim` first",
        binary.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(&binary)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http
            .get(format!("{}/api/v4/system/ping", server.base))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not answer within 30 s");
}
