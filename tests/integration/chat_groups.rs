//! Group messages (decision 020): `POST /channels/group` makes one channel
//! per set of 3 to 8 people, named as Mattermost names it, readable and
//! writable by its members only, listed with direct messages; bad sets
//! are 400s naming `user_ids`, and someone the creator may not see is as
//! unknown as an id that does not exist.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::client::{Client, assert_error, team_with};
use crate::helpers::spawn_app;

async fn create_group(who: &Client<'_>, ids: Value) -> (StatusCode, Value) {
    who.call(Method::POST, "/api/v4/channels/group", Some(ids))
        .await
}

fn sha1_hex(ids: &[&str]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort();
    let mut hasher = Sha1::new();
    for id in sorted {
        hasher.update(id.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[tokio::test]
async fn a_group_is_one_channel_per_set_of_people_for_its_members_only() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let carol = Client::new(&app, "carol").await;
    let dave = Client::new(&app, "dave").await;
    let team = team_with(&admin, "team", &[&alice, &bob, &carol, &dave]).await;
    let mut bob_socket = bob.socket().await;
    let mut dave_socket = dave.socket().await;

    let (code, group) = create_group(&alice, json!([carol.id, bob.id])).await;
    assert_eq!(code, StatusCode::CREATED, "{group}");
    assert_eq!(group["type"], "G");
    assert_eq!(group["team_id"], "");
    assert_eq!(group["display_name"], "alice, bob, carol");
    assert_eq!(
        group["name"],
        sha1_hex(&[&alice.id, &bob.id, &carol.id]).as_str()
    );
    let group_id = group["id"].as_str().unwrap().to_string();
    // The same people, in any order and with the creator named: the same
    // channel (201, as Mattermost answers).
    let (code, again) = create_group(&bob, json!([alice.id, bob.id, carol.id, carol.id])).await;
    assert_eq!(code, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], group_id.as_str());

    // Its members hear of it; others do not.
    let added = bob_socket.next_event("group_added").await;
    assert_eq!(added["broadcast"]["channel_id"], group_id.as_str());

    // Members read, post, and see it with their direct messages.
    let post = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": group_id, "message": "hello group"})),
        )
        .await;
    let posted = bob_socket.next_event("posted").await;
    assert_eq!(posted["broadcast"]["channel_id"], group_id.as_str());
    let channels = carol
        .get_ok(&format!("/api/v4/users/me/teams/{team}/channels"))
        .await;
    assert!(
        channels
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == group_id.as_str()),
        "{channels}"
    );
    let categories = carol
        .get_ok(&format!(
            "/api/v4/users/me/teams/{team}/channels/categories"
        ))
        .await;
    let dms = categories["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "direct_messages")
        .unwrap();
    assert!(
        dms["channel_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == group_id.as_str()),
        "{categories}"
    );
    // Every message in a group counts for the others (unread and mention).
    let member = carol
        .get_ok(&format!("/api/v4/channels/{group_id}/members/me"))
        .await;
    assert_eq!(member["mention_count"], 1, "{member}");
    assert_eq!(member["msg_count"], 0, "{member}");
    let posts = carol
        .get_ok(&format!("/api/v4/channels/{group_id}/posts"))
        .await;
    assert_eq!(posts["order"][0], post["id"]);

    // Outsiders — a teammate, even a system admin — cannot read or post.
    for outsider in [&dave, &admin] {
        for path in [
            format!("/api/v4/channels/{group_id}"),
            format!("/api/v4/channels/{group_id}/posts"),
            format!("/api/v4/channels/{group_id}/members"),
            format!("/api/v4/posts/{}", post["id"].as_str().unwrap()),
        ] {
            let (code, body) = outsider.get(&path).await;
            assert!(
                code == StatusCode::FORBIDDEN || code == StatusCode::NOT_FOUND,
                "{path}: {code} {body}"
            );
        }
        let (code, body) = outsider
            .call(
                Method::POST,
                "/api/v4/posts",
                Some(json!({"channel_id": group_id, "message": "let me in"})),
            )
            .await;
        assert_error(code, &body, StatusCode::FORBIDDEN, "");
        // Joining is refused too: a group's members are fixed.
        let (code, body) = outsider
            .call(
                Method::POST,
                &format!("/api/v4/channels/{group_id}/members"),
                Some(json!({"user_id": outsider.id})),
            )
            .await;
        assert_error(code, &body, StatusCode::BAD_REQUEST, "channel_id");
    }
    // Dave's socket saw none of it: the next event he gets is his own.
    let dm = dave
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([dave.id, dave.id])),
        )
        .await;
    dave.expect(
        StatusCode::CREATED,
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": dm["id"], "message": "me"})),
    )
    .await;
    let events = dave_socket.events_until("posted").await;
    assert!(
        events
            .iter()
            .all(|e| e["event"] != "group_added"
                && e["broadcast"]["channel_id"] != group_id.as_str()),
        "{events:?}"
    );
}

