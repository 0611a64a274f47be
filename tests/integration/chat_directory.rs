//! What the chat client's pickers and settings need, over real HTTP: user
//! lists, autocomplete and search (scopes checked, users who share nothing
//! with the caller hidden, emails hidden), team lists and members, and
//! channel patch.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, assert_error, channel_with, request, team_with};
use crate::helpers::spawn_app;

fn usernames(users: &Value) -> Vec<String> {
    users
        .as_array()
        .unwrap_or_else(|| panic!("an array of users: {users}"))
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect()
}

/// alice (admin), bob and carol in team ops; alice and bob in channel
/// incidents; dave in no team.
struct World<'a> {
    alice: Client<'a>,
    bob: Client<'a>,
    carol: Client<'a>,
    dave: Client<'a>,
    team: String,
    channel: String,
}

async fn world(app: &crate::helpers::TestApp) -> World<'_> {
    let alice = Client::new(app, "alice").await;
    let bob = Client::new(app, "bob").await;
    let carol = Client::new(app, "carol").await;
    let dave = Client::new(app, "dave").await;
    let team = team_with(&alice, "ops", &[&bob, &carol]).await;
    let channel = channel_with(&alice, &team, "incidents", "O", &[&bob]).await;
    World {
        alice,
        bob,
        carol,
        dave,
        team,
        channel,
    }
}

