//! KV durability across a hard kill: every write the server acknowledged
//! before `kill -9` is there after a restart.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::bundle;

struct Server {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(data_dir: &std::path::Path) -> Server {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-shim"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        // The test run's shared cache: a component is compiled once, not
        // once per server start (a debug build compiles slowly).
        .env(
            "HOST_SHIM_COMPONENT_CACHE_DIR",
            crate::helpers::bundles_dir().join("../test-component-cache"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("host-shim starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..2400 {
        if let Ok(resp) = client
            .get(format!("{base}/plugins/sandbox-guest/count?prefix=k"))
            .send()
            .await
            && resp.status().is_success()
        {
            return Server { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not come up with the sandbox guest within 120 s");
}

#[tokio::test]
async fn acknowledged_kv_writes_survive_kill_9() {
    let data = tempfile::tempdir().unwrap();
    // A bundle placed in the plugins directory by hand starts enabled.
    crate::helpers::copy_dir(
        &bundle("sandbox-guest"),
        &data.path().join("plugins/sandbox-guest"),
    );
    let mut server = start(data.path()).await;
    let client = reqwest::Client::new();

    // Write as fast as acknowledgements come back, from several clients,
    // then kill the process without warning.
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (client, base) = (client.clone(), server.base.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..150 {
                let key = format!("k{worker}-{i}");
                let resp = client
                    .put(format!("{base}/plugins/sandbox-guest/kv/{key}"))
                    .body(format!("value-{key}"))
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().is_success() => acked.push(key),
                    _ => break,
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    let mut acked = Vec::new();
    for task in tasks {
        acked.extend(task.await.unwrap());
    }
    assert!(
        !acked.is_empty(),
        "no write was acknowledged before the kill"
    );

    let mut server = start(data.path()).await;
    for key in &acked {
        let resp = client
            .get(format!("{}/plugins/sandbox-guest/kv/{key}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "acknowledged key {key} lost");
        assert_eq!(resp.text().await.unwrap(), format!("value-{key}"));
    }
    let count: usize = client
        .get(format!(
            "{}/plugins/sandbox-guest/count?prefix=k",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        count >= acked.len(),
        "{count} keys stored, {} acknowledged",
        acked.len()
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
