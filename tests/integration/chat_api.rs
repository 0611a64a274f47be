//! The Mattermost API v4 core over real HTTP: users and sessions, teams,
//! channels, posts — success, permission denials and bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A logged-in HTTP client.
struct Client<'a> {
    app: &'a TestApp,
    token: String,
    user: Value,
}

impl Client<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(self.app, method, path, Some(&self.token), body).await
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
    fn id(&self) -> &str {
        self.user["id"].as_str().unwrap()
    }
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(token) = token {
        req = req.header("Authorization", format!("BEARER {token}"));
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn sign_up_and_log_in<'a>(app: &'a TestApp, username: &str) -> Client<'a> {
    let (status, user) = call(
        app,
        Method::POST,
        "/api/v4/users",
        None,
        Some(json!({"username": username, "email": format!("{username}@example.com"), "password": "correct horse"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let resp = app
        .http
        .post(app.url("/api/v4/users/login"))
        .json(&json!({"login_id": username, "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let token = resp.headers()["Token"].to_str().unwrap().to_string();
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("MMAUTHTOKEN=") && c.contains("HttpOnly")),
        "{cookies:?}"
    );
    Client { app, token, user }
}

/// The Mattermost error body, with the expected status.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    for field in [
        "id",
        "message",
        "detailed_error",
        "request_id",
        "status_code",
    ] {
        assert!(
            body.get(field).is_some(),
            "error body lacks {field}: {body}"
        );
    }
    assert_eq!(body["status_code"], expected.as_u16());
}

#[tokio::test]
async fn first_user_is_admin_and_sessions_work() {
    let app = spawn_app().await;
    let admin = sign_up_and_log_in(&app, "alice").await;
    assert_eq!(admin.user["roles"], "system_admin system_user");
    let bob = sign_up_and_log_in(&app, "bob").await;
    assert_eq!(bob.user["roles"], "system_user");
    assert!(bob.user.get("password").is_none());

    let (status, me) = admin.get("/api/v4/users/me").await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("alice"))
    );
    // Others' emails are hidden from non-admins.
    let (_, seen) = bob.get(&format!("/api/v4/users/{}", admin.id())).await;
    assert_eq!(seen["email"], "");
    let (_, seen) = admin.get(&format!("/api/v4/users/{}", bob.id())).await;
    assert_eq!(seen["email"], "bob@example.com");
    let (_, by_name) = bob.get("/api/v4/users/username/alice").await;
    assert_eq!(by_name["id"], admin.id());
    let (_, many) = bob
        .call(
            Method::POST,
            "/api/v4/users/ids",
            Some(json!([admin.id(), bob.id(), "nope"])),
        )
        .await;
    assert_eq!(many.as_array().unwrap().len(), 2);

    // Logout ends the session.
    let (status, _) = bob.call(Method::POST, "/api/v4/users/logout", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = bob.get("/api/v4/users/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_credentials_and_bad_input_get_clear_errors() {
    let app = spawn_app().await;
    sign_up_and_log_in(&app, "alice").await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "alice", "password": "wrong password"})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["id"],
        "api.user.login.invalid_credentials_email_username"
    );

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v4/users",
        None,
        Some(json!({"username": "Bad Name", "email": "x@example.com", "password": "long enough"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().starts_with("username:"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v4/users",
        None,
        Some(json!({"username": "carol", "email": "carol@example.com", "password": "short"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().starts_with("password:"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v4/users",
        None,
        Some(json!({"username": "alice", "email": "other@example.com", "password": "long enough"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);

    // Malformed JSON.
    let resp = app
        .http
        .post(app.url("/api/v4/users/login"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    // Oversized body.
    let huge = format!("{{\"login_id\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    let resp = app
        .http
        .post(app.url("/api/v4/users/login"))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    // Unknown route.
    let (status, body) = call(&app, Method::GET, "/api/v4/nope", None, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    // No session.
    let (status, body) = call(&app, Method::GET, "/api/v4/users/me", None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/v4/users/me",
        Some("not-a-token"),
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookie_sessions_need_the_xhr_header_to_change_state() {
    let app = spawn_app().await;
    let alice = sign_up_and_log_in(&app, "alice").await;
    let cookie = format!("MMAUTHTOKEN={}", alice.token);
    let me = app
        .http
        .get(app.url("/api/v4/users/me"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let team = json!({"name": "ops", "display_name": "Ops", "type": "O"});
    let forged = app
        .http
        .post(app.url("/api/v4/teams"))
        .header("Cookie", &cookie)
        .json(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let ok = app
        .http
        .post(app.url("/api/v4/teams"))
        .header("Cookie", &cookie)
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn personal_access_tokens_authenticate_until_revoked() {
    let app = spawn_app().await;
    let alice = sign_up_and_log_in(&app, "alice").await;
    let (status, token) = alice
        .call(
            Method::POST,
            &format!("/api/v4/users/{}/tokens", alice.id()),
            Some(json!({"description": "ci bot"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let secret = token["token"].as_str().unwrap().to_string();
    let (status, _) = call(&app, Method::GET, "/api/v4/users/me", Some(&secret), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = alice
        .get(&format!("/api/v4/users/{}/tokens", alice.id()))
        .await;
    assert!(
        listed[0].get("token").is_none(),
        "token text is never listed: {listed}"
    );
    let (status, _) = alice
        .call(
            Method::POST,
            "/api/v4/users/tokens/revoke",
            Some(json!({"token_id": token["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, Method::GET, "/api/v4/users/me", Some(&secret), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Tokens are stored hashed.
    let stored = app
        .state
        .services
        .auth
        .access_tokens_for_user(alice.id())
        .unwrap();
    assert!(stored.iter().all(|t| t.token_hash != secret));
}

#[tokio::test]
async fn teams_channels_and_membership_rules() {
    let app = spawn_app().await;
    let alice = sign_up_and_log_in(&app, "alice").await;
    let bob = sign_up_and_log_in(&app, "bob").await;
    let carol = sign_up_and_log_in(&app, "carol").await;
    let (status, team) = alice
        .call(
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Ops", "type": "I"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let team_id = team["id"].as_str().unwrap();
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Again"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);

    // Invite-only: carol cannot add herself, a member can add her.
    let (status, body) = carol
        .call(
            Method::POST,
            &format!("/api/v4/teams/{team_id}/members"),
            Some(json!({"team_id": team_id, "user_id": carol.id()})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (status, _) = carol.get(&format!("/api/v4/teams/{team_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for who in [bob.id(), carol.id()] {
        let (status, member) = alice
            .call(
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": who})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{member}");
    }
    let (_, teams) = bob.get("/api/v4/users/me/teams").await;
    assert_eq!(teams[0]["name"], "ops");
    let (_, by_name) = bob.get("/api/v4/teams/name/ops").await;
    assert_eq!(by_name["id"], team_id);

    // A public and a private channel.
    let (status, public) = alice
        .call(
            Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": "town", "display_name": "Town", "type": "O"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    let (_, private) = alice.call(Method::POST, "/api/v4/channels", Some(json!({"team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P"}))).await;
    let (public_id, private_id) = (
        public["id"].as_str().unwrap(),
        private["id"].as_str().unwrap(),
    );
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/channels",
            Some(
                json!({"team_id": team_id, "name": "Bad Name!", "display_name": "x", "type": "O"}),
            ),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().starts_with("name:"));

    // Bob sees the public one, not the private one.
    let (status, _) = bob.get(&format!("/api/v4/channels/{public_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = bob.get(&format!("/api/v4/channels/{private_id}")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (status, _) = bob
        .get(&format!("/api/v4/teams/{team_id}/channels/name/secret"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = bob.get(&format!("/api/v4/teams/{team_id}/channels")).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // Sorted by display name; the team's default channels are there too.
    assert_eq!(names, vec!["off-topic", "town", "town-square"]);
    // Joining: public yes, private no.
    let (status, _) = bob
        .call(
            Method::POST,
            &format!("/api/v4/channels/{public_id}/members"),
            Some(json!({"user_id": bob.id()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = bob
        .call(
            Method::POST,
            &format!("/api/v4/channels/{private_id}/members"),
            Some(json!({"user_id": bob.id()})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (_, mine) = bob
        .get(&format!("/api/v4/users/me/teams/{team_id}/channels"))
        .await;
    let mut mine: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    mine.sort();
    assert_eq!(mine, vec!["off-topic", "town", "town-square"]);
    let (_, members) = alice
        .get(&format!("/api/v4/channels/{public_id}/members"))
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    // Leave, then archive (creator only).
    let (status, _) = bob
        .call(
            Method::DELETE,
            &format!("/api/v4/channels/{public_id}/members/{}", bob.id()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = bob
        .call(
            Method::DELETE,
            &format!("/api/v4/channels/{public_id}"),
            None,
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (status, _) = alice
        .call(
            Method::DELETE,
            &format!("/api/v4/channels/{public_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, archived) = alice.get(&format!("/api/v4/channels/{public_id}")).await;
    assert_ne!(archived["delete_at"], 0);

    // Direct channels.
    let (status, dm) = bob
        .call(
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([bob.id(), carol.id()])),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut pair = [bob.id(), carol.id()];
    pair.sort();
    assert_eq!(dm["name"], format!("{}__{}", pair[0], pair[1]));
    assert_eq!(dm["type"], "D");
    let (status, body) = bob
        .call(
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([alice.id(), carol.id()])),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (status, _) = alice
        .get(&format!("/api/v4/channels/{}", dm["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "admins do not read others' direct messages"
    );
}

#[tokio::test]
async fn posts_threads_edits_and_paging() {
    let app = spawn_app().await;
    let alice = sign_up_and_log_in(&app, "alice").await;
    let bob = sign_up_and_log_in(&app, "bob").await;
    let (_, team) = alice
        .call(
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "ops", "display_name": "Ops", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap();
    let (_, channel) = alice
        .call(
            Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": "town", "display_name": "Town", "type": "O"})),
        )
        .await;
    let channel_id = channel["id"].as_str().unwrap();

    // Not a member yet: cannot post.
    alice
        .call(
            Method::POST,
            &format!("/api/v4/teams/{team_id}/members"),
            Some(json!({"team_id": team_id, "user_id": bob.id()})),
        )
        .await;
    let (status, body) = bob
        .call(
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": "hi"})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);

    let (status, root) = alice
        .call(Method::POST, "/api/v4/posts", Some(json!({"channel_id": channel_id, "message": "root", "pending_post_id": "abc:1", "props": {"from_webhook": "true", "x": 1}})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{root}");
    assert_eq!(root["pending_post_id"], "abc:1");
    assert!(
        root["props"].get("from_webhook").is_none(),
        "clients cannot impersonate integrations"
    );
    let root_id = root["id"].as_str().unwrap();
    let (status, reply) = alice
        .call(
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": "reply", "root_id": root_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": "x".repeat(16_384)})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = alice
        .call(
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": "x", "root_id": "nonexistent"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);

    let (_, thread) = alice.get(&format!("/api/v4/posts/{root_id}/thread")).await;
    assert_eq!(thread["order"].as_array().unwrap().len(), 2);
    assert_eq!(thread["posts"][root_id]["reply_count"], 1);

    // Edit: author yes, others no.
    let (status, edited) = alice
        .call(
            Method::PUT,
            &format!("/api/v4/posts/{root_id}/patch"),
            Some(json!({"message": "root (edited)"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(edited["edit_at"], 0);
    bob.call(
        Method::POST,
        &format!("/api/v4/channels/{channel_id}/members"),
        Some(json!({"user_id": bob.id()})),
    )
    .await;
    let (status, body) = bob
        .call(
            Method::PUT,
            &format!("/api/v4/posts/{root_id}/patch"),
            Some(json!({"message": "hijack"})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let (status, body) = bob
        .call(Method::DELETE, &format!("/api/v4/posts/{root_id}"), None)
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);

    // Paging newest first.
    for i in 0..5 {
        alice
            .call(
                Method::POST,
                "/api/v4/posts",
                Some(json!({"channel_id": channel_id, "message": format!("m{i}")})),
            )
            .await;
    }
    let (_, page0) = bob
        .get(&format!(
            "/api/v4/channels/{channel_id}/posts?page=0&per_page=3"
        ))
        .await;
    let order: Vec<&str> = page0["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(order.len(), 3);
    assert_eq!(page0["posts"][order[0]]["message"], "m4");
    assert_eq!(page0["prev_post_id"], order[2]);
    let (_, older) = bob
        .get(&format!(
            "/api/v4/channels/{channel_id}/posts?before={}&per_page=3",
            order[2]
        ))
        .await;
    assert_eq!(
        older["posts"][older["order"][0].as_str().unwrap()]["message"],
        "m1"
    );

    // Delete removes the root and its reply from reads.
    let (status, _) = alice
        .call(Method::DELETE, &format!("/api/v4/posts/{root_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = alice
        .get(&format!("/api/v4/posts/{}", reply["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = bob.get("/api/v4/posts/nonexistentpostidxxxxxxxxx").await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn plugin_routes_receive_the_server_set_user_id() {
    let app = spawn_app().await;
    let alice = sign_up_and_log_in(&app, "alice").await;
    // The self-check report route needs an admin: the plugin sees alice.
    let (status, body) = alice
        .get("/plugins/playbooks/api/v0/selfcheck/nochannel")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["message"], "No self-check was run in this channel.");
    let bob = sign_up_and_log_in(&app, "bob").await;
    let (status, _) = bob
        .get("/plugins/playbooks/api/v0/selfcheck/nochannel")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Plugin management is for admins.
    let (status, _) = bob.get("/api/v4/plugins").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, listed) = alice.get("/api/v4/plugins").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["active"][0]["id"], "playbooks");
}

/// A post's `metadata` is the server's (files, reactions): what a client
/// sends there — fake embeds, images, file cards — is dropped, as in
/// Mattermost, so nobody sees it under the post.
#[tokio::test]
async fn clients_cannot_supply_post_metadata() {
    let app = spawn_app().await;
    let alice = crate::client::Client::new(&app, "alice").await;
    let team = crate::client::team_with(&alice, "ops", &[]).await;
    let channel = crate::client::channel_with(&alice, &team, "war-room", "O", &[]).await;
    let post = alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(
                json!({"channel_id": channel, "message": "see", "metadata": {
                "embeds": [{"type": "opengraph", "url": "https://evil.example"}],
                "images": {"https://evil.example/x.png": {"width": 1, "height": 1}},
                "files": [{"id": "abcdefghijklmnopqrstuvwxyz", "name": "payroll.xlsx"}]}}),
            ),
        )
        .await;
    let read = alice
        .get_ok(&format!("/api/v4/posts/{}", post["id"].as_str().unwrap()))
        .await;
    for answer in [&post, &read] {
        let metadata = answer.get("metadata").cloned().unwrap_or(Value::Null);
        for key in ["embeds", "images", "files"] {
            assert!(metadata.get(key).is_none(), "{key} kept: {answer}");
        }
    }
}

/// Bodies read before anyone is known are small, and no body may hold more
/// JSON values than `go_json::MAX_VALUES` (a tree of tiny values costs
/// forty times its bytes once built): both are refused before decoding.
#[tokio::test]
async fn anonymous_and_value_heavy_bodies_are_bounded() {
    let app = spawn_app().await;
    let alice = crate::client::Client::new(&app, "alice").await;
    let big_login = json!({"login_id": "alice", "password": "x".repeat(70 * 1024)});
    let (status, body, _) = crate::client::request(
        &app,
        None,
        Method::POST,
        "/api/v4/users/login",
        Some(big_login),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let many: Vec<Value> = (0..100_001).map(|_| json!([0])).collect();
    let (status, body) = alice
        .call(Method::POST, "/api/v4/users/ids", Some(Value::Array(many)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("more than 100000 values"),
        "{body}"
    );
}
