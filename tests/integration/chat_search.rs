//! Post search (decision 019) over real HTTP: Mattermost's terms and
//! modifiers, paging, the index kept in step with edits and deletes, bad
//! input, and — above all — that no search reveals a post from a channel
//! the searcher cannot read.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, assert_error, channel_with, request, team_with};
use crate::helpers::spawn_app;

async fn post(who: &Client<'_>, channel_id: &str, message: &str) -> Value {
    who.expect(
        StatusCode::CREATED,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": channel_id, "message": message})),
    )
    .await
}

/// `POST /teams/{team}/posts/search` with `body` (a string is the terms).
async fn search_raw(who: &Client<'_>, team_id: &str, body: Value) -> (StatusCode, Value) {
    let body = match body {
        Value::String(terms) => json!({"terms": terms, "is_or_search": false}),
        other => other,
    };
    who.call(
        Method::POST,
        &format!("/api/v4/teams/{team_id}/posts/search"),
        Some(body),
    )
    .await
}

/// The messages found, in order; asserts the `PostSearchResults` shape.
async fn search(who: &Client<'_>, team_id: &str, body: Value) -> Vec<String> {
    let (status, list) = search_raw(who, team_id, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}: {list}");
    messages(&list)
}

fn messages(list: &Value) -> Vec<String> {
    assert_eq!(list["next_post_id"], "", "{list}");
    assert_eq!(list["prev_post_id"], "", "{list}");
    assert!(list["has_next"].is_boolean(), "{list}");
    assert!(list.get("matches").is_some(), "{list}");
    let order = list["order"].as_array().expect("order");
    assert_eq!(order.len(), list["posts"].as_object().unwrap().len());
    order
        .iter()
        .map(|id| {
            let post = &list["posts"][id.as_str().unwrap()];
            assert_eq!(post["id"], *id);
            post["message"].as_str().unwrap().to_string()
        })
        .collect()
}

fn terms(text: &str) -> Value {
    Value::String(text.into())
}

