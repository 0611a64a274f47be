//! The shared wasmtime engine: configuration, the epoch ticker that enforces
//! hook deadlines, and the on-disk cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

use super::bindings::{v0_1, v0_2};
use super::state::HostState;

/// How often the epoch advances. Deadlines are rounded up to this.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Sandbox limits applied to every plugin instance.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Longest a single hook call may run before it is interrupted.
    pub hook_deadline: Duration,
    /// Most memory one plugin instance may hold: all of its linear memories
    /// and tables together (`state::MemoryCap`). A plugin route's body limit
    /// and a host call's result budget are fractions of it.
    pub memory_limit_bytes: usize,
    /// Most instances of one plugin alive at once (concurrent hook calls).
    pub max_instances_per_plugin: usize,
    /// Longest `activate` may run: a plugin migrates its data there
    /// (the playbooks plugin imports its KV records into tables once), and
    /// activation is the server's own call, never a user's.
    pub activate_deadline: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            hook_deadline: Duration::from_secs(2),
            memory_limit_bytes: 64 * 1024 * 1024,
            max_instances_per_plugin: 8,
            activate_deadline: Duration::from_secs(120),
        }
    }
}

impl SandboxConfig {
    /// The hook deadline in epoch ticks, at least one.
    pub fn deadline_ticks(&self) -> u64 {
        Self::ticks(self.hook_deadline)
    }

    /// `deadline` in epoch ticks, at least one.
    pub fn ticks(deadline: Duration) -> u64 {
        let ticks = deadline.as_millis().div_ceil(EPOCH_TICK.as_millis());
        (ticks as u64).max(1)
    }
}

/// One engine for the whole server, plus the linker with every host import.
pub struct PluginRuntime {
    pub engine: Engine,
    pub linker: Linker<HostState>,
    pub sandbox: SandboxConfig,
    cache_dir: PathBuf,
    ticker_stop: Arc<AtomicBool>,
}

impl PluginRuntime {
    pub fn new(sandbox: SandboxConfig, cache_dir: PathBuf) -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        // Every contract version the host runs, side by side: their
        // interfaces have versioned names, so they never collide.
        v0_2::ChatPlugin::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
            &mut linker,
            |state| state,
        )?;
        v0_1::ChatPlugin::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
            &mut linker,
            |state| state,
        )?;
        std::fs::create_dir_all(&cache_dir)
            .with_context(|| format!("creating cache dir {}", cache_dir.display()))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), ticker_stop.clone());
        Ok(Self {
            engine,
            linker,
            sandbox,
            cache_dir,
            ticker_stop,
        })
    }

    /// Compiles a component, or loads it from the cache when this exact
    /// component was compiled before by this exact engine build.
    pub fn load_component(&self, wasm: &[u8]) -> anyhow::Result<Component> {
        let path = self.cache_path(wasm);
        if path.exists() {
            // SAFETY: files in the cache dir are only written by
            // `store_in_cache` below from `Engine::precompile_component` of
            // an engine with the same compatibility hash (it is part of the
            // file name), and the data dir is private to this server.
            match unsafe { Component::deserialize_file(&self.engine, &path) } {
                Ok(component) => return Ok(component),
                Err(err) => {
                    tracing::warn!(%err, path = %path.display(), "stale component cache entry; recompiling")
                }
            }
        }
        let compiled = self
            .engine
            .precompile_component(wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the component")?;
        if let Err(err) = store_in_cache(&path, &compiled) {
            tracing::warn!(%err, "could not write the component cache");
        }
        // SAFETY: `compiled` was produced just above by this engine.
        unsafe { Component::deserialize(&self.engine, &compiled) }.map_err(Into::into)
    }

    /// `<cache>/<sha256(component)>-<engine compatibility hash>.cwasm`.
    pub fn cache_path(&self, wasm: &[u8]) -> PathBuf {
        let digest = hex::encode(Sha256::digest(wasm));
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        self.cache_dir
            .join(format!("{digest}-{:016x}.cwasm", hasher.finish()))
    }
}

impl Drop for PluginRuntime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn store_in_cache(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Unique per writer: several threads or processes may fill the same entry.
    let tmp = path.with_extension(format!("tmp-{}", crate::model::new_id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until stopped. A store
/// whose deadline (in ticks) passes traps with `Trap::Interrupt`.
fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
    if let Err(err) = spawned {
        tracing::error!(%err, "cannot start the epoch ticker: hook deadlines are not enforced");
    }
}
