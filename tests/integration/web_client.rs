//! The browser client as the server serves it: pages, assets, the plugins'
//! web bundles, the client config, and the teams a newcomer lands in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, assert_error, request, team_with};
use crate::helpers::spawn_app;

async fn get(app: &crate::helpers::TestApp, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn pages_get_the_client_and_the_api_keeps_its_404s() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/login",
        "/ops/channels/town-square",
        "/playbooks/runs/abc",
        "/ops/pl/xyz",
    ] {
        let resp = get(&app, path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let headers = resp.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(headers["cache-control"], "no-cache");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("<div id=\"root\">"), "{path}: {body}");
    }
    // The page's script is served, cached for good (its name has a hash).
    let index = get(&app, "/").await.text().await.unwrap();
    let script = index
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("index.html names its script");
    assert!(script.starts_with("/static/assets/"), "{script}");
    let resp = get(&app, script).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // Gzipped for browsers that ask.
    let plain = resp.bytes().await.unwrap().len();
    let gzipped = app
        .http
        .get(app.url(script))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let wire = gzipped.bytes().await.unwrap().len();
    assert!(wire * 2 < plain, "gzip: {wire} bytes of {plain}");

    // API, plugin and asset misses stay Mattermost 404 bodies, never HTML.
    for path in [
        "/api/v4/nope",
        "/static/assets/missing.js",
        "/static/index.html",
        "/hooks/",
    ] {
        let (status, body, _) = request(&app, None, Method::GET, path, None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "Sorry");
    }
    let (status, body, _) = request(&app, None, Method::POST, "/ops/channels/x", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "Sorry");
}

#[tokio::test]
async fn plugin_web_bundles_load_from_content_hashed_urls() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let (status, body, _) = request(&app, None, Method::GET, "/api/v4/plugins/webapp", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "");
    let manifests = alice.get_ok("/api/v4/plugins/webapp").await;
    let playbooks = manifests
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "playbooks")
        .expect("the playbooks plugin has a web bundle");
    let url = playbooks["webapp"]["bundle_path"].as_str().unwrap();
    let file = url
        .strip_prefix("/static/plugins/playbooks/playbooks_")
        .and_then(|rest| rest.strip_suffix("_bundle.js"))
        .unwrap_or_else(|| panic!("Mattermost's bundle URL shape: {url}"));
    assert_eq!(file.len(), 16, "{url}");

    let resp = get(&app, url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let served = resp.bytes().await.unwrap();
    let on_disk =
        std::fs::read(crate::helpers::bundle("playbooks").join("webapp/dist/main.js")).unwrap();
    assert_eq!(served.as_ref(), on_disk.as_slice());
    let text = String::from_utf8_lossy(&served);
    assert!(
        text.contains("registerPlugin"),
        "the bundle registers itself"
    );

    // An older hash still gets today's bundle, uncached; strangers get 404.
    let resp = get(
        &app,
        "/static/plugins/playbooks/playbooks_0000000000000000_bundle.js",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    for path in [
        "/static/plugins/playbooks/other.js",
        "/static/plugins/nope/nope_0_bundle.js",
    ] {
        let (status, body, _) = request(&app, None, Method::GET, path, None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "Sorry");
    }

    // A disabled plugin's bundle is not offered.
    alice
        .expect(
            StatusCode::OK,
            Method::POST,
            "/api/v4/plugins/playbooks/disable",
            None,
        )
        .await;
    let manifests = alice.get_ok("/api/v4/plugins/webapp").await;
    assert_eq!(manifests, json!([]));
    assert_eq!(get(&app, url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_client_config_says_when_the_server_has_no_accounts() {
    let app = spawn_app().await;
    let config = |app| async move {
        let (status, body, _) = request(
            app,
            None,
            Method::GET,
            "/api/v4/config/client?format=old",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    };
    let first: Value = config(&app).await;
    assert_eq!(first["NoAccounts"], "true");
    assert!(first["Version"].is_string());
    Client::new(&app, "alice").await;
    assert_eq!(config(&app).await["NoAccounts"], "false");
}

#[tokio::test]
async fn teams_start_with_town_square_and_off_topic_and_newcomers_join_them() {
    let app = spawn_app().await;
    let alice = Client::new(&app, "alice").await;
    let bob = Client::new(&app, "bob").await;
    let team = team_with(&alice, "ops", &[&bob]).await;
    for who in [&alice, &bob] {
        let channels = who
            .get_ok(&format!("/api/v4/users/me/teams/{team}/channels"))
            .await;
        let mut names: Vec<&str> = channels
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["off-topic", "town-square"]);
    }
    let square = alice
        .get_ok(&format!("/api/v4/teams/{team}/channels/name/town-square"))
        .await;
    assert_eq!(square["display_name"], "Town Square");
    assert_eq!(square["type"], "O");

    // Names the client's own pages use are refused, naming the field.
    for name in ["playbooks", "login", "api"] {
        let (status, body) = alice
            .call(
                Method::POST,
                "/api/v4/teams",
                Some(json!({"name": name, "display_name": "X", "type": "O"})),
            )
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "name:");
    }
}