/// `YYYY-MM-DD` of an epoch-milliseconds time shifted by `offset_secs`.
fn day_of(ms: i64, offset_secs: i64) -> String {
    let days = (ms + offset_secs * 1000).div_euclid(86_400_000);
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn terms_modifiers_paging_and_the_index_follow_mattermost() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&alice, "ops", &[&bob]).await;
    let incidents = channel_with(&alice, &team, "incidents", "O", &[&bob]).await;
    let dev = channel_with(&alice, &team, "dev", "P", &[&bob]).await;

    let outage = post(&alice, &incidents, "Database OUTAGE in région east").await;
    post(&bob, &incidents, "the database is back").await;
    post(&alice, &dev, "deploy finished; databases migrated").await;

    assert_eq!(
        search(&bob, &team, terms("database")).await,
        ["the database is back", "Database OUTAGE in région east"]
    );
    assert_eq!(
        search(&bob, &team, terms("DATABASE -outage")).await,
        ["the database is back"]
    );
    assert_eq!(
        search(&bob, &team, terms(r#""outage in region""#)).await,
        ["Database OUTAGE in région east"]
    );
    assert!(
        search(&bob, &team, terms(r#""region outage""#))
            .await
            .is_empty()
    );
    assert_eq!(search(&bob, &team, terms("databa*")).await.len(), 3);
    assert_eq!(
        search(&bob, &team, terms("from:alice databa*")).await,
        [
            "deploy finished; databases migrated",
            "Database OUTAGE in région east"
        ]
    );
    assert_eq!(
        search(&bob, &team, terms("-from:alice database")).await,
        ["the database is back"]
    );
    assert_eq!(
        search(&bob, &team, terms("in:dev databa*")).await,
        ["deploy finished; databases migrated"]
    );
    assert_eq!(search(&bob, &team, terms("-in:dev databa*")).await.len(), 2);
    // Modifiers alone list everything they select.
    assert_eq!(
        search(&bob, &team, terms("from:bob")).await,
        ["the database is back"]
    );
    assert_eq!(
        search(
            &bob,
            &team,
            json!({"terms": "outage finished", "is_or_search": true})
        )
        .await,
        [
            "deploy finished; databases migrated",
            "Database OUTAGE in région east"
        ]
    );

    // Days, in the searcher's time zone.
    let at = outage["create_at"].as_i64().unwrap();
    for offset in [0, 14 * 3600, -12 * 3600] {
        let day = day_of(at, offset);
        let found = |t: &str| json!({"terms": t, "time_zone_offset": offset});
        assert_eq!(
            search(&bob, &team, found(&format!("on:{day} outage")))
                .await
                .len(),
            1,
            "on:{day} at offset {offset}"
        );
        assert!(
            search(&bob, &team, found(&format!("before:{day} outage")))
                .await
                .is_empty()
        );
        assert!(
            search(&bob, &team, found(&format!("after:{day} outage")))
                .await
                .is_empty()
        );
    }
    assert_eq!(
        search(
            &bob,
            &team,
            terms("after:2000-01-01 before:2999-12-31 outage")
        )
        .await
        .len(),
        1
    );

    // Paging with has_next.
    for i in 0..5 {
        post(&bob, &incidents, &format!("page item {i}")).await;
    }
    let page = |n: u32| json!({"terms": "item", "page": n, "per_page": 2});
    let (_, first) = search_raw(&bob, &team, page(0)).await;
    assert_eq!(messages(&first), ["page item 4", "page item 3"]);
    assert_eq!(first["has_next"], true);
    let (_, last) = search_raw(&bob, &team, page(2)).await;
    assert_eq!(messages(&last), ["page item 0"]);
    assert_eq!(last["has_next"], false);

    // Edits and deletes reach the index in the same write.
    let id = outage["id"].as_str().unwrap();
    alice
        .expect(
            StatusCode::OK,
            Method::PUT,
            &format!("/api/v4/posts/{id}/patch"),
            Some(json!({"message": "incident resolved"})),
        )
        .await;
    assert!(search(&bob, &team, terms("outage")).await.is_empty());
    assert_eq!(
        search(&bob, &team, terms("resolved")).await,
        ["incident resolved"]
    );
    alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/posts/{id}"),
            None,
        )
        .await;
    assert!(search(&bob, &team, terms("resolved")).await.is_empty());

    // Direct messages: `in:@user`, and in every team's search.
    let dm = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([bob.id, alice.id])),
        )
        .await;
    post(&bob, dm["id"].as_str().unwrap(), "private coffee chat").await;
    assert_eq!(
        search(&bob, &team, terms("in:@alice coffee")).await,
        ["private coffee chat"]
    );
    assert_eq!(search(&alice, &team, terms("coffee")).await.len(), 1);
    // The all-teams route too.
    let (status, all) = bob
        .call(
            Method::POST,
            "/api/v4/posts/search",
            Some(json!({"terms": "coffee"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(messages(&all), ["private coffee chat"]);
}

#[tokio::test]
async fn no_search_reveals_a_channel_the_searcher_cannot_read() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let team = team_with(&admin, "ops", &[&alice, &bob, &carol]).await;
    let other_team = team_with(&admin, "other", &[&alice]).await;

    // Bob can read `lobby` (member) and nothing else below.
    let lobby = channel_with(&alice, &team, "lobby", "O", &[&bob, &carol]).await;
    post(&alice, &lobby, "visible treasure").await;
    let private = channel_with(&alice, &team, "vault", "P", &[&carol]).await;
    post(&alice, &private, "private treasure").await;
    let not_joined = channel_with(&alice, &team, "plaza", "O", &[]).await;
    post(&alice, &not_joined, "unjoined treasure").await;
    let elsewhere = channel_with(&alice, &other_team, "elsewhere", "O", &[]).await;
    post(&alice, &elsewhere, "other team treasure").await;
    let dm = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([alice.id, carol.id])),
        )
        .await;
    let dm = dm["id"].as_str().unwrap().to_string();
    post(&alice, &dm, "direct treasure").await;
    let archived = channel_with(&alice, &team, "attic", "O", &[&bob]).await;
    post(&alice, &archived, "archived treasure").await;
    alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{archived}"),
            None,
        )
        .await;
    let deleted = post(&alice, &lobby, "deleted treasure").await;
    alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/posts/{}", deleted["id"].as_str().unwrap()),
            None,
        )
        .await;

    for query in [
        "treasure",
        "treasure*",
        "tre*",
        "in:vault treasure",
        "in:plaza treasure",
        "in:elsewhere treasure",
        "in:@alice treasure",
        "in:@carol treasure",
        "from:alice",
        "in:vault",
        "in:attic",
        "-in:lobby treasure",
        "\"direct treasure\"",
        "deleted",
    ] {
        let found = search(&bob, &team, terms(query)).await;
        assert!(
            found.iter().all(|m| m == "visible treasure"),
            "bob searching {query:?} found {found:?}"
        );
    }
    // The all-teams search holds to the same scope.
    let (status, all) = bob
        .call(
            Method::POST,
            "/api/v4/posts/search",
            Some(json!({"terms": "treasure", "include_deleted_channels": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(messages(&all), ["visible treasure"]);

    // Archived channels come back only on request, and only to members.
    assert_eq!(
        search(
            &bob,
            &team,
            json!({"terms": "in:attic treasure", "include_deleted_channels": true})
        )
        .await,
        ["archived treasure"]
    );
    assert!(
        search(
            &carol,
            &team,
            json!({"terms": "archived", "include_deleted_channels": true})
        )
        .await
        .is_empty()
    );

    // Carol reads the vault and her DM; not the other team, not the plaza.
    let mut carol_found = search(&carol, &team, terms("treasure")).await;
    carol_found.sort();
    assert_eq!(
        carol_found,
        ["direct treasure", "private treasure", "visible treasure"]
    );
    // A system admin searches only the channels they belong to, as in
    // Mattermost; never others' direct messages.
    assert!(search(&admin, &team, terms("treasure")).await.is_empty());

    // Alice sees the other team's channel only when searching that team or
    // all teams.
    assert!(
        !search(&alice, &team, terms("treasure"))
            .await
            .contains(&"other team treasure".to_string())
    );
    assert_eq!(
        search(&alice, &other_team, terms("treasure")).await,
        ["direct treasure", "other team treasure"]
    );

    // Not a member of the team: 403; unknown team: 404; no session: 401.
    let (status, body) = search_raw(&bob, &other_team, terms("treasure")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = search_raw(&bob, "nosuchteamxxxxxxxxxxxxxxxx", terms("x")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "");
    let (status, body, _) = request(
        &app,
        None,
        Method::POST,
        &format!("/api/v4/teams/{team}/posts/search"),
        Some(json!({"terms": "treasure"})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_odd_input_no_error() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let team = team_with(&alice, "ops", &[]).await;
    let channel = channel_with(&alice, &team, "general", "O", &[]).await;
    post(
        &alice,
        &channel,
        "needle in a (haystack) \"quoted\" NEAR AND OR",
    )
    .await;

    for (body, field) in [
        (json!({}), "terms"),
        (json!({"terms": ""}), "terms"),
        (json!({"terms": "   "}), "terms"),
        (json!({"terms": null}), "terms"),
        (json!({"terms": "x".repeat(1025)}), "terms"),
        (json!({"terms": vec!["w"; 33].join(" ")}), "terms"),
        (json!({"terms": "on:2024-02-30 needle"}), "terms"),
        (json!({"terms": "before:yesterday"}), "terms"),
        (json!({"terms": "after:2024/01/01"}), "terms"),
        (
            json!({"terms": "x", "time_zone_offset": 90000}),
            "time_zone_offset",
        ),
        (json!({"terms": "x", "page": -1}), "page"),
        (json!({"terms": "x", "page": 50, "per_page": 200}), "page"),
        (json!({"terms": "x", "per_page": -5}), "per_page"),
    ] {
        let (status, err) = search_raw(&alice, &team, body.clone()).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, &format!("{field}"));
        let _ = body;
    }
    let (status, err) = search_raw(&alice, &team, json!({"terms": 5})).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "");

    // Unknown names and things that are FTS syntax elsewhere: 200.
    for (query, hits) in [
        ("from:nobody needle", 0),
        ("in:no-such-channel needle", 0),
        ("in:@nobody needle", 0),
        ("*", 0),
        ("-needle", 0),
        ("needle*", 1),
        ("(haystack)", 1),
        ("\"quoted\"", 1),
        ("NEAR", 1),
        ("AND OR", 1),
        ("needle NOT", 0),
        ("message:needle", 0),
        ("\"needle", 1),
        ("{needle}", 1),
        ("^needle", 1),
        ("needle -\"", 1),
    ] {
        assert_eq!(
            search(&alice, &team, terms(query)).await.len(),
            hits,
            "{query:?}"
        );
    }
    // null means absent.
    assert_eq!(
        search(
            &alice,
            &team,
            json!({"terms": "needle", "is_or_search": null, "page": null, "per_page": null,
                   "time_zone_offset": null, "include_deleted_channels": null, "unknown": 1})
        )
        .await
        .len(),
        1
    );
}
