//! Shared by the fuzz targets: a plugin "world" on the in-memory test host
//! (a team, users, a playbook and a run in progress, all created through the
//! REST API exactly as clients do), and a meter of the memory one call
//! allocates.
//!
//! Why a meter: in the server the plugin runs under a 64 MiB memory cap, and
//! a request that makes it allocate past the cap traps it; three traps an
//! hour disable the plugin for everyone (issue 11, finding 2). A panic is
//! the same trap. So the targets treat both as crashes, not only memory
//! unsafety.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use playbooks_plugin::api::{HttpRequest, HttpResponse};
use playbooks_plugin::hooks;
use playbooks_plugin::playbooks::store::test_host::TestHost;
use serde_json::{Value, json};

/// Counts live heap bytes and the high-water mark since the last
/// [`measure`].
struct Metered;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Metered {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Metered = Metered;

/// Most one plugin call may allocate on top of what was live before it.
/// The sandbox caps the plugin at 64 MiB (wasm32, 4-byte pointers; natively
/// the same data takes more), and the inputs are at most a few hundred KiB:
/// a call that needs this much is an amplification bug.
pub const CALL_BUDGET_BYTES: usize = 32 << 20;

/// Runs `f` and returns its result with the most it allocated at once.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let result = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    (result, peak)
}

/// Runs one plugin call under [`CALL_BUDGET_BYTES`]; `what` names it in the
/// crash message.
pub fn within_budget<R>(what: &dyn std::fmt::Display, f: impl FnOnce() -> R) -> R {
    let (result, peak) = measure(f);
    assert!(
        peak <= CALL_BUDGET_BYTES,
        "{what}: allocated {} MiB at once (budget {} MiB)",
        peak >> 20,
        CALL_BUDGET_BYTES >> 20
    );
    result
}

/// The test host (team `t1` with `admin`, `bob`, `carol`; `dave` in team
/// `t2` only; channel `c1`) with bob's public playbook "Incident" (one
/// checklist "Triage": "Assess", "Page") and bob's run "Outage" from it.
pub struct World {
    pub host: TestHost,
    pub playbook_id: String,
    pub run_id: String,
    pub run_channel_id: String,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        let host = TestHost::new();
        let created = call(
            &host,
            Some("bob"),
            "POST",
            "/playbooks",
            json!({
                "title": "Incident",
                "team_id": "t1",
                "public": true,
                "checklists": [{"title": "Triage", "items": [{"title": "Assess"}, {"title": "Page"}]}],
            })
            .to_string()
            .as_bytes(),
        );
        let playbook_id = id_of(&created, 201, "POST /playbooks");
        let run = call(
            &host,
            Some("bob"),
            "POST",
            "/runs",
            json!({"playbook_id": playbook_id, "team_id": "t1", "name": "Outage", "owner_user_id": "bob"})
                .to_string()
                .as_bytes(),
        );
        let run_id = id_of(&run, 201, "POST /runs");
        let body: Value = serde_json::from_slice(&run.body).unwrap_or_default();
        let run_channel_id = body["channel_id"].as_str().unwrap_or("c1").to_owned();
        World {
            host,
            playbook_id,
            run_id,
            run_channel_id,
        }
    }

    /// Replaces the placeholders a corpus entry may use: `$PB` (the
    /// playbook), `$RUN` (the run), `$CH` (the run's channel).
    pub fn expand(&self, text: &str) -> String {
        text.replace("$PB", &self.playbook_id)
            .replace("$RUN", &self.run_id)
            .replace("$CH", &self.run_channel_id)
    }
}

fn id_of(response: &HttpResponse, status: u16, what: &str) -> String {
    let body: Value = serde_json::from_slice(&response.body).unwrap_or_default();
    assert_eq!(
        response.status,
        status,
        "{what} while setting up: {}",
        String::from_utf8_lossy(&response.body)
    );
    body["id"].as_str().unwrap_or_default().to_owned()
}

/// One request to the plugin's HTTP hook, as the server sends it
/// (`target` below `/api/v0`, with an optional `?query`).
pub fn call(
    host: &TestHost,
    user: Option<&str>,
    method: &str,
    target: &str,
    body: &[u8],
) -> HttpResponse {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = HttpRequest {
        method: method.into(),
        path: format!("/api/v0{path}"),
        query: query.into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_vec(),
        user_id: user.map(Into::into),
    };
    hooks::serve_http(host, &request)
}
