//! Route tests of the changes: PUT, PATCH, archive/restore, duplicate,
//! export/import, autocomplete, and routing leftovers. Same users as in
//! `playbooks_tests.rs`.

use serde_json::{Value, json};

use super::slug;
use super::tests::{call, call_raw, create, get, sample};
use crate::playbooks::is_valid_id;
use crate::playbooks::store::test_host::TestHost;

#[test]
fn put_replaces_settings_but_keeps_identity() {
    let host = TestHost::new();
    let id = create(&host, "bob", sample("Old"));
    let before = get(&host, "bob", &id).body;
    let mut body = before.clone();
    body["title"] = json!("New");
    body["id"] = json!("yyyyyyyyyyyyyyyyyyyyyyyyyy");
    body["team_id"] = json!("t2");
    body["create_at"] = json!(1);
    body["num_runs"] = json!(7);
    body["checklists"] = json!([{"title": "Only", "items": []}]);
    let r = call(&host, "bob", "PUT", &format!("/playbooks/{id}"), Some(body));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["title"], "New");
    assert_eq!(
        (r.body["id"].as_str(), r.body["team_id"].as_str()),
        (Some(id.as_str()), Some("t1"))
    );
    assert_eq!(
        (r.body["create_at"].clone(), r.body["num_runs"].clone()),
        (before["create_at"].clone(), json!(0))
    );
    assert_eq!(
        (r.body["num_stages"].as_i64(), r.body["num_steps"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(is_valid_id(r.body["checklists"][0]["id"].as_str().unwrap()));
    assert_eq!(get(&host, "bob", &id).body, r.body);

    let invalid = call(
        &host,
        "bob",
        "PUT",
        &format!("/playbooks/{id}"),
        Some(json!({"title": "T", "category_name": "x".repeat(30)})),
    );
    assert_eq!(
        (invalid.status, invalid.message()),
        (400, "category_name: must be at most 22 characters")
    );
    let missing = call(
        &host,
        "bob",
        "PUT",
        "/playbooks/yyyyyyyyyyyyyyyyyyyyyyyyyy",
        Some(json!({"title": "T"})),
    );
    assert_eq!(missing.status, 404);
}

#[test]
fn edit_rights() {
    let host = TestHost::new();
    let mut body = sample("Shared");
    body["members"] = json!([{"user_id": "carol", "roles": ["playbook_member"]}]);
    let id = create(&host, "bob", body);
    let path = format!("/playbooks/{id}");
    let patch = |user: &str, body: Value| call(&host, user, "PATCH", &path, Some(body));

    // Public, not admin-only: a plain member edits settings…
    assert_eq!(
        patch("carol", json!({"description": "by carol"})).status,
        200
    );
    // …but not membership or visibility.
    let escalate = patch(
        "carol",
        json!({"members": [{"user_id": "carol", "roles": ["playbook_member", "playbook_admin"]}]}),
    );
    assert_eq!(escalate.status, 403);
    assert!(
        escalate.message().contains("members"),
        "{}",
        escalate.message()
    );
    assert_eq!(patch("carol", json!({"public": false})).status, 403);
    assert_eq!(patch("carol", json!({"admin_only_edit": true})).status, 403);

    // The admin restricts editing to admins.
    assert_eq!(patch("bob", json!({"admin_only_edit": true})).status, 200);
    let refused = patch("carol", json!({"description": "again"}));
    assert_eq!(
        (refused.status, refused.message()),
        (403, "Only admins of this playbook can edit it.")
    );
    assert_eq!(
        patch("admin", json!({"description": "system admin"})).status,
        200
    );

    // A team member who is not a playbook member never edits; nor does
    // anyone outside the team.
    let others = create(&host, "bob", sample("Bob's"));
    let r = call(
        &host,
        "carol",
        "PATCH",
        &format!("/playbooks/{others}"),
        Some(json!({"title": "mine"})),
    );
    assert_eq!(
        (r.status, r.message()),
        (403, "Only members of this playbook can edit it.")
    );
    let r = call(
        &host,
        "dave",
        "PATCH",
        &path,
        Some(json!({"title": "mine"})),
    );
    assert_eq!(
        (r.status, r.message()),
        (403, "You do not have permission to view this playbook.")
    );
    let mut private = sample("Private");
    private["public"] = json!(false);
    private["members"] = json!([{"user_id": "carol", "roles": ["playbook_member"]}]);
    let private = create(&host, "bob", private);
    let r = call(
        &host,
        "carol",
        "PATCH",
        &format!("/playbooks/{private}"),
        Some(json!({"title": "mine"})),
    );
    assert_eq!(
        (r.status, r.message()),
        (403, "Only admins of this playbook can edit it.")
    );
    assert_eq!(get(&host, "bob", &id).body["description"], "system admin");
}

#[test]
fn patch_merges_top_level_fields() {
    let host = TestHost::new();
    let id = create(&host, "bob", sample("Old"));
    let path = format!("/playbooks/{id}");
    let r = call(
        &host,
        "bob",
        "PATCH",
        &path,
        Some(json!({"title": "New", "delete_at": 5, "num_runs": 3, "unknown": 1})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            r.body["title"].as_str(),
            r.body["delete_at"].as_i64(),
            r.body["num_runs"].as_i64()
        ),
        (Some("New"), Some(0), Some(0))
    );
    assert_eq!(
        r.body["checklists"][0]["items"][1]["title"], "Page",
        "untouched fields stay"
    );

    let wrong = call(&host, "bob", "PATCH", &path, Some(json!({"public": "yes"})));
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.message().starts_with("public: invalid type"),
        "{}",
        wrong.message()
    );
    let invalid = call(
        &host,
        "bob",
        "PATCH",
        &path,
        Some(json!({"channel_name_template": "{NOPE}"})),
    );
    assert!(
        invalid
            .message()
            .starts_with("channel_name_template: unknown token {NOPE}"),
        "{}",
        invalid.message()
    );
    let not_object = call(&host, "bob", "PATCH", &path, Some(json!(["title"])));
    assert_eq!(
        (not_object.status, not_object.message()),
        (400, "request body: must be a JSON object")
    );
    assert_eq!(get(&host, "bob", &id).body["title"], "New");
}

#[test]
fn archive_and_restore() {
    let host = TestHost::new();
    let id = create(&host, "bob", sample("Doomed"));
    let path = format!("/playbooks/{id}");
    assert_eq!(call(&host, "carol", "DELETE", &path, None).status, 403);

    let r = call(&host, "bob", "DELETE", &path, None);
    assert_eq!((r.status, &r.body), (204, &Value::Null));
    let archived = get(&host, "bob", &id);
    assert_eq!(
        (archived.status, archived.body["delete_at"].clone()),
        (200, json!(host.inner.now))
    );
    assert_eq!(
        call(&host, "bob", "GET", "/playbooks", None).body["total_count"],
        0
    );
    assert_eq!(
        call(&host, "bob", "GET", "/playbooks?with_archived=true", None).body["total_count"],
        1
    );
    assert_eq!(
        call(&host, "bob", "GET", "/playbooks/autocomplete", None).body,
        json!([])
    );

    for (method, body) in [
        ("PATCH", json!({"title": "x"})),
        ("PUT", json!({"title": "x"})),
        ("DELETE", Value::Null),
    ] {
        let r = call(&host, "bob", method, &path, Some(body));
        assert_eq!(r.status, 400, "{method}");
        assert!(
            r.message().contains("archived"),
            "{method}: {}",
            r.message()
        );
    }
    assert_eq!(
        call(&host, "carol", "PUT", &format!("{path}/restore"), None).status,
        403
    );
    assert_eq!(
        call(&host, "bob", "PUT", &format!("{path}/restore"), None).status,
        204
    );
    assert_eq!(get(&host, "bob", &id).body["delete_at"], 0);
    // Restoring a live playbook is a no-op.
    assert_eq!(
        call(&host, "bob", "PUT", &format!("{path}/restore"), None).status,
        204
    );
    assert_eq!(
        call(
            &host,
            "bob",
            "PUT",
            "/playbooks/yyyyyyyyyyyyyyyyyyyyyyyyyy/restore",
            None
        )
        .status,
        404
    );

    let names: Vec<String> = host.events().into_iter().map(|(e, _)| e).collect();
    assert_eq!(
        names,
        ["playbook_created", "playbook_archived", "playbook_restored"]
    );
    assert_eq!(
        host.events()[1].1,
        json!({"playbook": id, "team_id": "t1", "teamID": "t1"})
    );
}

#[test]
fn duplicate_copies_with_new_ids() {
    let host = TestHost::new();
    let mut body = sample("Original");
    body["run_number_prefix"] = json!("INC");
    body["public"] = json!(true);
    let id = create(&host, "bob", body);
    call(&host, "bob", "DELETE", &format!("/playbooks/{id}"), None);

    let r = call(
        &host,
        "carol",
        "POST",
        &format!("/playbooks/{id}/duplicate"),
        None,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let copy_id = r.body["id"].as_str().unwrap().to_owned();
    assert_ne!(copy_id, id);
    let original = get(&host, "bob", &id).body;
    let copy = get(&host, "carol", &copy_id).body;
    assert_eq!(copy["title"], "Copy of Original");
    assert_eq!(
        copy["members"],
        json!([{"user_id": "carol", "roles": ["playbook_member", "playbook_admin"]}])
    );
    assert_eq!(
        (
            copy["run_number_prefix"].as_str(),
            copy["delete_at"].as_i64()
        ),
        (Some(""), Some(0))
    );
    assert_eq!(copy["checklists"][0]["items"][0]["title"], "Assess");
    for path in [
        "/checklists/0/id",
        "/checklists/0/items/0/id",
        "/checklists/0/items/1/id",
        "/metrics/0/id",
    ] {
        let (a, b) = (original.pointer(path).unwrap(), copy.pointer(path).unwrap());
        assert!(is_valid_id(b.as_str().unwrap()) && a != b, "{path}");
    }
    assert_eq!(
        call(
            &host,
            "dave",
            "POST",
            &format!("/playbooks/{id}/duplicate"),
            None
        )
        .status,
        403
    );
}

#[test]
fn export_then_import() {
    let host = TestHost::new();
    let mut body = sample("Incident: Response / DB");
    body["run_number_prefix"] = json!("INC");
    let id = create(&host, "bob", body);
    let r = call(
        &host,
        "carol",
        "GET",
        &format!("/playbooks/{id}/export"),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Content-Disposition"),
        Some("attachment; filename=\"incident-response-db.json\"")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.body["version"], 1);
    assert!(r.body.get("id").is_none());

    // The prefix is exported, so it conflicts in the same team…
    let exported = r.body.clone();
    let conflict = call(
        &host,
        "carol",
        "POST",
        "/playbooks/import?team_id=t1",
        Some(exported.clone()),
    );
    assert_eq!(conflict.status, 400);
    assert!(conflict.message().starts_with("run_number_prefix: "));
    // …not once renamed.
    let mut renamed = exported.clone();
    renamed["run_number_prefix"] = json!("INC-2");
    let imported = call(
        &host,
        "carol",
        "POST",
        "/playbooks/import?team_id=t1",
        Some(renamed),
    );
    assert_eq!(imported.status, 201, "{}", imported.body);
    let new_id = imported.body["id"].as_str().unwrap();
    assert!(
        imported
            .header("Location")
            .unwrap()
            .ends_with(&format!("/api/v0/playbooks/{new_id}"))
    );
    let pb = get(&host, "carol", new_id).body;
    assert_eq!(
        (pb["title"].as_str(), pb["team_id"].as_str()),
        (Some("Incident: Response / DB"), Some("t1"))
    );
    assert_eq!(
        pb["members"],
        json!([{"user_id": "carol", "roles": ["playbook_member", "playbook_admin"]}])
    );
    assert_eq!(pb["checklists"][0]["items"].as_array().unwrap().len(), 2);

    let missing_team = call(
        &host,
        "carol",
        "POST",
        "/playbooks/import",
        Some(exported.clone()),
    );
    assert_eq!(
        (missing_team.status, missing_team.message()),
        (400, "team_id: is required (query parameter)")
    );
    assert_eq!(
        call(
            &host,
            "dave",
            "POST",
            "/playbooks/import?team_id=t1",
            Some(exported.clone())
        )
        .status,
        403
    );
    let mut v2 = exported.clone();
    v2["version"] = json!(2);
    let r = call(
        &host,
        "carol",
        "POST",
        "/playbooks/import?team_id=t1",
        Some(v2),
    );
    assert!(
        r.message().starts_with("version: unsupported version 2"),
        "{}",
        r.message()
    );
    assert_eq!(slug("   "), "playbook");
    assert_eq!(slug("Été 2024 -- plan"), "t-2024-plan");
}

#[test]
fn autocomplete_lists_viewable_playbooks() {
    let host = TestHost::new();
    let a = create(&host, "bob", sample("Beta"));
    let b = create(&host, "bob", sample("alpha"));
    let mut private = sample("Secret");
    private["public"] = json!(false);
    create(&host, "bob", private);
    let r = call(
        &host,
        "carol",
        "GET",
        "/playbooks/autocomplete?team_id=t1",
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!([{"text": "alpha", "value": b}, {"text": "Beta", "value": a}])
    );
    assert_eq!(
        call(&host, "bob", "GET", "/playbooks/autocomplete", None)
            .body
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        call(
            &host,
            "dave",
            "GET",
            "/playbooks/autocomplete?team_id=t1",
            None
        )
        .status,
        403
    );
}

#[test]
fn unknown_routes_and_methods() {
    let host = TestHost::new();
    let r = call(&host, "bob", "GET", "/nothing", None);
    assert_eq!(
        (r.status, r.message()),
        (404, "No route GET /api/v0/nothing")
    );
    let r = call(&host, "bob", "DELETE", "/playbooks", None);
    assert_eq!((r.status, r.header("Allow")), (405, Some("POST, GET")));
    assert_eq!(
        call_raw(&host, None, "GET", "/nothing", b"").status,
        401,
        "authentication comes first"
    );
    // http.rs keeps its own routes.
    assert_eq!(
        call(&host, "bob", "GET", "/version", None).body["id"],
        "playbooks"
    );
}
