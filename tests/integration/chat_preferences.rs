//! Preferences (decision 020): Mattermost's routes, limits named by item
//! and field, events to the user's own websockets only, nobody reads or
//! writes anyone else's, flags and favourites only for what the user may
//! read, and favourite channels in the sidebar's "Favorites".

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, assert_error, channel_with, team_with};
use crate::helpers::spawn_app;

fn pref(user_id: &str, category: &str, name: &str, value: &str) -> Value {
    json!({"user_id": user_id, "category": category, "name": name, "value": value})
}

async fn save(who: &Client<'_>, user_id: &str, items: Value) -> (StatusCode, Value) {
    who.call(
        Method::PUT,
        &format!("/api/v4/users/{user_id}/preferences"),
        Some(items),
    )
    .await
}

#[tokio::test]
async fn saved_preferences_read_back_by_category_and_name_and_delete() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let mut alice_socket = alice.socket().await;
    let mut bob_socket = bob.socket().await;
    let items = json!([
        pref(&alice.id, "display_settings", "use_military_time", "true"),
        pref(&alice.id, "display_settings", "name_format", "username"),
        pref(&alice.id, "tutorial_step", &alice.id, "999"),
    ]);
    let (code, body) = save(&alice, "me", items).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let event = alice_socket.next_event("preferences_changed").await;
    let sent: Vec<Value> =
        serde_json::from_str(event["data"]["preferences"].as_str().unwrap()).unwrap();
    assert_eq!(sent.len(), 3);
    assert_eq!(event["broadcast"]["user_id"], alice.id.as_str());
    // Replacing a value.
    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(
            &alice.id,
            "display_settings",
            "name_format",
            "full_name"
        )]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);

    let all = alice
        .get_ok(&format!("/api/v4/users/{}/preferences", alice.id))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let display = alice
        .get_ok("/api/v4/users/me/preferences/display_settings")
        .await;
    assert_eq!(display.as_array().unwrap().len(), 2, "{display}");
    let one = alice
        .get_ok("/api/v4/users/me/preferences/display_settings/name/name_format")
        .await;
    assert_eq!(
        one,
        pref(&alice.id, "display_settings", "name_format", "full_name")
    );
    let (code, body) = alice
        .get("/api/v4/users/me/preferences/display_settings/name/nope")
        .await;
    assert_error(code, &body, StatusCode::NOT_FOUND, "");
    let (code, body) = alice.get("/api/v4/users/me/preferences/nothing_here").await;
    assert_error(code, &body, StatusCode::NOT_FOUND, "");

    let (code, body) = alice
        .call(
            Method::POST,
            "/api/v4/users/me/preferences/delete",
            Some(json!([pref(
                &alice.id,
                "display_settings",
                "name_format",
                ""
            )])),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let event = alice_socket.next_event("preferences_deleted").await;
    assert!(
        event["data"]["preferences"]
            .as_str()
            .unwrap()
            .contains("name_format")
    );
    let display = alice
        .get_ok("/api/v4/users/me/preferences/display_settings")
        .await;
    assert_eq!(display.as_array().unwrap().len(), 1, "{display}");

    // Bob heard nothing of alice's preferences: his first such event is
    // his own.
    let (code, _) = save(&bob, &bob.id, json!([pref(&bob.id, "c", "n", "v")])).await;
    assert_eq!(code, StatusCode::OK);
    let event = bob_socket.next_event("preferences_changed").await;
    assert!(
        event["data"]["preferences"]
            .as_str()
            .unwrap()
            .contains(&bob.id),
        "{event}"
    );
    assert!(
        !event["data"]["preferences"]
            .as_str()
            .unwrap()
            .contains(&alice.id),
        "{event}"
    );
}

#[tokio::test]
async fn nobody_reads_or_writes_anyone_elses_preferences() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(&alice.id, "secret", "n", "v")]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);

    for path in [
        format!("/api/v4/users/{}/preferences", alice.id),
        format!("/api/v4/users/{}/preferences/secret", alice.id),
        format!("/api/v4/users/{}/preferences/secret/name/n", alice.id),
    ] {
        let (code, body) = bob.get(&path).await;
        assert_error(code, &body, StatusCode::FORBIDDEN, "");
        // A system admin may read them (as in Mattermost).
        admin.get_ok(&path).await;
    }
    // Writing: in alice's URL, or alice's items in one's own URL.
    let attempts = [
        (
            alice.id.clone(),
            pref(&alice.id, "secret", "n", "bob was here"),
        ),
        (
            alice.id.clone(),
            pref(&bob.id, "secret", "n", "bob was here"),
        ),
        (
            bob.id.clone(),
            pref(&alice.id, "secret", "n", "bob was here"),
        ),
    ];
    for (user_id, item) in attempts {
        let (code, body) = save(&bob, &user_id, json!([item.clone()])).await;
        assert_error(code, &body, StatusCode::FORBIDDEN, "");
        let (code, body) = bob
            .call(
                Method::POST,
                &format!("/api/v4/users/{user_id}/preferences/delete"),
                Some(json!([item])),
            )
            .await;
        assert_error(code, &body, StatusCode::FORBIDDEN, "");
    }
    // Not even an admin writes someone else's.
    let (code, body) = save(
        &admin,
        &alice.id,
        json!([pref(&alice.id, "secret", "n", "x")]),
    )
    .await;
    assert_error(code, &body, StatusCode::FORBIDDEN, "");
    let one = alice
        .get_ok("/api/v4/users/me/preferences/secret/name/n")
        .await;
    assert_eq!(one["value"], "v");
}

