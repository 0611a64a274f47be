//! Command line: `host-shim serve --addr 127.0.0.1:8065 --data-dir ./data`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::services::passwords::PasswordPoolConfig;
use crate::services::throttle::{Limit, ThrottleConfig};
use crate::startup::{ServerConfig, millis, parse_hosts, serve};

#[derive(Debug, Parser)]
#[command(
    name = "host-shim",
    version,
    about = "Mattermost-compatible chat server with wasm plugins"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the chat server.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HOST_SHIM_ADDR", default_value = "127.0.0.1:8065")]
    pub addr: SocketAddr,
    /// Where the database, installed plugins and caches live.
    #[arg(long, env = "HOST_SHIM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Longest a plugin hook may run, in milliseconds.
    #[arg(long, env = "HOST_SHIM_HOOK_DEADLINE_MS", default_value_t = 2000)]
    pub hook_deadline_ms: u64,
    /// Memory cap per plugin instance, in MiB.
    #[arg(long, env = "HOST_SHIM_PLUGIN_MEMORY_MIB", default_value_t = 64)]
    pub plugin_memory_mib: usize,
    /// Internal hosts (loopback/private) plugins may send webhooks to,
    /// comma-separated. Public hosts are always allowed.
    #[arg(long, env = "HOST_SHIM_WEBHOOK_ALLOWED_HOSTS", default_value = "")]
    pub webhook_allowed_hosts: String,
    /// Let anyone create an account (the first account, the admin, always
    /// can; admins can always create accounts).
    #[arg(long, env = "HOST_SHIM_OPEN_SIGNUP", default_value_t = true, action = clap::ArgAction::Set)]
    pub open_signup: bool,
    /// Where compiled plugin components are cached (default:
    /// `<data-dir>/cache/components`). Servers may share one.
    #[arg(long, env = "HOST_SHIM_COMPONENT_CACHE_DIR")]
    pub component_cache_dir: Option<PathBuf>,
    /// Passwords hashed or checked at once (each holds 19 MiB while it
    /// runs); default: one per core.
    #[arg(long, env = "HOST_SHIM_PASSWORD_HASH_THREADS")]
    pub password_hash_threads: Option<usize>,
    /// Password checks that may wait for a hashing thread; more are refused
    /// with 503 at once.
    #[arg(long, env = "HOST_SHIM_PASSWORD_HASH_QUEUE", default_value_t = PasswordPoolConfig::default().queue)]
    pub password_hash_queue: usize,
    /// Login attempts per client address: BURST/PER_MINUTE, or off.
    #[arg(long, env = "HOST_SHIM_LOGIN_LIMIT_PER_ADDRESS", default_value_t = ThrottleConfig::default().login_per_address)]
    pub login_limit_per_address: Limit,
    /// Login attempts per account (username or email): BURST/PER_MINUTE, or
    /// off.
    #[arg(long, env = "HOST_SHIM_LOGIN_LIMIT_PER_ACCOUNT", default_value_t = ThrottleConfig::default().login_per_account)]
    pub login_limit_per_account: Limit,
    /// Sign-ups per client address (admins creating accounts are not
    /// limited): BURST/PER_MINUTE, or off.
    #[arg(long, env = "HOST_SHIM_SIGNUP_LIMIT_PER_ADDRESS", default_value_t = ThrottleConfig::default().signup_per_address)]
    pub signup_limit_per_address: Limit,
    /// Post and file searches per user: BURST/PER_MINUTE, or off.
    #[arg(long, env = "HOST_SHIM_SEARCH_LIMIT_PER_USER", default_value_t = ThrottleConfig::default().search_per_user)]
    pub search_limit_per_user: Limit,
    /// Largest file a user may upload, in bytes (Mattermost's
    /// `MaxFileSize`; 413 beyond it).
    #[arg(long, env = "HOST_SHIM_MAX_FILE_SIZE", default_value_t = crate::services::files::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Largest one plugin's own SQL database may grow, in bytes; writes
    /// beyond it fail with "database: full".
    #[arg(long, env = "HOST_SHIM_PLUGIN_DB_MAX_BYTES", default_value_t = chat_store::sqlite::DEFAULT_MAX_DB_BYTES)]
    pub plugin_db_max_bytes: u64,
    /// Longest a plugin's `activate` may run, in milliseconds (it may
    /// migrate the plugin's data).
    #[arg(
        long,
        env = "HOST_SHIM_ACTIVATE_DEADLINE_MS",
        default_value_t = 120_000
    )]
    pub activate_deadline_ms: u64,
}

impl ServeArgs {
    pub fn config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.addr, self.data_dir.clone());
        config.sandbox.hook_deadline = millis(self.hook_deadline_ms.max(1));
        config.sandbox.memory_limit_bytes = self.plugin_memory_mib.max(1) * 1024 * 1024;
        config.webhooks.allowed_internal_hosts = parse_hosts(&self.webhook_allowed_hosts);
        config.open_signup = self.open_signup;
        if let Some(threads) = self.password_hash_threads {
            config.accounts.passwords.threads = threads.max(1);
        }
        config.accounts.passwords.queue = self.password_hash_queue;
        config.accounts.throttle = ThrottleConfig {
            login_per_address: self.login_limit_per_address,
            login_per_account: self.login_limit_per_account,
            signup_per_address: self.signup_limit_per_address,
            search_per_user: self.search_limit_per_user,
        };
        config.files.max_file_size = self.max_file_size.max(1);
        config.plugin_db_max_bytes = self.plugin_db_max_bytes;
        config.sandbox.activate_deadline = millis(self.activate_deadline_ms.max(1));
        config
            .component_cache_dir
            .clone_from(&self.component_cache_dir);
        config
    }
}

/// Runs the parsed command until it ends (ctrl-c for `serve`).
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let server = serve(&args.config()).await?;
            tracing::info!(addr = %server.addr, data_dir = %args.data_dir.display(), "serving");
            println!("host-shim listening on http://{}", server.addr);
            if !crate::server::has_web_client() {
                println!("(built without the web client: `cargo xtask build` adds it)");
            }
            tokio::select! {
                result = server.task => { result??; }
                _ = tokio::signal::ctrl_c() => { tracing::info!("shutting down"); }
            }
            Ok(())
        }
    }
}
