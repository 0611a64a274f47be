//! A loaded plugin: its pre-linked component, a pool of instances, and its
//! health record.
//!
//! Each hook call borrows one instance (its own `Store`), arms the epoch
//! deadline, and runs. A trap poisons that store, so the instance is dropped
//! and the next call instantiates a fresh one: other instances and the server
//! are unaffected. Failures are counted per initiator; enough of them disable
//! the plugin ([`super::health`] has the rule).

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Store;

use super::engine::PluginRuntime;
use super::health::{Health, Initiator, Refusal};
use super::hooks::{Guest, GuestPre};
use super::state::{HostState, MemoryCap, SharedSettings};
use crate::services::Services;

pub use super::health::{FAILURE_WINDOW, MAX_STRIKES as MAX_FAILURES};

/// Why a hook call failed on the host side. The `Display` text is for the
/// server log and the admin's status API, never for an HTTP client: a trap's
/// message can carry the guest's panic text and a wasm backtrace.
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
    /// The caller made this plugin trap repeatedly and is refused for a
    /// while (the health check's throttle); the hook did not run.
    #[error(
        "plugin {plugin} refuses calls from this caller for {retry_after:?} after repeated failures"
    )]
    Throttled {
        plugin: String,
        retry_after: Duration,
    },
    /// The input is larger than the plugin accepts; the hook did not run.
    #[error("{hook} input for plugin {plugin} is larger than {limit} bytes")]
    TooLarge {
        plugin: String,
        hook: String,
        limit: usize,
    },
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
    bindings: Guest,
}

pub struct LoadedPlugin {
    pub plugin_id: String,
    runtime: Arc<PluginRuntime>,
    pre: GuestPre,
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
        let pre = GuestPre::new(&runtime.engine, &runtime.linker, &component)?;
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

    /// Linear memory and tables held by the idle instances (benchmarks:
    /// a plugin's memory should not grow with the data it serves).
    pub fn idle_instance_memory(&self) -> Vec<usize> {
        self.idle
            .lock()
            .map(|idle| {
                idle.iter()
                    .map(|i| i.store.data().memory.used_bytes())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The contract version the plugin was built against ("0.2.0").
    pub fn contract_version(&self) -> &'static str {
        self.pre.contract_version()
    }

    /// Why the plugin was disabled by the health check, if it was.
    pub fn disabled_reason(&self) -> Option<String> {
        self.health
            .lock()
            .ok()
            .and_then(|h| h.disabled_reason().map(str::to_string))
    }

    /// Strikes counted toward disabling in the current window.
    pub fn recent_failures(&self) -> usize {
        self.health.lock().map(|h| h.strikes()).unwrap_or(0)
    }

    /// Runs a hook the server itself initiated (lifecycle, chat events,
    /// jobs). See [`Self::call_as`].
    pub fn call<R>(
        &self,
        hook: &str,
        f: impl FnOnce(&Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, HookError> {
        self.call_as(hook, &Initiator::System, f)
    }

    /// Runs one hook on a pooled instance on behalf of `initiator`, who is
    /// charged with a trap (and may be refused while throttled). Blocking:
    /// call it from a blocking thread (`tokio::task::spawn_blocking`), never
    /// on the async runtime.
    pub fn call_as<R>(
        &self,
        hook: &str,
        initiator: &Initiator,
        f: impl FnOnce(&Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, HookError> {
        self.call_within(hook, initiator, self.runtime.sandbox.hook_deadline, f)
    }

    /// [`Self::call_as`] with its own deadline: `activate` may migrate the
    /// plugin's data and gets [`super::SandboxConfig::activate_deadline`].
    pub fn call_within<R>(
        &self,
        hook: &str,
        initiator: &Initiator,
        deadline: Duration,
        f: impl FnOnce(&Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, HookError> {
        let admitted = self
            .health
            .lock()
            .map_err(|_| Refusal::Disabled)
            .and_then(|h| h.admit(initiator, Instant::now()));
        match admitted {
            Ok(()) => {}
            Err(Refusal::Disabled) => return Err(HookError::Disabled(self.plugin_id.clone())),
            Err(Refusal::Throttled(retry_after)) => {
                return Err(HookError::Throttled {
                    plugin: self.plugin_id.clone(),
                    retry_after,
                });
            }
        }
        let mut instance = match self.checkout() {
            Ok(instance) => instance,
            // Instantiating is the plugin's own doing, whoever asked.
            Err(err) => {
                return Err(self.record_failure(
                    hook,
                    &Initiator::System,
                    TrapKind::Other,
                    format!("{err:#}"),
                ));
            }
        };
        instance.store.data_mut().last_panic = None;
        // The same deadline twice: epochs interrupt the guest, the instant
        // interrupts a host call (a long SQL statement) that would
        // otherwise only notice on return.
        instance.store.data_mut().deadline = Instant::now() + deadline;
        instance
            .store
            .set_epoch_deadline(super::engine::SandboxConfig::ticks(deadline));
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
                Err(self.record_failure(hook, initiator, kind, message))
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
            memory: MemoryCap::new(self.runtime.sandbox.memory_limit_bytes),
            last_panic: None,
            deadline: Instant::now() + self.runtime.sandbox.hook_deadline,
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

    fn record_failure(
        &self,
        hook: &str,
        initiator: &Initiator,
        kind: TrapKind,
        message: String,
    ) -> HookError {
        tracing::error!(plugin = %self.plugin_id, hook, ?initiator, %kind, %message, "plugin hook failed");
        if let Ok(mut health) = self.health.lock() {
            let disabled = health.record_trap(initiator, Instant::now(), || {
                format!("{kind} in {hook}: {message}")
            });
            if disabled {
                tracing::error!(
                    plugin = %self.plugin_id,
                    reason = health.disabled_reason().unwrap_or_default(),
                    "plugin disabled by the health check"
                );
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
