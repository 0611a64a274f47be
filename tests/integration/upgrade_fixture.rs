//! Upgrading keeps everything: a data dir written by the release whose
//! playbooks plugin keeps all its data in the plugin KV store
//! (`tests/fixtures/upgrade-kv-0.1.0`, made by [`generate`]) is started
//! with this tree's server and plugin, and every answer that release
//! recorded must come back the same; writes must work on the upgraded
//! data; and a second start must answer the same again (nothing imported
//! twice, nothing lost).
//!
//! With the release itself this passes trivially; once the plugin moves its
//! data into tables, it is what proves the import.

mod generate;
mod recorded;
mod server;

use std::collections::BTreeMap;
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::client::API;
use recorded::{Recorded, first_difference, mask};
use server::{Api, Server, start};

/// Packs a stopped server's data dir into `out`: the SQLite database
/// checkpointed (no `-wal`/`-shm` left) and vacuumed, and the uploaded
/// files; not `plugins/` (the release's bundle: code, not data; the server
/// under test installs its own) nor caches.
pub fn pack(data: &Path, out: &Path) {
    let db = data.join("chat.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            let busy: i64 = row.get(0)?;
            assert_eq!(busy, 0, "nothing else has the database open");
            Ok(())
        })
        .unwrap();
        conn.execute_batch("VACUUM").unwrap();
    }
    for leftover in ["chat.db-wal", "chat.db-shm"] {
        assert!(
            !data.join(leftover).exists(),
            "{leftover} is gone once the last connection closed"
        );
    }
    let file = std::fs::File::create(out).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut entries: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        match name.as_str() {
            "plugins" | "cache" => continue,
            _ if entry.file_type().unwrap().is_dir() => {
                tar.append_dir_all(&name, entry.path()).unwrap()
            }
            _ => tar.append_path_with_name(entry.path(), &name).unwrap(),
        }
    }
    tar.into_inner().unwrap().finish().unwrap();
}

fn unpack(archive: &Path, into: &Path) {
    let file =
        std::fs::File::open(archive).unwrap_or_else(|e| panic!("{}: {e}", archive.display()));
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(into)
        .unwrap();
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The fixture's four accounts, logged in.
async fn log_in_all(server: &Server) -> BTreeMap<String, Api<'_>> {
    let mut users = BTreeMap::new();
    for name in ["alice", "bob", "carol", "dave"] {
        users.insert(name.to_owned(), server.log_in(name).await);
    }
    users
}

/// Every recorded request asked again.
async fn ask_all(
    users: &BTreeMap<String, Api<'_>>,
    recorded: &[(String, Recorded)],
) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    for (_, r) in recorded {
        let (status, body) = r.ask(&users[&r.user]).await;
        out.push((status.as_u16(), body));
    }
    out
}

/// Asserts `got` answers as `want` did, clock-dependent fields masked;
/// lists every difference.
fn assert_same(
    recorded: &[(String, Recorded)],
    want: &[(u16, Value)],
    got: &[(u16, Value)],
    when: &str,
) {
    let now = now_ms();
    let mut differences = Vec::new();
    for (((file, r), (ws, wb)), (gs, gb)) in recorded.iter().zip(want).zip(got) {
        if ws != gs {
            differences.push(format!("{file}: status {gs}, want {ws} ({gb})"));
            continue;
        }
        let (mut wb, mut gb) = (wb.clone(), gb.clone());
        mask(&r.path, now, &mut wb);
        mask(&r.path, now, &mut gb);
        if let Some(d) = first_difference(&wb, &gb, "") {
            differences.push(format!("{file} ({} {}): {d}", r.method, r.path));
        }
    }
    assert!(
        differences.is_empty(),
        "{when}: {} of {} answers differ:\n{}",
        differences.len(),
        recorded.len(),
        differences.join("\n")
    );
}

#[tokio::test]
async fn upgrade_fixture_keeps_every_record_and_imports_once() {
    let fixture = generate::fixture_dir();
    let ids: Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("ids.json")).unwrap()).unwrap();
    let recorded = recorded::read_all(&fixture.join("expected"));
    assert!(recorded.len() > 100, "{} answers recorded", recorded.len());
    let want: Vec<(u16, Value)> = recorded
        .iter()
        .map(|(_, r)| (r.status, r.body.clone()))
        .collect();
    let data = tempfile::tempdir().unwrap();
    unpack(&fixture.join("data.tar.gz"), data.path());
    let_the_prompt_limit_lapse(data.path(), &ids);

    // First start on the release's data: the same answers, and writes work.
    let server = start(data.path()).await;
    let after_writes = {
        let users = log_in_all(&server).await;
        let got = ask_all(&users, &recorded).await;
        assert_same(&recorded, &want, &got, "first start on the release's data");
        writes_work(&users, &ids, &recorded).await;
        ask_all(&users, &recorded).await
    };
    server.stop().await;

    // Second start: what the first one left, exactly.
    let server = start(data.path()).await;
    {
        let users = log_in_all(&server).await;
        let got = ask_all(&users, &recorded).await;
        assert_same(&recorded, &after_writes, &got, "second start");
    }
    server.stop().await;
}

/// Makes the fixture's data as if an hour had passed since the ignored
/// thread's prompt: the release allows one keyword prompt per thread per
/// hour (its `kwprompt/<thread>` stamp), so without this, a fixture made
/// less than an hour ago would keep bob unprompted in that thread even
/// with his ignore flag lost. Done before any upgrade, on the release's
/// own layout, as `restarts.rs` does.
fn let_the_prompt_limit_lapse(data: &Path, ids: &Map<String, Value>) {
    use chat_store::KvStore as _;
    let store = chat_store::sqlite::SqliteStore::open(&data.join("chat.db")).unwrap();
    let thread = ids["ignored_thread"].as_str().unwrap();
    store
        .delete("playbooks", &format!("kwprompt/{thread}"))
        .unwrap();
}