#[tokio::test]
async fn user_lists_are_scoped_sorted_and_sanitised() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (team, channel) = (&w.team, &w.channel);

    // Non-admins see who shares a team or channel with them.
    let all = w.bob.get_ok("/api/v4/users").await;
    assert_eq!(usernames(&all), ["alice", "bob", "carol"]);
    for user in all.as_array().unwrap() {
        let own = user["username"] == "bob";
        assert_eq!(user["email"] != "", own, "emails of others hidden: {user}");
        assert!(user.get("password").is_none());
    }
    let everyone = w.alice.get_ok("/api/v4/users?per_page=200").await;
    let names = usernames(&everyone);
    assert!(
        names.contains(&"dave".to_string()),
        "admins see all: {names:?}"
    );
    assert!(
        everyone
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["email"] != ""),
        "admins see emails"
    );
    assert_eq!(usernames(&w.dave.get_ok("/api/v4/users").await), ["dave"]);

    // Scopes.
    let in_channel = w
        .carol
        .get_ok(&format!(
            "/api/v4/users?in_channel={channel}&page=0&per_page=60&sort="
        ))
        .await;
    assert_eq!(usernames(&in_channel), ["alice", "bob"]);
    let not_in = w
        .bob
        .get_ok(&format!(
            "/api/v4/users?in_team={team}&not_in_channel={channel}"
        ))
        .await;
    assert_eq!(usernames(&not_in), ["carol"]);
    let page = w
        .bob
        .get_ok(&format!("/api/v4/users?in_team={team}&page=1&per_page=1"))
        .await;
    assert_eq!(usernames(&page), ["bob"]);
    let active = w
        .bob
        .get_ok(&format!("/api/v4/users?in_team={team}&active=true"))
        .await;
    assert_eq!(usernames(&active), ["alice", "bob", "carol"]);

    // Who may ask.
    let (status, body, _) = request(&app, None, Method::GET, "/api/v4/users", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
    let (status, body) = w.dave.get(&format!("/api/v4/users?in_team={team}")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let secret = channel_with(&w.alice, team, "secret", "P", &[]).await;
    let (status, body) = w
        .bob
        .get(&format!("/api/v4/users?in_channel={secret}"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = w
        .bob
        .get(&format!(
            "/api/v4/users?in_team={team}&not_in_channel={secret}"
        ))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = w.bob.get("/api/v4/users?per_page=many").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "");
}

async fn auto(who: &Client<'_>, query: String) -> Value {
    let path = format!("/api/v4/users/autocomplete?{query}");
    who.get_ok(&path).await
}

async fn search(who: &Client<'_>, body: Value) -> (StatusCode, Value) {
    who.call(Method::POST, "/api/v4/users/search", Some(body))
        .await
}

#[tokio::test]
async fn autocomplete_and_search_match_name_prefixes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (team, channel) = (&w.team, &w.channel);
    // carol gets a first name and a nickname to match on.
    let chat = &app.state.services.chat;
    let mut carol = chat.user(&w.carol.id).unwrap().unwrap();
    carol.first_name = "Zoe".into();
    carol.nickname = "Firefighter".into();
    chat.update_user(&carol).unwrap();

    // In a channel: members, and the team's others separately.
    let found = auto(&w.bob, format!("in_team={team}&in_channel={channel}&name=")).await;
    assert_eq!(usernames(&found["users"]), ["alice", "bob"]);
    assert_eq!(usernames(&found["out_of_channel"]), ["carol"]);
    let found = auto(
        &w.bob,
        format!("in_team={team}&in_channel={channel}&name=ZO"),
    )
    .await;
    assert!(usernames(&found["users"]).is_empty());
    assert_eq!(usernames(&found["out_of_channel"]), ["carol"], "first name");
    let found = auto(&w.bob, format!("in_channel={channel}&name=@b")).await;
    assert_eq!(
        usernames(&found["users"]),
        ["bob"],
        "a leading @ is ignored"
    );
    // In a team; everywhere.
    let found = auto(&w.bob, format!("in_team={team}&name=fire")).await;
    assert_eq!(usernames(&found["users"]), ["carol"], "nickname");
    assert_eq!(found["out_of_channel"], json!([]));
    let found = auto(&w.dave, "name=".into()).await;
    assert_eq!(usernames(&found["users"]), ["dave"], "dave shares nothing");
    let found = auto(&w.alice, "name=d&limit=5".into()).await;
    assert_eq!(usernames(&found["users"]), ["dave"], "admins find anyone");
    let found = auto(&w.bob, format!("in_team={team}&name=&limit=1")).await;
    assert_eq!(usernames(&found["users"]), ["alice"]);
    // Bots are users too.
    let bot_id = app
        .state
        .services
        .ensure_plugin_bot("directory-test", "helperbot", "Helper", "")
        .unwrap();
    let found = auto(&w.alice, "name=helper".into()).await;
    assert_eq!(found["users"][0]["id"], bot_id.as_str(), "{found}");
    assert_eq!(found["users"][0]["is_bot"], true);
    // Who may ask.
    let (status, body) = w
        .dave
        .get(&format!("/api/v4/users/autocomplete?in_team={team}&name=a"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body, _) = request(
        &app,
        None,
        Method::GET,
        "/api/v4/users/autocomplete?name=a",
        None,
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");

    // Search: the same matching as one list.
    let (status, found) = search(&w.bob, json!({"term": "zoe", "team_id": team})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(usernames(&found), ["carol"]);
    assert_eq!(found[0]["email"], "", "emails hidden");
    let (_, found) = search(
        &w.bob,
        json!({"term": "a", "team_id": team, "not_in_channel_id": channel}),
    )
    .await;
    assert!(usernames(&found).is_empty(), "alice is in the channel");
    let (_, found) = search(&w.bob, json!({"term": "b", "in_channel_id": channel})).await;
    assert_eq!(usernames(&found), ["bob"]);
    // Deactivated users only with allow_inactive.
    carol.delete_at = 1;
    chat.update_user(&carol).unwrap();
    let (_, found) = search(&w.bob, json!({"term": "zoe"})).await;
    assert!(usernames(&found).is_empty());
    let (_, found) = search(&w.bob, json!({"term": "zoe", "allow_inactive": true})).await;
    assert_eq!(usernames(&found), ["carol"]);
    // Bad input and outsiders.
    let (status, body) = search(&w.bob, json!({"term": "  "})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "term");
    let (status, body) = search(&w.bob, json!({"term": 5})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "");
    let (status, body) = search(&w.dave, json!({"term": "a", "team_id": team})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body, _) = request(
        &app,
        None,
        Method::POST,
        "/api/v4/users/search",
        Some(json!({"term": "a"})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
}

#[tokio::test]
async fn teams_list_open_and_own_and_show_members_to_members() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let invite = w
        .alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "board", "display_name": "Board", "type": "I"})),
        )
        .await;
    let invite_id = invite["id"].as_str().unwrap();
    w.alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "hidden", "display_name": "Hidden", "type": "I"})),
        )
        .await;
    w.alice
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/teams/{invite_id}/members"),
            Some(json!({"team_id": invite_id, "user_id": w.bob.id})),
        )
        .await;
    let names = |teams: &Value| -> Vec<String> {
        teams
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let listed = w.bob.get_ok("/api/v4/teams").await;
    assert_eq!(
        names(&listed),
        ["board", "ops"],
        "open, and invite-only ones bob is in"
    );
    let listed = w
        .dave
        .get_ok("/api/v4/teams?page=0&per_page=60&include_total_count=false")
        .await;
    assert_eq!(names(&listed), ["ops"]);
    let listed = w.alice.get_ok("/api/v4/teams").await;
    assert_eq!(names(&listed), ["board", "hidden", "ops"], "admins see all");
    let listed = w.alice.get_ok("/api/v4/teams?page=1&per_page=1").await;
    assert_eq!(names(&listed), ["hidden"]);
    let (status, body, _) = request(&app, None, Method::GET, "/api/v4/teams", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");

    // Members of a team, for its members.
    let path = format!("/api/v4/teams/{}/members", w.team);
    let members = w.carol.get_ok(&path).await;
    let members = members.as_array().unwrap();
    let ids: Vec<&str> = members
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [w.alice.id.as_str(), &w.bob.id, &w.carol.id],
        "by username"
    );
    assert_eq!(
        members[0]["scheme_admin"], true,
        "the creator is a team admin"
    );
    assert_eq!(members[1]["scheme_admin"], false);
    assert_eq!(members[1]["scheme_user"], true);
    assert_eq!(members[1]["team_id"], w.team.as_str());
    let (status, body) = w.dave.get(&path).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body, _) = request(&app, None, Method::GET, &path, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
}

