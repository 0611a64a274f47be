//! Dynamic autocomplete for `/playbook` (Mattermost `DynamicList` fetch
//! URLs): `GET /autocomplete/{shape}?channel_id=…&parsed=…` →
//! `[{Item, Hint, HelpText}]`.
//!
//! `parsed` is the command line before the word being typed; the shape says
//! what the subcommand takes after the optional run number:
//! - `run`: nothing (finish, update, info, timeline, owner, add);
//! - `checklist`: a checklist number (checkadd);
//! - `item`: a checklist number, then an item number (check, checkremove).
//!
//! With several runs in progress in the channel the first number is the
//! run's (0 = newest), as the command itself expects. Only runs the caller
//! can view are listed.

use serde_json::{Value, json};

use super::router::Router;
use super::{ApiError, ApiResult, Ctx, Handler};
use crate::api::HttpResponse;
use crate::commands::target::runs_in_channel;
use crate::host::Host;
use crate::runs::store::{Access, Viewer};

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router.route("GET", "/autocomplete/{shape}", suggest)
}

fn item(value: usize, text: &str) -> Value {
    json!({"Item": value.to_string(), "Hint": "", "HelpText": text})
}

fn suggest<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let shape = ctx.params.get("shape");
    if !["run", "checklist", "item"].contains(&shape) {
        return Err(ApiError::not_found(format!(
            "No autocomplete list {shape:?}"
        )));
    }
    let channel_id = ctx.query.get("channel_id").unwrap_or_default();
    let parsed = ctx.query.get("parsed").unwrap_or_default();
    // "playbook check 1 0 " → the numbers after the subcommand.
    let words: Vec<&str> = parsed.split_whitespace().skip(2).collect();
    let viewer = Viewer {
        user_id: ctx.caller.user_id.clone(),
        is_system_admin: ctx.caller.is_system_admin,
    };
    let mut access = Access::new(ctx.host, viewer);
    let mut runs = Vec::new();
    for run in runs_in_channel(ctx.host, channel_id).map_err(ApiError::bad_request)? {
        if access.can_view(&run)? {
            runs.push(run);
        }
    }
    let mut items: Vec<Value> = Vec::new();
    let (run, rest) = if runs.len() > 1 {
        match words.first() {
            None => {
                items = runs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| item(i, &r.name))
                    .collect();
                return Ok(HttpResponse::json(200, &Value::Array(items)));
            }
            Some(n) => match n.parse::<usize>().ok().and_then(|i| runs.get(i)) {
                Some(run) => (run, &words[1..]),
                None => return Ok(HttpResponse::json(200, &json!([]))),
            },
        }
    } else if let Some(run) = runs.first() {
        (run, &words[..])
    } else {
        return Ok(HttpResponse::json(200, &json!([])));
    };
    match (shape, rest) {
        ("checklist" | "item", []) => {
            items = run
                .checklists
                .iter()
                .enumerate()
                .map(|(i, c)| item(i, &c.title))
                .collect();
        }
        ("item", [c]) => {
            if let Some(list) = c.parse::<usize>().ok().and_then(|c| run.checklists.get(c)) {
                items = list
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| {
                        let mark = if it.is_completed() { "☑" } else { "☐" };
                        item(i, &format!("{mark} {}", it.title))
                    })
                    .collect();
            }
        }
        _ => {}
    }
    Ok(HttpResponse::json(200, &Value::Array(items)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::rest::test_client::{call, ok, setup_run, start};
    use crate::runs::RunStore;

    #[test]
    fn lists_runs_checklists_and_items() {
        let (mut host, id) = setup_run();
        let ch = RunStore::new(&host).get(&id).unwrap().unwrap().channel_id;
        let get = |host: &_, parsed: &str, shape: &str| {
            ok(
                host,
                "bob",
                "GET",
                &format!("/autocomplete/{shape}?channel_id={ch}&parsed={parsed}"),
                None,
            )
        };
        assert_eq!(
            get(&host, "playbook+check+", "item"),
            json!([{"Item": "0", "Hint": "", "HelpText": "Triage"}])
        );
        let items = get(&host, "playbook+check+0+", "item");
        assert_eq!(items[1]["HelpText"], "☐ Page");
        assert_eq!(get(&host, "playbook+check+0+1+", "item"), json!([]));
        assert_eq!(
            get(&host, "playbook+finish+", "run"),
            json!([]),
            "one run: no number"
        );

        host.inner.now += 1000;
        start(
            &host,
            "bob",
            json!({"team_id": "t1", "channel_id": ch, "name": "Second", "type": "channelChecklist"}),
        );
        let runs = get(&host, "playbook+check+", "item");
        assert_eq!(runs[0]["HelpText"], "Second");
        assert_eq!(runs[1]["HelpText"], "Outage");
        assert_eq!(
            get(&host, "playbook+check+1+", "item")[0]["HelpText"],
            "Triage"
        );
        assert_eq!(get(&host, "playbook+check+7+", "item"), json!([]));
        // carol cannot see the runs: nothing to suggest.
        let r = call(
            &host,
            Some("carol"),
            "GET",
            &format!("/autocomplete/item?channel_id={ch}&parsed=playbook+check+"),
            None,
        );
        assert_eq!(r.body, json!([]));
        assert_eq!(
            call(&host, Some("bob"), "GET", "/autocomplete/nope", None).status,
            404
        );
    }
}
