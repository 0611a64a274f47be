//! Test helpers shared by the REST route tests: requests go through
//! `http::serve`, exactly as the glue calls it, against the [`TestHost`].
//!
//! Users of the test host: `admin` (system admin), `bob` and `carol` (team
//! `t1`), `dave` (team `t2` only); channel `c1` in `t1` (bob, admin).

use serde_json::{Value, json};

use crate::api::HttpRequest;
use crate::playbooks::store::test_host::TestHost;
use crate::runs::create::tests::{PB, playbook, put_playbook};

/// A response with its body parsed as JSON (`Null` when empty).
pub(crate) struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    /// The raw body (for non-JSON responses such as the Markdown report).
    pub raw: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The error body's `message`.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

/// Calls `method target` (`/runs?x=1`, below `/api/v0`) as `user` (`None`:
/// no session) with a raw body.
pub(crate) fn call_raw(
    host: &TestHost,
    user: Option<&str>,
    method: &str,
    target: &str,
    body: &[u8],
) -> Resp {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = HttpRequest {
        method: method.into(),
        path: format!("/api/v0{path}"),
        query: query.into(),
        headers: Vec::new(),
        body: body.to_vec(),
        user_id: user.map(Into::into),
    };
    let response = crate::http::serve(host, &request);
    let is_json = response
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"));
    let body = if response.body.is_empty() || !is_json {
        Value::Null
    } else {
        serde_json::from_slice(&response.body).expect("JSON body")
    };
    Resp {
        status: response.status,
        body,
        headers: response.headers,
        raw: response.body,
    }
}

/// Calls with an optional JSON body.
pub(crate) fn call(
    host: &TestHost,
    user: Option<&str>,
    method: &str,
    target: &str,
    body: Option<Value>,
) -> Resp {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    call_raw(host, user, method, target, &body)
}

/// Calls as `user`, expects 200 and returns the body.
pub(crate) fn ok(
    host: &TestHost,
    user: &str,
    method: &str,
    target: &str,
    body: Option<Value>,
) -> Value {
    let r = call(host, Some(user), method, target, body);
    assert_eq!(r.status, 200, "{method} {target}: {}", r.body);
    r.body
}

/// Starts a run as `user` (expects 201) and returns it.
pub(crate) fn start(host: &TestHost, user: &str, body: Value) -> Value {
    let r = call(host, Some(user), "POST", "/runs", Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// A test host with the test playbook `PB` (team `t1`, prefix `INC`, one
/// checklist "Triage" with "Assess" and "Page"; no invitees) and a run
/// "Outage" started by bob from it. Returns the host and the run id.
pub(crate) fn setup_run() -> (TestHost, String) {
    let host = TestHost::new();
    let mut pb = playbook();
    pb.invite_users_enabled = false;
    put_playbook(&host, &pb);
    let run = start(
        &host,
        "bob",
        json!({"playbook_id": PB, "team_id": "t1", "name": "Outage"}),
    );
    (host, run["id"].as_str().unwrap().to_owned())
}