#[tokio::test]
async fn channel_patch_checks_members_limits_and_tells_members() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let path = format!("/api/v4/channels/{}/patch", w.channel);
    let mut bob_socket = w.bob.socket().await;
    bob_socket.next_event("hello").await;

    let patched = w
        .bob
        .expect(
            StatusCode::OK,
            Method::PUT,
            &path,
            Some(json!({"header": "Sev 2: db", "purpose": "Incident work"})),
        )
        .await;
    assert_eq!(
        (
            patched["header"].as_str(),
            patched["purpose"].as_str(),
            patched["display_name"].as_str()
        ),
        (Some("Sev 2: db"), Some("Incident work"), Some("incidents")),
        "only the given fields change"
    );
    assert_eq!(patched["id"], w.channel.as_str());
    let event = bob_socket.next_event("channel_updated").await;
    let sent: Value = serde_json::from_str(
        event["data"]["channel"]
            .as_str()
            .expect("channel_updated.data.channel is a JSON string"),
    )
    .unwrap();
    assert_eq!(sent["header"], "Sev 2: db");
    assert_eq!(event["broadcast"]["channel_id"], w.channel.as_str());
    let patched = w
        .bob
        .expect(
            StatusCode::OK,
            Method::PUT,
            &path,
            Some(json!({"display_name": "  Incidents  "})),
        )
        .await;
    assert_eq!(patched["display_name"], "Incidents");
    assert_eq!(patched["header"], "Sev 2: db");
    let stored = w
        .carol
        .get_ok(&format!("/api/v4/channels/{}", w.channel))
        .await;
    assert_eq!(stored["display_name"], "Incidents");

    // Limits, naming the field.
    for (body, field) in [
        (json!({"display_name": " "}), "display_name"),
        (json!({"display_name": "x".repeat(65)}), "display_name"),
        (json!({"header": "h".repeat(1025)}), "header"),
        (json!({"purpose": "p".repeat(251)}), "purpose"),
    ] {
        let (status, answer) = w.bob.call(Method::PUT, &path, Some(body)).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, field);
    }
    w.bob
        .expect(
            StatusCode::OK,
            Method::PUT,
            &path,
            Some(json!({"header": "é".repeat(1024), "purpose": "p".repeat(250)})),
        )
        .await;
    let (status, answer) = w
        .bob
        .call(Method::PUT, &path, Some(json!({"header": ["not text"]})))
        .await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "");

    // Members and admins only; never an archived channel.
    let (status, answer) = w
        .carol
        .call(Method::PUT, &path, Some(json!({"header": "x"})))
        .await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "");
    let (status, answer) = w
        .dave
        .call(Method::PUT, &path, Some(json!({"header": "x"})))
        .await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "");
    let (status, answer, _) =
        request(&app, None, Method::PUT, &path, Some(json!({"header": "x"}))).await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, "");
    let (status, answer) = w
        .bob
        .call(
            Method::PUT,
            "/api/v4/channels/nosuchchannel/patch",
            Some(json!({})),
        )
        .await;
    assert_error(status, &answer, StatusCode::NOT_FOUND, "");
    let other = channel_with(&w.bob, &w.team, "bobs", "P", &[]).await;
    let patched = w
        .alice
        .expect(
            StatusCode::OK,
            Method::PUT,
            &format!("/api/v4/channels/{other}/patch"),
            Some(json!({"header": "by an admin"})),
        )
        .await;
    assert_eq!(patched["header"], "by an admin");
    w.alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{}", w.channel),
            None,
        )
        .await;
    let (status, answer) = w
        .bob
        .call(Method::PUT, &path, Some(json!({"header": "x"})))
        .await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "channel_id");
}
