//! Installing, upgrading (hot reload), disabling and caching plugins.

use std::path::Path;

use serde_json::Value;

use crate::helpers::{bundle, copy_dir, spawn_app};

/// A copy of a built bundle with its manifest edited.
fn bundle_copy(id: &str, edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundle(id), dir.path());
    let path = dir.path().join("manifest.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, manifest.to_string()).unwrap();
    dir
}

async fn install_dir(
    app: &crate::helpers::TestApp,
    dir: &Path,
) -> anyhow::Result<host_shim::plugins::Manifest> {
    let plugins = app.state.plugins.clone();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || plugins.install_dir(&dir, true))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_version_is_swapped_in_without_losing_kv_data() {
    let app = spawn_app().await;
    app.state
        .services
        .kv
        .set("playbooks", "keep/me", b"precious")
        .unwrap();
    let upgraded = bundle_copy("playbooks", |m| m["version"] = "9.9.9".into());
    let manifest = install_dir(&app, upgraded.path())
        .await
        .expect("upgrade installs");
    assert_eq!(manifest.version, "9.9.9");

    let status = app
        .state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == "playbooks")
        .unwrap();
    assert_eq!((status.state, status.version.as_str()), (2, "9.9.9"));
    // The old version was told to stop, the new one started.
    assert!(
        app.state
            .services
            .kv
            .get("playbooks", "lifecycle/deactivated-at")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        app.state
            .services
            .kv
            .get("playbooks", "keep/me")
            .unwrap()
            .as_deref(),
        Some(&b"precious"[..])
    );
    let version: Value = app
        .http
        .get(app.url("/plugins/playbooks/api/v0/version"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version["id"], "playbooks");
}

#[tokio::test]
async fn a_bad_bundle_is_refused_with_a_clear_error_and_the_old_one_keeps_running() {
    let app = spawn_app().await;
    let bad_manifest = bundle_copy("playbooks", |m| {
        m["settings_schema"] = serde_json::json!({"settings": [{"key": "x", "type": "colour"}]})
    });
    let err = install_dir(&app, bad_manifest.path())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("settings_schema.settings[0].type"), "{err}");

    let bad_wasm = bundle_copy("playbooks", |m| m["version"] = "2.0.0".into());
    std::fs::write(
        bad_wasm.path().join("server/plugin.wasm"),
        b"\0asm not really",
    )
    .unwrap();
    let err = format!(
        "{:#}",
        install_dir(&app, bad_wasm.path()).await.unwrap_err()
    );
    assert!(err.contains("does not load"), "{err}");

    let status = app
        .state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == "playbooks")
        .unwrap();
    assert_eq!(status.state, 2);
    assert_ne!(status.version, "2.0.0");
}

#[tokio::test]
async fn admins_disable_enable_and_upload_plugins_over_http() {
    let app = spawn_app().await;
    let admin = crate::helpers::log_in_new_user(&app, "root1").await;
    let user = crate::helpers::log_in_new_user(&app, "user1").await;
    let http =
        |path: &str, token: &str| app.http.post(app.url(path)).bearer_auth(token.to_string());

    let denied = http("/api/v4/plugins/playbooks/disable", &user)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let ok = http("/api/v4/plugins/playbooks/disable", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let listed: Value = app
        .http
        .get(app.url("/api/v4/plugins"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"].as_array().unwrap().len(), 0);
    assert_eq!(listed["inactive"][0]["id"], "playbooks");
    let version = app.url("/plugins/playbooks/api/v0/version");
    assert_eq!(app.http.get(&version).send().await.unwrap().status(), 404);
    let missing = http("/api/v4/plugins/nosuch/enable", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let ok = http("/api/v4/plugins/playbooks/enable", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(app.http.get(&version).send().await.unwrap().status(), 200);

    // Upload a new version as a .tar.gz (files under a top-level directory,
    // as Mattermost bundles are packed).
    let upgraded = bundle_copy("playbooks", |m| m["version"] = "3.1.4".into());
    let mut archive = Vec::new();
    {
        let gz = flate2::write::GzEncoder::new(&mut archive, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.append_dir_all("playbooks", upgraded.path()).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let form = || {
        reqwest::multipart::Form::new().part(
            "plugin",
            reqwest::multipart::Part::bytes(archive.clone()).file_name("playbooks.tar.gz"),
        )
    };
    let refused = http("/api/v4/plugins", &admin)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400, "already installed without force");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("force"),
        "{body}"
    );
    let uploaded = http("/api/v4/plugins", &admin)
        .multipart(form().text("force", "true"))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let status = app
        .state
        .plugins
        .statuses()
        .into_iter()
        .find(|s| s.plugin_id == "playbooks")
        .unwrap();
    assert_eq!((status.state, status.version.as_str()), (2, "3.1.4"));
    let by_user = http("/api/v4/plugins", &user)
        .multipart(form().text("force", "true"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_user.status(), 403);
    let garbage = reqwest::multipart::Form::new().part(
        "plugin",
        reqwest::multipart::Part::bytes(b"not a tarball".to_vec()),
    );
    let bad = http("/api/v4/plugins", &admin)
        .multipart(garbage)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn compiled_components_are_cached_and_reused() {
    // Its own cache dir: this test corrupts an entry on purpose.
    let app = crate::helpers::spawn_app_with(|c| c.component_cache_dir = None).await;
    let wasm = std::fs::read(bundle("playbooks").join("server/plugin.wasm")).unwrap();
    let cache = app.dir.path().join("cache/components");
    let runtime =
        host_shim::runtime::PluginRuntime::new(Default::default(), cache.clone()).unwrap();
    let path = runtime.cache_path(&wasm);
    assert!(
        path.exists(),
        "the server cached its compilation at {}",
        path.display()
    );
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    runtime.load_component(&wasm).expect("loads from cache");
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before,
        "cache entry reused, not rewritten"
    );

    // A corrupt entry is recompiled, not trusted. (Replaced as a new file:
    // the running server has the old one memory-mapped.)
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, b"garbage").unwrap();
    runtime.load_component(&wasm).expect("recompiles");
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);
}