#[tokio::test]
async fn bad_sets_of_people_are_refused_naming_user_ids() {
    let app = spawn_app().await;
    let admin = Client::new(&app, "admin").await;
    let alice = Client::new(&app, "alice").await;
    let mut team_members = Vec::new();
    for i in 0..8 {
        team_members.push(Client::new(&app, &format!("user{i}")).await);
    }
    let stranger = Client::new(&app, "stranger").await;
    let gone = Client::new(&app, "gone").await;
    let mut members: Vec<&Client<'_>> = team_members.iter().collect();
    members.push(&alice);
    members.push(&gone);
    let team = team_with(&admin, "team", &members).await;
    let ids: Vec<String> = team_members.iter().map(|c| c.id.clone()).collect();

    let cases = [
        // Two people in all (the caller is added).
        json!([ids[0]]),
        json!([ids[0], alice.id]),
        json!([]),
        // Nine in all.
        json!(ids[..8]),
        // Not ids, unknown ids, someone alice shares nothing with.
        json!([ids[0], "not an id"]),
        json!([ids[0], 42]),
        json!([ids[0], host_shim::model::new_id()]),
        json!([ids[0], stranger.id]),
        json!({"user_ids": [ids[0], ids[1]]}),
    ];
    for case in cases {
        let (code, body) = create_group(&alice, case.clone()).await;
        assert_error(code, &body, StatusCode::BAD_REQUEST, "user_ids");
    }
    // Someone alice may not see reads exactly like someone who does not
    // exist.
    let (_, unknown) = create_group(&alice, json!([ids[0], "a".repeat(26)])).await;
    let (_, hidden) = create_group(&alice, json!([ids[0], stranger.id])).await;
    assert_eq!(
        unknown["message"]
            .as_str()
            .unwrap()
            .replace(&"a".repeat(26), "X"),
        hidden["message"]
            .as_str()
            .unwrap()
            .replace(&stranger.id, "X")
    );
    // Deactivated accounts cannot be added.
    let services = app.state.services.clone();
    let gone_id = gone.id.clone();
    tokio::task::spawn_blocking(move || {
        let mut user = services.chat.user(&gone_id).unwrap().unwrap();
        user.delete_at = host_shim::model::now_ms();
        services.chat.update_user(&user).unwrap();
    })
    .await
    .unwrap();
    let (code, body) = create_group(&alice, json!([ids[0], gone.id])).await;
    assert_error(code, &body, StatusCode::BAD_REQUEST, "user_ids");
    // Eight in all is fine; nothing was created by the refusals.
    let (code, body) = create_group(&alice, json!(ids[..7])).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let channels = alice
        .get_ok(&format!("/api/v4/users/me/teams/{team}/channels"))
        .await;
    let groups = channels
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "G")
        .count();
    assert_eq!(groups, 1, "{channels}");
}
