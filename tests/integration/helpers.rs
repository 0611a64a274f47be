//! Test helpers: spawn a server on a random port over a temporary data dir,
//! seed chat data, locate the built plugin bundles.

use std::path::{Path, PathBuf};
use std::time::Duration;

use host_shim::model::{Channel, Team, User, new_id, now_ms};
use host_shim::server::AppState;
use host_shim::startup::{ServerConfig, serve};

/// Where `cargo xtask build-plugins` puts the bundles.
pub fn bundles_dir() -> PathBuf {
    std::env::var_os("HOST_SHIM_TEST_BUNDLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bundles"))
}

/// The bundle directory of a built plugin; fails loudly when missing.
pub fn bundle(id: &str) -> PathBuf {
    let dir = bundles_dir().join(id);
    assert!(
        dir.join("manifest.json").exists(),
        "bundle {} is missing: run `cargo xtask build-plugins` first (the README test command does)",
        dir.display()
    );
    dir
}

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub state: AppState,
    pub http: reqwest::Client,
    /// Keeps the data dir alive for the test.
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// A server with default settings and the playbooks plugin installed.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server with adjusted settings; the playbooks bundle from the build is
/// installed and enabled.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        dir.path().to_path_buf(),
    );
    // Tests share one component cache, as a long-running server would: each
    // component is compiled once per test run, not once per test.
    config.component_cache_dir = Some(bundles_dir().join("../test-component-cache"));
    adjust(&mut config);
    let server = serve(&config).await.expect("server starts");
    let plugins = server.state.plugins.clone();
    let playbooks = bundle("playbooks");
    tokio::task::spawn_blocking(move || plugins.install_dir(&playbooks, true))
        .await
        .expect("join")
        .expect("playbooks bundle installs");
    TestApp {
        addr: server.addr,
        state: server.state,
        http: reqwest::Client::new(),
        dir,
    }
}

/// Installs a built bundle (by id) into a running app.
pub async fn install(app: &TestApp, id: &str) {
    let plugins = app.state.plugins.clone();
    let dir = bundle(id);
    tokio::task::spawn_blocking(move || plugins.install_dir(&dir, true))
        .await
        .expect("join")
        .expect("bundle installs");
}

pub struct Seed {
    pub admin: User,
    pub user: User,
    pub team: Team,
    pub channel: Channel,
}

pub fn make_user(app: &TestApp, username: &str, roles: &str) -> User {
    let now = now_ms();
    let user = User {
        id: new_id(),
        create_at: now,
        update_at: now,
        username: username.into(),
        email: format!("{username}@example.com"),
        roles: roles.into(),
        locale: "en".into(),
        ..Default::default()
    };
    app.state
        .services
        .chat
        .create_user(&user, None)
        .expect("user");
    user
}

/// An admin and a user in one team, both members of one open channel.
pub fn seed(app: &TestApp) -> Seed {
    let chat = &app.state.services.chat;
    let admin = make_user(app, "alice", "system_admin system_user");
    let user = make_user(app, "bob", "system_user");
    let team = Team {
        id: new_id(),
        create_at: now_ms(),
        name: "ops".into(),
        display_name: "Ops".into(),
        team_type: "O".into(),
        ..Default::default()
    };
    chat.create_team(&team).expect("team");
    for u in [&admin, &user] {
        chat.add_team_member(&team.id, &u.id, "team_user")
            .expect("team member");
    }
    let channel = app
        .state
        .services
        .create_channel(Channel {
            team_id: team.id.clone(),
            channel_type: "O".into(),
            name: "incidents".into(),
            display_name: "Incidents".into(),
            creator_id: admin.id.clone(),
            ..Default::default()
        })
        .expect("channel");
    app.state
        .services
        .add_channel_member(&channel.id, &user.id, None)
        .expect("member");
    Seed {
        admin,
        user,
        team,
        channel,
    }
}

/// Polls `check` until it returns `Some` or `timeout` passes.
pub async fn eventually<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Recursive copy of a bundle directory.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Signs up a user through the services (the first one becomes admin) and
/// returns a session token.
pub async fn log_in_new_user(app: &TestApp, username: &str) -> String {
    let services = app.state.services.clone();
    let username = username.to_string();
    tokio::task::spawn_blocking(move || {
        services
            .sign_up(host_shim::services::accounts::NewUser {
                username: username.clone(),
                email: format!("{username}@example.com"),
                password: "correct horse".into(),
                ..Default::default()
            })
            .expect("sign up");
        services
            .log_in(&username, "correct horse")
            .expect("log in")
            .1
    })
    .await
    .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Starts the real server binary on `data` and waits (up to 120 s) until
/// the playbooks plugin answers. Returns the process and its base URL.
/// The component cache is the test run's, outside the data dir: a
/// component compiles once per run (slowly, in a debug build), and
/// compiled code never ends up in a data dir a test keeps.
pub async fn spawn_server_binary(data: &Path) -> (std::process::Child, String) {
    spawn_server_binary_until(data, "/plugins/playbooks/api/v0/version").await
}

/// [`spawn_server_binary`], ready once `ready_path` answers 2xx (the
/// plugin the test needs).
pub async fn spawn_server_binary_until(
    data: &Path,
    ready_path: &str,
) -> (std::process::Child, String) {
    let port = free_port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_host-shim"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .env("RUST_LOG", "warn")
        .env(
            "HOST_SHIM_COMPONENT_CACHE_DIR",
            bundles_dir().join("../test-component-cache"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("host-shim starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..2400 {
        if let Ok(r) = http.get(format!("{base}{ready_path}")).send().await
            && r.status().is_success()
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut child = child;
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not answer {ready_path} within 120 s");
}