/// The answer recorded for alice's request `name` (`run-active`).
fn answer<'r>(recorded: &'r [(String, Recorded)], name: &str) -> &'r Value {
    let suffix = format!("-alice-{name}");
    let (_, r) = recorded
        .iter()
        .find(|(file, _)| {
            file.trim_end_matches(".gz")
                .trim_end_matches(".json")
                .ends_with(&suffix)
        })
        .unwrap_or_else(|| panic!("no recorded answer {name}"));
    &r.body
}

fn events(run: &Value) -> &Vec<Value> {
    run["timeline_events"].as_array().expect("timeline_events")
}

/// Writes on the upgraded data: a status update, a task, a new run (its
/// number continues the playbook's sequence), the run-number prefix still
/// claimed, the long timeline still windowed, the ignore flag honoured.
async fn writes_work(
    users: &BTreeMap<String, Api<'_>>,
    ids: &Map<String, Value>,
    recorded: &[(String, Recorded)],
) {
    let id = |k: &str| ids[k].as_str().unwrap().to_owned();
    let (alice, bob, carol) = (&users["alice"], &users["bob"], &users["carol"]);
    let run_id = id("run_active");

    // A status update (bob owns the run now): one more status post and
    // timeline event, everything before it unchanged.
    let before = answer(recorded, "run-active");
    let run = bob
        .ok(
            Method::POST,
            &format!("/runs/{run_id}/status"),
            json!({"message": "After the upgrade: all green.", "reminder": generate::YEAR_SECONDS}),
        )
        .await;
    let (old, new) = (events(before), events(&run));
    assert_eq!(new.len(), old.len() + 1);
    assert_eq!(
        &new[..old.len()],
        &old[..],
        "the timeline is kept as it was"
    );
    assert_eq!(new[old.len()]["event_type"], "status_updated");
    assert_eq!(
        run["status_posts"].as_array().unwrap().len(),
        before["status_posts"].as_array().unwrap().len() + 1
    );

    // A task: "Roll back" closed.
    let run = bob
        .ok(
            Method::PUT,
            &format!("/runs/{run_id}/checklists/1/item/0/state"),
            json!({"new_state": "closed"}),
        )
        .await;
    assert_eq!(
        run["task_completed"],
        before["task_completed"].as_i64().unwrap() + 1
    );
    assert_eq!(
        run["checklists"][2], before["checklists"][2],
        "other checklists unchanged"
    );

    // A new run continues the playbook's numbering (deleted runs count).
    let playbook = answer(recorded, "playbook-incident");
    let started = playbook["num_runs"].as_i64().unwrap();
    let run = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/runs"),
            json!({"playbook_id": id("playbook_incident"), "team_id": id("team_ops"),
                   "name": "After the upgrade"}),
        )
        .await;
    assert_eq!(run["sequential_id"], format!("INC-{:05}", started + 1));
    let playbook = alice
        .ok(
            Method::GET,
            &format!("/playbooks/{}", id("playbook_incident")),
            Value::Null,
        )
        .await;
    assert_eq!(playbook["num_runs"], started + 1);

    // The prefix is still taken in the team.
    let (status, body) = alice
        .call(
            Method::POST,
            &format!("{API}/playbooks"),
            Some(
                &json!({"title": "Another incident playbook", "team_id": id("team_ops"),
                         "run_number_prefix": "INC"}),
            ),
        )
        .await;
    assert!(status.is_client_error(), "{status}: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("run_number_prefix"),
        "{body}"
    );

    // The long timeline keeps its window: the newest entries, in order.
    let long_id = id("run_long_timeline");
    let before = answer(recorded, "run-long_timeline");
    let run = alice
        .ok(
            Method::PUT,
            &format!("/runs/{long_id}/checklists/0/item/0/state"),
            json!({"new_state": "in_progress"}),
        )
        .await;
    let (old, new) = (events(before), events(&run));
    assert_eq!(old.len(), 2000, "the fixture's run is at the window's size");
    let kept = new.len() - 1;
    assert!(
        kept >= old.len() - 1,
        "{kept} entries kept of {}",
        old.len()
    );
    assert_eq!(&new[..kept], &old[old.len() - kept..]);
    assert_eq!(new[kept]["event_type"], "task_state_modified");

    // The ignore flag: bob is not prompted in the thread he ignored...
    let town = id("channel_town");
    let thread = id("ignored_thread");
    bob.post(&town, &thread, "the outage is back").await;
    // ...while a fresh thread is: the keyword hook runs. Hooks of
    // different posts run concurrently, so bob's gets a moment more.
    let fresh = carol.post(&town, "", "a new outage in search").await;
    carol
        .wait_post(&town, "custom_keyword_prompt", |p| {
            p["root_id"] == fresh["id"]
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let prompted_bob = carol
        .posts_of(&town, "custom_keyword_prompt")
        .await
        .into_iter()
        .any(|p| {
            p["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("@bob,")
        });
    assert!(!prompted_bob, "bob ignored the thread: no prompt for him");
    // Others in that thread are prompted (its hourly limit has lapsed):
    // the silence for bob is his flag.
    carol.post(&town, &thread, "outage, still").await;
    carol
        .wait_post(&town, "custom_keyword_prompt", |p| {
            p["root_id"] == json!(thread)
                && p["message"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("@carol,")
        })
        .await;
}
