//! A loaded plugin: its pre-linked component, a pool of instances, and its
//! health record.
//!
//! Each hook call borrows one instance (its own `Store`), arms the epoch
//! deadline, and runs. A trap poisons that store, so the instance is dropped
//! and the next call instantiates a fresh one: other instances and the server
//! are unaffected. Failures are counted; too many disable the plugin.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Store;

use super::bindings::{ChatPlugin, ChatPluginPre};
use super::engine::PluginRuntime;
use super::state::{HostState, MemoryCap, SharedSettings};
use crate::services::Services;

/// Mattermost's health-check policy: this many failures...
pub const MAX_FAILURES: usize = 3;
/// ...within this window disable the plugin.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60 * 60);

/// Why a hook call failed on the host side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error("plugin {plugin} trapped in {hook}: {kind}: {message}")]
    Trapped {
        plugin: String,
        hook: String,
        kind: TrapKind,
        message: String,
    },
    #[error("plugin {0} is disabled after repeated failures")]
    Disabled(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    /// Ran past the hook deadline.
    Deadline,
    /// Tried to grow memory past the cap.
    MemoryLimit,
    /// The guest panicked.
    Panic,
    /// Any other trap or instantiation failure.
    Other,
}

impl std::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TrapKind::Deadline => "deadline exceeded",
            TrapKind::MemoryLimit => "memory limit exceeded",
            TrapKind::Panic => "panic",
            TrapKind::Other => "trap",
        })
    }
}

struct Instance {
    store: Store<HostState>,
    bindings: ChatPlugin,
}

#[derive(Default)]
struct Health {
    failures: VecDeque<Instant>,
    disabled_reason: Option<String>,
}

pub struct LoadedPlugin {
    pub plugin_id: String,
    runtime: Arc<PluginRuntime>,
    pre: ChatPluginPre<HostState>,
    services: Arc<Services>,
    settings: SharedSettings,
    idle: Mutex<Vec<Instance>>,
    /// Instances alive (idle or in use), bounded by the sandbox config.
    alive: Mutex<usize>,
    freed: Condvar,
    health: Mutex<Health>,
}

impl LoadedPlugin {
    /// Links a compiled component against the host imports. Fails if the
    /// component needs an import the host does not provide.
    pub fn new(
        plugin_id: &str,
        runtime: Arc<PluginRuntime>,
        wasm: &[u8],
        services: Arc<Services>,
        settings: SharedSettings,
    ) -> anyhow::Result<Self> {
        let component = runtime.load_component(wasm)?;
        let instance_pre = runtime.linker.instantiate_pre(&component)?;
        let pre = ChatPluginPre::new(instance_pre)?;
        Ok(Self {
            plugin_id: plugin_id.to_string(),
            runtime,
            pre,
            services,
            settings,
            idle: Mutex::new(Vec::new()),
            alive: Mutex::new(0),
            freed: Condvar::new(),
            health: Mutex::new(Health::default()),
        })
    }

    /// Why the plugin was disabled by the health check, if it was.
    pub fn disabled_reason(&self) -> Option<String> {
        self.health
            .lock()
            .ok()
            .and_then(|h| h.disabled_reason.clone())
    }

    /// Failures counted in the current window.
    pub fn recent_failures(&self) -> usize {
        self.health.lock().map(|h| h.failures.len()).unwrap_or(0)
    }

    /// Runs one hook on a pooled instance. Blocking: call it from a blocking
    /// thread (`tokio::task::spawn_blocking`), never on the async runtime.
    pub fn call<R>(
        &self,
        hook: &str,
        f: impl FnOnce(&ChatPlugin, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, HookError> {
        if self.disabled_reason().is_some() {
            return Err(HookError::Disabled(self.plugin_id.clone()));
        }
        let mut instance = match self.checkout() {
            Ok(instance) => instance,
            Err(err) => return Err(self.record_failure(hook, TrapKind::Other, format!("{err:#}"))),
        };
        instance.store.data_mut().last_panic = None;
        instance
            .store
            .set_epoch_deadline(self.runtime.sandbox.deadline_ticks());
        let started = Instant::now();
        let result = f(&instance.bindings, &mut instance.store);
        tracing::trace!(plugin = %self.plugin_id, hook, elapsed = ?started.elapsed(), "hook returned");
        match result {
            Ok(value) => {
                self.checkin(instance);
                Ok(value)
            }
            Err(err) => {
                let kind = classify(&err, instance.store.data());
                let message = instance
                    .store
                    .data()
                    .last_panic
                    .clone()
                    .unwrap_or_else(|| format!("{err:#}"));
                // The store may be in any state after a trap: drop it.
                drop(instance);
                self.release_slot();
                Err(self.record_failure(hook, kind, message))
            }
        }
    }

    fn checkout(&self) -> anyhow::Result<Instance> {
        if let Some(instance) = self
            .idle
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .pop()
        {
            return Ok(instance);
        }
        {
            let mut alive = self.alive.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            while *alive >= self.runtime.sandbox.max_instances_per_plugin {
                // All instances busy: wait for one to come back (or die).
                alive = self
                    .freed
                    .wait(alive)
                    .map_err(|_| anyhow::anyhow!("poisoned"))?;
                if let Some(instance) = self
                    .idle
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?
                    .pop()
                {
                    return Ok(instance);
                }
            }
            *alive += 1;
        }
        self.instantiate().inspect_err(|_| self.release_slot())
    }

    fn instantiate(&self) -> anyhow::Result<Instance> {
        let state = HostState {
            plugin_id: self.plugin_id.clone(),
            services: self.services.clone(),
            settings: self.settings.clone(),
            memory: MemoryCap {
                limit_bytes: self.runtime.sandbox.memory_limit_bytes,
                exceeded: false,
            },
            last_panic: None,
        };
        let mut store = Store::new(&self.runtime.engine, state);
        store.limiter(|state| &mut state.memory);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(self.runtime.sandbox.deadline_ticks());
        let bindings = self.pre.instantiate(&mut store)?;
        Ok(Instance { store, bindings })
    }

    fn checkin(&self, instance: Instance) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(instance);
        }
        self.freed.notify_one();
    }

    fn release_slot(&self) {
        if let Ok(mut alive) = self.alive.lock() {
            *alive = alive.saturating_sub(1);
        }
        self.freed.notify_one();
    }

    fn record_failure(&self, hook: &str, kind: TrapKind, message: String) -> HookError {
        tracing::error!(plugin = %self.plugin_id, hook, %kind, %message, "plugin hook failed");
        if let Ok(mut health) = self.health.lock() {
            let now = Instant::now();
            health.failures.push_back(now);
            while health
                .failures
                .front()
                .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
            {
                health.failures.pop_front();
            }
            if health.failures.len() >= MAX_FAILURES && health.disabled_reason.is_none() {
                let reason = format!(
                    "{MAX_FAILURES} failures within {} minutes; last: {kind} in {hook}: {message}",
                    FAILURE_WINDOW.as_secs() / 60
                );
                tracing::error!(plugin = %self.plugin_id, %reason, "plugin disabled by the health check");
                health.disabled_reason = Some(reason);
            }
        }
        HookError::Trapped {
            plugin: self.plugin_id.clone(),
            hook: hook.to_string(),
            kind,
            message,
        }
    }
}

fn classify(err: &wasmtime::Error, state: &HostState) -> TrapKind {
    if state.memory.exceeded {
        return TrapKind::MemoryLimit;
    }
    match err.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::Interrupt) => TrapKind::Deadline,
        Some(_) if state.last_panic.is_some() => TrapKind::Panic,
        _ => TrapKind::Other,
    }
}
