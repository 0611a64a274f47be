//! KV durability across a hard kill: every write the server acknowledged
//! before `kill -9` is there after a restart.

use std::process::Child;
use std::time::Duration;

use crate::helpers::bundle;

struct Server {
    child: Child,
    base: String,
}

/// The server binary on `data_dir`, ready once the sandbox guest answers.
async fn start(data_dir: &std::path::Path) -> Server {
    let (child, base) = crate::helpers::spawn_server_binary_until(
        data_dir,
        "/plugins/sandbox-guest/count?prefix=k",
    )
    .await;
    Server { child, base }
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
