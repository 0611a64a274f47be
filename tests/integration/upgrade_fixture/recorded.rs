//! The recorded answers of the upgrade fixture: what the release that wrote
//! the data dir answered, one file per request, and how a later server's
//! answer is compared with it.
//!
//! Files are `expected/<nnn>-<name>.json`; answers above
//! [`GZIP_ABOVE`] bytes (the run with a full timeline) are stored as
//! `.json.gz` to keep the fixture small.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::server::Api;
use crate::client::API;

/// Answers larger than this are gzipped.
pub const GZIP_ABOVE: usize = 32 * 1024;

/// One request and the answer the release gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded {
    /// Who asks: a fixture username.
    pub user: String,
    /// `GET`, or `COMMAND` for a slash command (its text in `path`).
    pub method: String,
    /// Path below the server root (GET) or the command line (COMMAND).
    pub path: String,
    /// The channel a command runs in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel_id: String,
    pub status: u16,
    /// The JSON answer (a string when the answer is not JSON: Markdown
    /// exports, command texts).
    pub body: Value,
}

impl Recorded {
    /// Asks the server again, as `api` (who must be `self.user`).
    pub async fn ask(&self, api: &Api<'_>) -> (StatusCode, Value) {
        assert_eq!(api.username, self.user);
        match self.method.as_str() {
            "GET" => api.call(Method::GET, &self.path, None).await,
            "COMMAND" => {
                let (status, body) = api
                    .call(
                        Method::POST,
                        "/api/v4/commands/execute",
                        Some(&json!({"channel_id": self.channel_id, "command": self.path})),
                    )
                    .await;
                (status, body["text"].clone())
            }
            other => panic!("unknown recorded method {other}"),
        }
    }
}

/// Writes `recorded` as file number `n` named `name` into `dir`.
pub fn write(dir: &Path, n: usize, name: &str, recorded: &Recorded) {
    let text = serde_json::to_string_pretty(recorded).unwrap() + "\n";
    let base = dir.join(format!("{n:03}-{name}.json"));
    if text.len() > GZIP_ABOVE {
        let file = std::fs::File::create(base.with_extension("json.gz")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap();
    } else {
        std::fs::write(base, text).unwrap();
    }
}

/// Every recorded answer in `dir`, in file order, with its file name.
pub fn read_all(dir: &Path) -> Vec<(String, Recorded)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            let file = std::fs::File::open(&path).unwrap();
            if name.ends_with(".gz") {
                flate2::read::GzDecoder::new(file)
                    .read_to_string(&mut text)
                    .unwrap();
            } else {
                std::io::BufReader::new(file)
                    .read_to_string(&mut text)
                    .unwrap();
            }
            let recorded = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, recorded)
        })
        .collect()
}

/// Blanks what legitimately changes with the clock, in an answer to
/// `path` given at `now` (ms), so answers given months apart compare:
///
/// - the playbook stats count finished runs per week and in the last 30
///   days *before now*: those three fields move as the fixture ages
///   (`runs_in_progress`, durations and metric figures do not);
/// - a run in progress whose next status update is due by `now` gets its
///   reminder posted when the server starts, which sets `reminder_post_id`
///   and `update_at`. The fixture's reminders are a year out (the longest
///   allowed), so this only applies to a fixture older than that.
pub fn mask(path: &str, now: i64, value: &mut Value) {
    if path.starts_with(&format!("{API}/stats/playbook"))
        && let Some(stats) = value.as_object_mut()
    {
        for key in [
            "runs_finished_prev_30_days",
            "runs_finished_per_week",
            "runs_finished_per_week_times",
        ] {
            if stats.contains_key(key) {
                stats.insert(key.into(), json!("<depends on now>"));
            }
        }
    }
    mask_fired_reminders(now, value);
}

fn mask_fired_reminders(now: i64, value: &mut Value) {
    match value {
        Value::Object(fields) => {
            let due = fields.get("status_update_due_at").and_then(Value::as_i64);
            let reminds = fields.get("current_status") == Some(&json!("InProgress"))
                && fields.get("status_update_enabled") == Some(&json!(true))
                && fields.contains_key("reminder_post_id");
            if reminds && due.is_some_and(|d| d > 0 && d <= now) {
                for key in ["reminder_post_id", "update_at"] {
                    fields.insert(key.into(), json!("<reminder due>"));
                }
            }
            for v in fields.values_mut() {
                mask_fired_reminders(now, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_fired_reminders(now, v)),
        _ => {}
    }
}

/// Where `got` first differs from `want` (a JSON path and both values), or
/// `None` when equal: a readable failure for answers of hundreds of KB.
pub fn first_difference(want: &Value, got: &Value, at: &str) -> Option<String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                match g.get(key) {
                    None => return Some(format!("{at}.{key}: missing (want {wv})")),
                    Some(gv) => {
                        if let Some(d) = first_difference(wv, gv, &format!("{at}.{key}")) {
                            return Some(d);
                        }
                    }
                }
            }
            g.keys()
                .find(|k| !w.contains_key(*k))
                .map(|k| format!("{at}.{k}: unexpected (got {})", g[k]))
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                if let Some(d) = first_difference(wv, gv, &format!("{at}[{i}]")) {
                    return Some(d);
                }
            }
            (w.len() != g.len()).then(|| format!("{at}: {} items, want {}", g.len(), w.len()))
        }
        _ if want == got => None,
        _ => Some(format!("{at}: got {got}, want {want}")),
    }
}
