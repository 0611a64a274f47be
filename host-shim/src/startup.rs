//! Wiring: open the stores, start the runtime, the plugins and the HTTP
//! server. Used by `main` and by the integration tests (`spawn_app`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chat_store::local_blobs::LocalDiskBlobs;
use chat_store::sqlite::SqliteStore;
use chat_store::sqlite::{DEFAULT_MAX_DB_BYTES, SqlitePluginDatabases};

use crate::plugins::{PluginManager, spawn_hook_dispatcher, spawn_job_dispatcher};
use crate::runtime::{PluginRuntime, SandboxConfig};
use crate::server::{AppState, app};
use crate::services::accounts::AccountsConfig;
use crate::services::files::{FileService, FilesConfig};
use crate::services::{Services, WebhookPolicy, WebhookQueue};

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub sandbox: SandboxConfig,
    pub webhooks: WebhookPolicy,
    /// Where compiled components are cached; default `<data>/cache/components`.
    pub component_cache_dir: Option<PathBuf>,
    /// Whether anyone may sign up after the first account (admins always can).
    pub open_signup: bool,
    /// Password hashing pool and login/sign-up rate limits.
    pub accounts: AccountsConfig,
    /// Uploaded files: maximum size, image limits.
    pub files: FilesConfig,
    /// Largest one plugin's SQL database may grow (bytes).
    pub plugin_db_max_bytes: u64,
}

impl ServerConfig {
    /// Defaults for a data dir, listening on `addr`.
    pub fn new(addr: SocketAddr, data_dir: PathBuf) -> Self {
        Self {
            addr,
            data_dir,
            sandbox: SandboxConfig::default(),
            webhooks: WebhookPolicy::default(),
            component_cache_dir: None,
            open_signup: true,
            accounts: AccountsConfig::default(),
            files: FilesConfig::default(),
            plugin_db_max_bytes: DEFAULT_MAX_DB_BYTES,
        }
    }
}

/// A started server.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Builds everything but the listener. Must run inside a tokio runtime.
pub async fn build(config: &ServerConfig) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
    let db_path = config.data_dir.join("chat.db");
    let store = Arc::new(
        SqliteStore::open(&db_path).with_context(|| format!("opening {}", db_path.display()))?,
    );
    let files_dir = config.data_dir.join("files");
    let blobs = LocalDiskBlobs::open(&files_dir)
        .with_context(|| format!("opening {}", files_dir.display()))?;
    let files = Arc::new(FileService::new(
        store.clone(),
        Arc::new(blobs),
        config.files,
    ));
    let webhooks = WebhookQueue::start(config.webhooks.clone(), store.clone());
    let plugin_data = config.data_dir.join("plugin-data");
    let plugin_sql = Arc::new(
        SqlitePluginDatabases::open(&plugin_data, config.plugin_db_max_bytes)
            .with_context(|| format!("opening {}", plugin_data.display()))?,
    );
    let (services, hook_events) = Services::new(
        crate::services::Stores::all_in(store, plugin_sql),
        webhooks,
        config.accounts,
    );
    // No websocket is open yet: statuses the last run left online go offline.
    {
        let services = services.clone();
        tokio::task::spawn_blocking(move || services.reset_statuses()).await??;
    }
    crate::services::presence::spawn_status_sweeper(services.clone());
    let runtime = Arc::new(PluginRuntime::new(
        config.sandbox.clone(),
        config
            .component_cache_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("cache").join("components")),
    )?);
    let plugins = PluginManager::new(runtime, services.clone(), config.data_dir.join("plugins"))?;
    let starting = plugins.clone();
    tokio::task::spawn_blocking(move || starting.start()).await??;
    spawn_hook_dispatcher(plugins.clone(), hook_events);
    spawn_job_dispatcher(plugins.clone());
    Ok(AppState {
        services,
        plugins,
        files,
        open_signup: config.open_signup,
    })
}

/// Builds the server and starts serving HTTP on `config.addr`.
pub async fn serve(config: &ServerConfig) -> anyhow::Result<RunningServer> {
    let state = build(config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    let router = app(state.clone());
    // The peer address feeds the login and sign-up rate limits.
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move { axum::serve(listener, service).await });
    Ok(RunningServer { addr, state, task })
}

/// Parses a comma-separated host list.
pub fn parse_hosts(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}