#[tokio::test]
async fn limits_are_named_and_nothing_is_half_saved() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let id = alice.id.clone();
    let many: Vec<Value> = (0..101)
        .map(|i| pref(&id, "c", &format!("n{i}"), "v"))
        .collect();
    let cases = [
        (json!(many), "preferences"),
        (json!([]), "preferences"),
        (json!({"user_id": id}), "preferences"),
        (
            json!([
                pref(&id, "c", "n", "v"),
                pref(&id, &"c".repeat(33), "n", "v")
            ]),
            "preferences[1].category",
        ),
        (json!([pref(&id, "", "n", "v")]), "preferences[0].category"),
        (
            json!([pref(&id, "c", &"n".repeat(33), "v")]),
            "preferences[0].name",
        ),
        (
            json!([pref(&id, "c", "n", &"v".repeat(2001))]),
            "preferences[0].value",
        ),
        (
            json!([pref(&id, "theme", "", "not json")]),
            "preferences[0].value",
        ),
        (
            json!([{"user_id": id, "category": 5, "name": "n", "value": "v"}]),
            "preferences[0]",
        ),
    ];
    for (body, field) in cases {
        let (code, answer) = save(&alice, &id, body).await;
        assert_error(code, &answer, StatusCode::BAD_REQUEST, field);
    }
    // The good first item of a refused request was not stored.
    let (code, _) = alice.get("/api/v4/users/me/preferences/c").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    // At the limits exactly: fine.
    let hundred: Vec<Value> = (0..100)
        .map(|i| {
            pref(
                &id,
                &"c".repeat(32),
                &format!("{i:0>32}"),
                &"é".repeat(2000),
            )
        })
        .collect();
    let (code, body) = save(&alice, &id, json!(hundred)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn flags_and_favourites_only_for_what_one_may_read() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&admin, "team", &[&alice, &bob]).await;
    let private = channel_with(&alice, &team, "private", "P", &[]).await;
    let open = channel_with(&alice, &team, "open", "O", &[]).await;
    let post = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": private, "message": "secret"})),
        )
        .await;
    let post_id = post["id"].as_str().unwrap();
    let unknown = host_shim::model::new_id();
    for item in [
        pref(&bob.id, "flagged_post", post_id, "true"),
        pref(&bob.id, "flagged_post", &unknown, "true"),
        pref(&bob.id, "favorite_channel", &private, "true"),
        pref(&bob.id, "favorite_channel", &unknown, "true"),
    ] {
        let (code, body) = save(&bob, &bob.id, json!([item])).await;
        assert_error(code, &body, StatusCode::FORBIDDEN, "preferences[0].name");
    }
    assert_eq!(bob.get("/api/v4/users/me/preferences").await.1, json!([]));
    // What bob may read he may flag (an open channel of his team).
    let open_post = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": open, "message": "public"})),
        )
        .await;
    let (code, body) = save(
        &bob,
        &bob.id,
        json!([
            pref(
                &bob.id,
                "flagged_post",
                open_post["id"].as_str().unwrap(),
                "true"
            ),
            pref(&bob.id, "favorite_channel", &open, "true"),
        ]),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn favourite_channels_are_the_sidebars_favorites() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&admin, "team", &[&alice, &bob]).await;
    let ops = channel_with(&alice, &team, "ops", "O", &[]).await;
    let path = format!("/api/v4/users/me/teams/{team}/channels/categories");
    let kinds = |body: &Value| -> Vec<String> {
        body["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_string())
            .collect()
    };
    let before = alice.get_ok(&path).await;
    assert_eq!(kinds(&before), ["channels", "direct_messages"]);

    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(&alice.id, "favorite_channel", &ops, "true")]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let after = alice.get_ok(&path).await;
    assert_eq!(
        kinds(&after),
        ["favorites", "channels", "direct_messages"],
        "{after}"
    );
    let categories = after["categories"].as_array().unwrap();
    assert_eq!(categories[0]["display_name"], "Favorites");
    assert_eq!(categories[0]["channel_ids"], json!([ops]));
    assert!(
        !categories[1]["channel_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == ops.as_str()),
        "{after}"
    );
    assert_eq!(after["order"].as_array().unwrap().len(), 3);
    // Bob's sidebar is his own.
    let bobs = bob.get_ok(&path).await;
    assert_eq!(kinds(&bobs), ["channels", "direct_messages"]);

    // "false" (as Mattermost clients unfavourite) or deleting: back.
    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(&alice.id, "favorite_channel", &ops, "false")]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        kinds(&alice.get_ok(&path).await),
        ["channels", "direct_messages"]
    );
    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(&alice.id, "favorite_channel", &ops, "true")]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = alice
        .call(
            Method::POST,
            "/api/v4/users/me/preferences/delete",
            Some(json!([pref(&alice.id, "favorite_channel", &ops, "true")])),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        kinds(&alice.get_ok(&path).await),
        ["channels", "direct_messages"]
    );
    // A favourite she left is not shown.
    let (code, _) = save(
        &alice,
        &alice.id,
        json!([pref(&alice.id, "favorite_channel", &ops, "true")]),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{ops}/members/{}", alice.id),
            None,
        )
        .await;
    assert_eq!(
        kinds(&alice.get_ok(&path).await),
        ["channels", "direct_messages"]
    );
}
