//! The plugin's REST API, driven through the same `serve-http` hook the
//! server calls, on the in-memory test host with a playbook and a run.
//!
//! Input: up to 8 requests separated by a line `###`. Each request is a
//! line `<user> <METHOD> <target>` (user `admin`, `bob`, `carol`, `dave`,
//! or `-` for no session; target below `/api/v0`, with `?query`), then the
//! body. `$PB`, `$RUN` and `$CH` stand for the playbook, the run and the
//! run's channel, `$LAST` for the `id` of the last response that had one.
//! Requests run in order on one world, so a corpus entry can build state
//! (start a second run, then finish it).
//!
//! A crash is: a panic (in wasm, a trap: three an hour disable the plugin),
//! a 5xx (the test host never fails, so a 5xx is the plugin's own bug), a
//! JSON response that does not parse, or one call allocating more than the
//! budget.

#![no_main]

use chat_fuzz::{World, call, within_budget};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let world = World::new();
    let mut last = String::new();
    for request in text.split("\n###\n").take(8) {
        let (head, body) = request.split_once('\n').unwrap_or((request, ""));
        let mut words = head.split(' ');
        let (Some(user), Some(method), Some(target)) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        let user = (user != "-").then_some(user);
        let target = world.expand(target).replace("$LAST", &last);
        let body = world.expand(body).replace("$LAST", &last);
        let what = format!("{method} {target}");
        let response = within_budget(&what, || {
            call(&world.host, user, method, &target, body.as_bytes())
        });
        assert!(
            response.status < 500,
            "{what} answered {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
        let is_json = response
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("application/json"));
        if is_json && !response.body.is_empty() {
            let parsed = serde_json::from_slice::<serde_json::Value>(&response.body);
            let Ok(value) = parsed else {
                panic!("{what}: the JSON response does not parse");
            };
            if let Some(id) = value["id"].as_str() {
                id.clone_into(&mut last);
            }
        }
    }
});
