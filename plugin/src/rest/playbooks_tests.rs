//! Route tests through `http::serve`, as the glue calls it. Users of the
//! test host: `admin` (system admin), `bob` and `carol` (team `t1`),
//! `dave` (team `t2` only).

use serde_json::{Value, json};

use super::*;
use crate::playbooks::store::test_host::TestHost;
pub(super) use crate::rest::test_client::{Resp, call_raw};

pub(super) fn call(
    host: &TestHost,
    user: &str,
    method: &str,
    target: &str,
    body: Option<Value>,
) -> Resp {
    crate::rest::test_client::call(host, Some(user), method, target, body)
}

pub(super) fn create(host: &TestHost, user: &str, body: Value) -> String {
    let r = call(host, user, "POST", "/playbooks", Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

pub(super) fn sample(title: &str) -> Value {
    json!({
        "title": title,
        "team_id": "t1",
        "run_number_prefix": "",
        "checklists": [{"title": "Triage", "items": [{"title": "Assess"}, {"title": "Page"}]}],
        "metrics": [{"title": "Time to resolve", "type": "metric_duration", "target": null}],
    })
}

pub(super) fn get(host: &TestHost, user: &str, id: &str) -> Resp {
    call(host, user, "GET", &format!("/playbooks/{id}"), None)
}

pub(super) fn titles(body: &Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default())
        .collect()
}

#[test]
fn create_then_get() {
    let host = TestHost::new();
    let mut body = sample("Incident response");
    body["run_number_prefix"] = json!("INC");
    body["num_runs"] = json!(42); // bookkeeping is never taken from clients
    let r = call(&host, "bob", "POST", "/playbooks", Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(is_valid_id(&id));
    assert_eq!(
        r.header("Location"),
        Some(format!("/plugins/playbooks/api/v0/playbooks/{id}").as_str())
    );
    assert_eq!(r.body, json!({"id": id}));

    let pb = get(&host, "bob", &id);
    assert_eq!(pb.status, 200);
    let pb = pb.body;
    assert_eq!(
        (pb["id"].as_str(), pb["team_id"].as_str()),
        (Some(id.as_str()), Some("t1"))
    );
    assert_eq!(
        pb["members"],
        json!([{"user_id": "bob", "roles": ["playbook_member", "playbook_admin"]}])
    );
    assert_eq!(
        (
            pb["num_stages"].as_i64(),
            pb["num_steps"].as_i64(),
            pb["num_runs"].as_i64()
        ),
        (Some(1), Some(2), Some(0))
    );
    assert_eq!(pb["create_at"], json!(host.inner.now));
    let item_ids: Vec<&str> = pb["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(item_ids.iter().all(|i| is_valid_id(i)) && item_ids[0] != item_ids[1]);
    assert!(is_valid_id(pb["metrics"][0]["id"].as_str().unwrap()));

    let events = host.events();
    assert_eq!(
        events,
        vec![(
            "playbook_created".into(),
            json!({"playbook": id, "team_id": "t1", "teamID": "t1"})
        )]
    );
    assert_eq!(host.broadcasts.borrow()[0].team_id.as_deref(), Some("t1"));
}

#[test]
fn creator_keeps_their_member_entry_and_gets_admin() {
    let host = TestHost::new();
    let mut body = sample("P");
    body["members"] = json!([{"user_id": "carol", "roles": ["playbook_member"]}, {"user_id": "bob", "roles": ["playbook_member"]}]);
    let id = create(&host, "bob", body);
    let pb = get(&host, "bob", &id).body;
    assert_eq!(
        pb["members"][0],
        json!({"user_id": "carol", "roles": ["playbook_member"]})
    );
    assert_eq!(
        pb["members"][1],
        json!({"user_id": "bob", "roles": ["playbook_member", "playbook_admin"]})
    );
}

#[test]
fn create_errors() {
    let host = TestHost::new();
    let post = |user: &str, body: Value| call(&host, user, "POST", "/playbooks", Some(body));

    let anonymous = call_raw(&host, None, "POST", "/playbooks", b"{}");
    assert_eq!(
        (anonymous.status, anonymous.message()),
        (401, "You must be logged in.")
    );
    assert_eq!(
        call_raw(&host, Some("ghost"), "GET", "/playbooks", b"").status,
        401
    );

    let not_json = call_raw(&host, Some("bob"), "POST", "/playbooks", b"{");
    assert_eq!(not_json.status, 400);
    assert!(
        not_json.message().starts_with("request body: invalid JSON"),
        "{}",
        not_json.message()
    );
    assert_eq!(
        call_raw(&host, Some("bob"), "POST", "/playbooks", b"").status,
        400
    );

    let untitled = post("bob", json!({"team_id": "t1", "title": "  "}));
    assert_eq!(
        (untitled.status, untitled.message()),
        (400, "title: must not be empty")
    );
    assert_eq!(untitled.body["id"], "plugin.playbooks.error");
    assert_eq!(untitled.body["status_code"], 400);

    let wrong_type = post(
        "bob",
        json!({"team_id": "t1", "title": "T", "checklists": [{"title": "a", "items": [{"title": "b", "due_date": "soon"}]}]}),
    );
    assert_eq!(wrong_type.status, 400);
    assert!(
        wrong_type
            .message()
            .starts_with("checklists[0].items[0].due_date: invalid type"),
        "{}",
        wrong_type.message()
    );

    let bad_item = post(
        "bob",
        json!({"team_id": "t1", "title": "T", "checklists": [{"title": "a", "items": [{"title": ""}]}]}),
    );
    assert_eq!(
        bad_item.message(),
        "checklists[0].items[0].title: must not be empty"
    );

    assert_eq!(
        post("bob", json!({"title": "T"})).message(),
        "team_id: is required"
    );
    assert!(
        post("bob", json!({"title": "T", "team_id": "t1", "id": "x"}))
            .message()
            .starts_with("id: ")
    );
    let outsider = post("dave", sample("T"));
    assert_eq!(
        (outsider.status, outsider.message()),
        (403, "You are not a member of team t1.")
    );
    let no_team = post("admin", json!({"title": "T", "team_id": "t9"}));
    assert_eq!(
        (no_team.status, no_team.message()),
        (400, "team_id: no team t9")
    );

    let mut first = sample("A");
    first["run_number_prefix"] = json!("INC");
    create(&host, "bob", first.clone());
    first["run_number_prefix"] = json!("inc");
    let taken = post("carol", first);
    assert_eq!(taken.status, 400);
    assert!(
        taken.message().starts_with("run_number_prefix: "),
        "{}",
        taken.message()
    );
    assert_eq!(
        host.events().len(),
        1,
        "only the successful create is announced"
    );
}

#[test]
fn viewing_follows_team_membership_and_visibility() {
    let host = TestHost::new();
    let public = create(&host, "bob", sample("Public"));
    let mut private = sample("Private");
    private["public"] = json!(false);
    let private = create(&host, "bob", private);

    assert_eq!(get(&host, "carol", &public).status, 200);
    let hidden = get(&host, "carol", &private);
    assert_eq!(
        (hidden.status, hidden.message()),
        (403, "You do not have permission to view this playbook.")
    );
    assert_eq!(
        get(&host, "admin", &private).status,
        200,
        "system admins see everything"
    );
    assert_eq!(get(&host, "dave", &public).status, 403, "not in the team");
    for target in [
        "/playbooks/yyyyyyyyyyyyyyyyyyyyyyyyyy",
        "/playbooks/not-an-id",
        "/playbooks/yyyyyyyyyyyyyyyyyyyyyyyyyy/export",
    ] {
        let r = call(&host, "bob", "GET", target, None);
        assert_eq!(
            (r.status, r.message()),
            (404, "Playbook not found."),
            "{target}"
        );
    }

    let carol = call(&host, "carol", "GET", "/playbooks?team_id=t1", None);
    assert_eq!(titles(&carol.body), ["Public"]);
    let bob = call(&host, "bob", "GET", "/playbooks", None);
    assert_eq!(titles(&bob.body), ["Private", "Public"]);
    let admin = call(&host, "admin", "GET", "/playbooks", None);
    assert_eq!(admin.body["total_count"], 2);
    let dave = call(&host, "dave", "GET", "/playbooks", None);
    assert_eq!(
        (dave.status, dave.body["total_count"].as_u64()),
        (200, Some(0))
    );
    let dave_t1 = call(&host, "dave", "GET", "/playbooks?team_id=t1", None);
    assert_eq!(
        (dave_t1.status, dave_t1.message()),
        (403, "You are not a member of team t1.")
    );
}

#[test]
fn list_parameters() {
    let host = TestHost::new();
    for title in [
        "Charlie",
        "alpha",
        "Bravo",
        "Delta incident",
        "echo incident",
    ] {
        create(&host, "bob", sample(title));
    }
    let list = |query: &str| call(&host, "bob", "GET", &format!("/playbooks{query}"), None);

    let default = list("");
    assert_eq!(
        titles(&default.body),
        [
            "alpha",
            "Bravo",
            "Charlie",
            "Delta incident",
            "echo incident"
        ]
    );
    assert_eq!(default.body["total_count"], 5);
    assert_eq!(
        (
            default.body["page_count"].as_u64(),
            default.body["has_more"].as_bool()
        ),
        (Some(1), Some(false))
    );

    let desc = list("?team_id=t1&sort=title&direction=DESC&per_page=2");
    assert_eq!(titles(&desc.body), ["echo incident", "Delta incident"]);
    assert_eq!(
        (
            desc.body["page_count"].as_u64(),
            desc.body["has_more"].as_bool()
        ),
        (Some(3), Some(true))
    );
    let last = list("?direction=desc&per_page=2&page=2");
    assert_eq!(
        (titles(&last.body), last.body["has_more"].as_bool()),
        (vec!["alpha"], Some(false))
    );

    let search = list("?search_term=INCIDENT&sort=steps");
    assert_eq!(titles(&search.body), ["Delta incident", "echo incident"]);
    let encoded = list("?search_term=delta%20inc");
    assert_eq!(titles(&encoded.body), ["Delta incident"]);

    let clamped = list("?per_page=5000");
    assert_eq!(clamped.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(list("?per_page=0").body["page_count"], 1);
    for sort in SortField::NAMES {
        assert_eq!(list(&format!("?sort={sort}")).status, 200, "{sort}");
    }

    for (query, field) in [
        ("?page=-1", "page: "),
        ("?page=x", "page: "),
        ("?per_page=-5", "per_page: "),
        (
            "?sort=name",
            "sort: \"name\" is not one of title, stages, steps, runs, last_run_at, active_runs",
        ),
        ("?direction=up", "direction: "),
        ("?with_archived=maybe", "with_archived: "),
    ] {
        let r = list(query);
        assert_eq!(r.status, 400, "{query}");
        assert!(r.message().starts_with(field), "{query}: {}", r.message());
    }
}
