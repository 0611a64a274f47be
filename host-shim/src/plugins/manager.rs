//! The plugin manager: which plugins are installed, which are running, and
//! the one entry point for calling their hooks.
//!
//! Installed bundles live in `<data>/plugins/<id>/`. Whether a plugin is
//! enabled and its settings are kept in the host's own KV namespace (`@host`,
//! which no plugin id can collide with), so they survive restarts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;
use serde::Serialize;

use super::bundle::{copy_dir, embedded_bundles, sibling};
use super::manifest::Manifest;
use super::webapp::WebappBundle;
use crate::MATTERMOST_COMPAT_VERSION;
use crate::runtime::hooks::{self, Guest, Outcome};
use crate::runtime::state::SharedSettings;
use crate::runtime::{HookError, Initiator, LoadedPlugin, PluginRuntime};
use crate::services::Services;

/// The host's own KV namespace.
const HOST_NS: &str = "@host";

/// A plugin's body limit is at most its memory cap divided by this: a JSON
/// body decodes to several times its size, and text, copy and decoded value
/// are all alive at once.
const MEMORY_PER_BODY_BYTE: usize = 16;

/// Mattermost `PluginState` numbers, as shown by the status API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PluginState {
    NotRunning = 0,
    Starting = 1,
    Running = 2,
    FailedToStart = 3,
    FailedToStayRunning = 4,
    Stopping = 5,
}

/// Mattermost `PluginStatus`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginStatus {
    pub plugin_id: String,
    pub cluster_id: String,
    pub plugin_path: String,
    pub state: i32,
    pub error: String,
    pub name: String,
    pub description: String,
    pub version: String,
}

struct Slot {
    manifest: Manifest,
    dir: PathBuf,
    settings: SharedSettings,
    /// Set while the plugin runs.
    loaded: Option<Arc<LoadedPlugin>>,
    /// Why it is not running, when it should be.
    start_error: Option<String>,
    /// Its web bundle, if the manifest declares one.
    webapp: Option<WebappBundle>,
}

pub struct PluginManager {
    runtime: Arc<PluginRuntime>,
    services: Arc<Services>,
    plugins_dir: PathBuf,
    slots: RwLock<BTreeMap<String, Slot>>,
    /// Serialises installs, enables and disables (hooks are not blocked).
    admin: Mutex<()>,
}

impl PluginManager {
    pub fn new(
        runtime: Arc<PluginRuntime>,
        services: Arc<Services>,
        plugins_dir: PathBuf,
    ) -> anyhow::Result<Arc<Self>> {
        std::fs::create_dir_all(&plugins_dir)
            .with_context(|| format!("creating {}", plugins_dir.display()))?;
        Ok(Arc::new(Self {
            runtime,
            services,
            plugins_dir,
            slots: RwLock::new(BTreeMap::new()),
            admin: Mutex::new(()),
        }))
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Installs the embedded default bundles that are missing, older than
    /// the embedded version, or of the same version but another build (a
    /// rebuilt server must not keep serving the previous build's component
    /// and web bundle), then loads every installed bundle. Blocking.
    pub fn start(&self) -> anyhow::Result<()> {
        for bundle in embedded_bundles() {
            let embedded = bundle.file("manifest.json").and_then(|m| {
                Manifest::parse(&String::from_utf8_lossy(m), MATTERMOST_COMPAT_VERSION).ok()
            });
            let Some(embedded) = embedded else {
                tracing::error!(plugin = bundle.id, "embedded bundle has no valid manifest");
                continue;
            };
            let installed =
                std::fs::read_to_string(self.plugins_dir.join(bundle.id).join("manifest.json"))
                    .ok()
                    .and_then(|m| Manifest::parse(&m, MATTERMOST_COMPAT_VERSION).ok());
            let dir = self.plugins_dir.join(bundle.id);
            let installed_version = installed.as_ref().and_then(Manifest::semver);
            if installed_version > embedded.semver()
                || (installed_version == embedded.semver() && bundle.is_installed_in(&dir))
            {
                continue;
            }
            let staging = sibling(&self.plugins_dir.join(bundle.id), "embedded");
            bundle.write_to(&staging)?;
            let result = self.install_dir(&staging, installed.is_none());
            let _ = std::fs::remove_dir_all(&staging);
            let manifest = result?;
            tracing::info!(plugin = %manifest.id, version = %manifest.version, "installed embedded plugin");
        }
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.plugins_dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_dir()
                && !name.starts_with('.')
                && entry.path().join("manifest.json").exists()
            {
                ids.push(name);
            }
        }
        for id in ids {
            if self.is_installed(&id) {
                continue;
            }
            if let Err(err) = self.load_installed(&id) {
                tracing::error!(plugin = %id, "cannot load plugin: {err:#}");
            }
        }
        Ok(())
    }

    fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
        let text = std::fs::read_to_string(dir.join("manifest.json"))
            .with_context(|| format!("reading {}/manifest.json", dir.display()))?;
        Ok(Manifest::parse(&text, MATTERMOST_COMPAT_VERSION)?)
    }

    fn load_installed(&self, id: &str) -> anyhow::Result<()> {
        let _admin = self.admin_lock()?;
        let dir = self.plugins_dir.join(id);
        let manifest = Self::read_manifest(&dir)?;
        anyhow::ensure!(
            manifest.id == id,
            "bundle directory {id} holds plugin {}",
            manifest.id
        );
        let slot = Slot {
            settings: self.load_settings(&manifest),
            webapp: WebappBundle::of(&manifest, &dir),
            manifest,
            dir,
            loaded: None,
            start_error: None,
        };
        self.put_slot(slot);
        if self.is_enabled(id) {
            self.activate(id);
        }
        Ok(())
    }

    /// Installs (or upgrades) the bundle in `src`, hot-swapping a running
    /// older version. KV data is untouched: it belongs to the plugin id.
    /// A new plugin starts only if `enable`; an upgrade keeps the old one's
    /// enabled state. On any error the old version keeps running.
    pub fn install_dir(&self, src: &Path, enable: bool) -> anyhow::Result<Manifest> {
        let manifest = Self::read_manifest(src)?;
        let executable = &manifest
            .server
            .as_ref()
            .map(|s| s.executable.clone())
            .unwrap_or_default();
        let wasm = std::fs::read(src.join(executable)).with_context(|| {
            format!("server.executable {executable} is missing from the bundle")
        })?;
        // Compile and link before touching the installed copy: a component
        // that does not fit the host's imports is refused here.
        LoadedPlugin::new(
            &manifest.id,
            self.runtime.clone(),
            &wasm,
            self.services.clone(),
            Default::default(),
        )
        .context("the plugin component does not load")?;

        let _admin = self.admin_lock()?;
        let id = manifest.id.clone();
        let dest = self.plugins_dir.join(&id);
        let staging = sibling(&dest, "staging");
        copy_dir(src, &staging)?;
        let was_known = self.is_installed(&id) || dest.exists();
        self.stop(&id);
        let retired = sibling(&dest, "retired");
        if dest.exists() {
            std::fs::rename(&dest, &retired)?;
        }
        std::fs::rename(&staging, &dest)?;
        let _ = std::fs::remove_dir_all(&retired);
        if !was_known {
            self.set_enabled(&id, enable)?;
        }
        let slot = Slot {
            settings: self.load_settings(&manifest),
            webapp: WebappBundle::of(&manifest, &dest),
            manifest: manifest.clone(),
            dir: dest,
            loaded: None,
            start_error: None,
        };
        self.put_slot(slot);
        if self.is_enabled(&id) {
            self.activate(&id);
        }
        Ok(manifest)
    }

    /// Installs a `.tar.gz` bundle (Mattermost's upload format: the bundle's
    /// files at the top or inside one top-level directory). Refuses to
    /// replace an installed plugin unless `force`. A new plugin starts
    /// disabled, as in Mattermost; an upgrade keeps its enabled state.
    pub fn install_archive(&self, archive: &[u8], force: bool) -> anyhow::Result<Manifest> {
        let staging = sibling(&self.plugins_dir.join("upload"), "unpack");
        let result = (|| {
            super::bundle::unpack_tar_gz(archive, &staging)?;
            let root = super::bundle::bundle_root(&staging)?;
            let manifest = Self::read_manifest(&root)?;
            let installed = self.is_installed(&manifest.id);
            anyhow::ensure!(
                force || !installed,
                "plugin {} is already installed; upload with force=true to replace it",
                manifest.id
            );
            self.install_dir(&root, false)
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result
    }

    /// Enables and starts a plugin (also restarts one the health check
    /// disabled).
    pub fn enable(&self, id: &str) -> anyhow::Result<()> {
        let _admin = self.admin_lock()?;
        anyhow::ensure!(self.is_installed(id), "plugin {id} is not installed");
        self.set_enabled(id, true)?;
        self.stop(id);
        self.activate(id);
        Ok(())
    }

    /// Stops a plugin and keeps it off across restarts.
    pub fn disable(&self, id: &str) -> anyhow::Result<()> {
        let _admin = self.admin_lock()?;
        anyhow::ensure!(self.is_installed(id), "plugin {id} is not installed");
        self.set_enabled(id, false)?;
        self.stop(id);
        Ok(())
    }

    /// Serialises installs, enables and disables.
    fn admin_lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, ()>> {
        self.admin
            .lock()
            .map_err(|_| anyhow::anyhow!("plugin manager lock poisoned"))
    }

    fn is_installed(&self, id: &str) -> bool {
        self.slots
            .read()
            .map(|s| s.contains_key(id))
            .unwrap_or(false)
    }

    fn put_slot(&self, slot: Slot) {
        if let Ok(mut slots) = self.slots.write() {
            slots.insert(slot.manifest.id.clone(), slot);
        }
    }

    /// Loads the component and calls `activate`. Errors are recorded in the
    /// slot (status API), not returned: a broken plugin must not stop the
    /// server.
    fn activate(&self, id: &str) {
        let Some((manifest, dir, settings)) = self.slots.read().ok().and_then(|s| {
            s.get(id)
                .map(|s| (s.manifest.clone(), s.dir.clone(), s.settings.clone()))
        }) else {
            return;
        };
        let result = (|| -> anyhow::Result<Arc<LoadedPlugin>> {
            let executable = manifest
                .server
                .as_ref()
                .map(|s| s.executable.clone())
                .unwrap_or_default();
            let wasm = std::fs::read(dir.join(&executable))
                .with_context(|| format!("reading {executable}"))?;
            let loaded = Arc::new(LoadedPlugin::new(
                id,
                self.runtime.clone(),
                &wasm,
                self.services.clone(),
                settings,
            )?);
            let deadline = self.runtime.sandbox.activate_deadline;
            match loaded.call_within("activate", &Initiator::System, deadline, |g, s| {
                g.activate(s)
            }) {
                Ok(Ok(())) => Ok(loaded),
                Ok(Err(err)) => anyhow::bail!("activate returned an error: {err:?}"),
                Err(err) => anyhow::bail!("{err}"),
            }
        })();
        if let Ok(mut slots) = self.slots.write()
            && let Some(slot) = slots.get_mut(id)
        {
            match result {
                Ok(loaded) => {
                    tracing::info!(plugin = id, version = %slot.manifest.version, "plugin activated");
                    slot.loaded = Some(loaded);
                    slot.start_error = None;
                }
                Err(err) => {
                    tracing::error!(plugin = id, "plugin failed to start: {err:#}");
                    slot.loaded = None;
                    slot.start_error = Some(format!("{err:#}"));
                }
            }
        }
    }

    /// Calls `deactivate` (best effort) and drops the running instance.
    fn stop(&self, id: &str) {
        let loaded = self
            .slots
            .write()
            .ok()
            .and_then(|mut s| s.get_mut(id).and_then(|slot| slot.loaded.take()));
        if let Some(loaded) = loaded
            && loaded.disabled_reason().is_none()
            && let Err(err) = loaded.call("deactivate", |g, s| g.deactivate(s))
        {
            tracing::warn!(plugin = id, %err, "deactivate failed");
        }
    }

    fn enabled_key(id: &str) -> String {
        format!("plugin-enabled/{id}")
    }

    fn is_enabled(&self, id: &str) -> bool {
        match self.services.kv.get(HOST_NS, &Self::enabled_key(id)) {
            Ok(Some(v)) => v != b"false",
            // Bundles placed in the plugins directory by hand start enabled.
            Ok(None) => true,
            Err(err) => {
                tracing::error!(plugin = id, %err, "cannot read plugin state");
                false
            }
        }
    }

    fn set_enabled(&self, id: &str, enabled: bool) -> anyhow::Result<()> {
        let value: &[u8] = if enabled { b"true" } else { b"false" };
        Ok(self
            .services
            .kv
            .set(HOST_NS, &Self::enabled_key(id), value)?)
    }

    fn load_settings(&self, manifest: &Manifest) -> SharedSettings {
        let mut settings = manifest.default_settings();
        if let Ok(Some(saved)) = self
            .services
            .kv
            .get(HOST_NS, &format!("plugin-settings/{}", manifest.id))
            && let Ok(serde_json::Value::Object(saved)) = serde_json::from_slice(&saved)
        {
            settings.extend(saved);
        }
        Arc::new(RwLock::new(serde_json::Value::Object(settings).to_string()))
    }

    /// Saves new settings and tells the running plugin.
    pub async fn set_settings(
        &self,
        id: &str,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<()> {
        let text = serde_json::Value::Object(settings).to_string();
        self.services
            .kv
            .set(HOST_NS, &format!("plugin-settings/{id}"), text.as_bytes())?;
        let shared = self
            .slots
            .read()
            .ok()
            .and_then(|s| s.get(id).map(|s| s.settings.clone()));
        let shared = shared.ok_or_else(|| anyhow::anyhow!("plugin {id} is not installed"))?;
        if let Ok(mut current) = shared.write() {
            current.clone_from(&text);
        }
        match self
            .call(id, "configuration-changed", move |g, s| {
                g.configuration_changed(s, &text)
            })
            .await
        {
            Some(Ok(Ok(()))) | None => Ok(()),
            Some(Ok(Err(err))) => anyhow::bail!("the plugin rejected the settings: {err:?}"),
            Some(Err(err)) => anyhow::bail!("{err}"),
        }
    }

    /// The running instance of a plugin, if it is running.
    pub fn running(&self, id: &str) -> Option<Arc<LoadedPlugin>> {
        let slots = self.slots.read().ok()?;
        let loaded = slots.get(id)?.loaded.clone()?;
        loaded.disabled_reason().is_none().then_some(loaded)
    }

    /// Ids of running plugins.
    pub fn running_ids(&self) -> Vec<String> {
        let Ok(slots) = self.slots.read() else {
            return Vec::new();
        };
        slots
            .iter()
            .filter(|(_, s)| {
                s.loaded
                    .as_ref()
                    .is_some_and(|l| l.disabled_reason().is_none())
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn manifest(&self, id: &str) -> Option<Manifest> {
        self.slots.read().ok()?.get(id).map(|s| s.manifest.clone())
    }

    /// Manifests split into running and not running (`GET /api/v4/plugins`).
    pub fn manifests(&self) -> (Vec<Manifest>, Vec<Manifest>) {
        let running = self.running_ids();
        let Ok(slots) = self.slots.read() else {
            return (Vec::new(), Vec::new());
        };
        slots
            .values()
            .map(|s| s.manifest.clone())
            .partition(|m| running.contains(&m.id))
    }

    /// Manifests of the running plugins that have a web bundle, with
    /// `webapp.bundle_path` set to the URL the browser loads it from
    /// (`GET /api/v4/plugins/webapp`, as Mattermost answers it).
    pub fn webapp_manifests(&self) -> Vec<Manifest> {
        let running = self.running_ids();
        let Ok(slots) = self.slots.read() else {
            return Vec::new();
        };
        slots
            .values()
            .filter(|s| running.contains(&s.manifest.id))
            .filter_map(|s| {
                let bundle = s.webapp.as_ref()?;
                let mut manifest = s.manifest.clone();
                if let Some(webapp) = manifest.webapp.as_mut() {
                    webapp.bundle_path = bundle.url(&manifest.id);
                }
                Some(manifest)
            })
            .collect()
    }

    /// The web bundle of a running plugin.
    pub fn running_webapp(&self, id: &str) -> Option<WebappBundle> {
        self.running(id)?;
        self.slots.read().ok()?.get(id)?.webapp.clone()
    }

    /// One status per installed plugin (`GET /api/v4/plugins/statuses`).
    pub fn statuses(&self) -> Vec<PluginStatus> {
        let Ok(slots) = self.slots.read() else {
            return Vec::new();
        };
        slots
            .values()
            .map(|slot| {
                let (state, error) = match (&slot.loaded, &slot.start_error) {
                    (Some(loaded), _) => match loaded.disabled_reason() {
                        Some(reason) => (PluginState::FailedToStayRunning, reason),
                        None => (PluginState::Running, String::new()),
                    },
                    (None, Some(err)) => (PluginState::FailedToStart, err.clone()),
                    (None, None) => (PluginState::NotRunning, String::new()),
                };
                PluginStatus {
                    plugin_id: slot.manifest.id.clone(),
                    cluster_id: String::new(),
                    plugin_path: slot.dir.display().to_string(),
                    state: state as i32,
                    error,
                    name: slot.manifest.name.clone(),
                    description: slot.manifest.description.clone(),
                    version: slot.manifest.version.clone(),
                }
            })
            .collect()
    }

    /// The largest request body (or other client-supplied hook input) the
    /// plugin accepts: its manifest's declaration (default 1 MiB), and never
    /// more than 1/16 of the sandbox memory cap — the guest holds the input
    /// and what it decodes from it at once. `None` if not installed.
    pub fn request_body_limit(&self, id: &str) -> Option<usize> {
        let declared = self
            .slots
            .read()
            .ok()?
            .get(id)?
            .manifest
            .max_request_body_bytes();
        Some(declared.min(self.runtime.sandbox.memory_limit_bytes / MEMORY_PER_BODY_BYTE))
    }

    /// Runs a hook the server itself initiated (lifecycle, chat events,
    /// jobs) on a blocking thread. `None` if the plugin is not running.
    /// Hooks run on behalf of a user go through [`Self::call_as`] (or the
    /// typed entry points below), so that their traps are charged to that
    /// user ([`crate::runtime::health`]).
    pub async fn call<R: Send + 'static>(
        &self,
        id: &str,
        hook: &'static str,
        f: impl FnOnce(
            &Guest,
            &mut wasmtime::Store<crate::runtime::state::HostState>,
        ) -> wasmtime::Result<R>
        + Send
        + 'static,
    ) -> Option<Result<R, HookError>> {
        self.call_as(id, hook, Initiator::System, f).await
    }

    /// Runs a hook on behalf of `initiator` on a blocking thread. `None` if
    /// the plugin is not running.
    pub async fn call_as<R: Send + 'static>(
        &self,
        id: &str,
        hook: &'static str,
        initiator: Initiator,
        f: impl FnOnce(
            &Guest,
            &mut wasmtime::Store<crate::runtime::state::HostState>,
        ) -> wasmtime::Result<R>
        + Send
        + 'static,
    ) -> Option<Result<R, HookError>> {
        let loaded = self.running(id)?;
        let joined = tokio::task::spawn_blocking(move || loaded.call_as(hook, &initiator, f)).await;
        Some(joined.unwrap_or_else(|err| {
            Err(HookError::Trapped {
                plugin: id.to_string(),
                hook: hook.to_string(),
                kind: crate::runtime::TrapKind::Other,
                message: format!("hook thread failed: {err}"),
            })
        }))
    }

    /// Refuses client-supplied hook input larger than the plugin accepts,
    /// before it is copied into the guest.
    fn check_input(&self, id: &str, hook: &str, bytes: usize) -> Result<(), HookError> {
        let limit = self.request_body_limit(id).unwrap_or(0);
        if bytes > limit {
            return Err(HookError::TooLarge {
                plugin: id.to_string(),
                hook: hook.to_string(),
                limit,
            });
        }
        Ok(())
    }

    /// Runs a hook a user's request started: the input the host copies into
    /// the guest is bounded by the plugin's limit first, and a trap is
    /// charged to that user ([`crate::runtime::health`]).
    async fn call_for_user<R: Send + 'static>(
        &self,
        id: &str,
        hook: &'static str,
        user_id: Option<&str>,
        input_bytes: usize,
        f: impl FnOnce(
            &Guest,
            &mut wasmtime::Store<crate::runtime::state::HostState>,
        ) -> wasmtime::Result<R>
        + Send
        + 'static,
    ) -> Option<Result<R, HookError>> {
        self.running(id)?;
        if let Err(err) = self.check_input(id, hook, input_bytes) {
            return Some(Err(err));
        }
        self.call_as(id, hook, Initiator::from_user(user_id), f)
            .await
    }

    /// Runs a plugin's `serve-http` hook as the request's user (the HTTP
    /// proxy bounds the body first: [`Self::request_body_limit`]).
    pub async fn serve_http(
        &self,
        id: &str,
        request: hooks::HttpRequest,
    ) -> Option<Result<hooks::HttpResponse, HookError>> {
        let user_id = request.user_id.clone();
        let size = request.body.len();
        self.call_for_user(id, "serve-http", user_id.as_deref(), size, move |g, s| {
            g.serve_http(s, &request)
        })
        .await
    }

    /// Runs a plugin's `post-action` hook (an interactive button or menu) as
    /// the user who clicked.
    pub async fn post_action(
        &self,
        id: &str,
        request: hooks::ActionRequest,
    ) -> Option<Outcome<hooks::ActionResponse>> {
        let user_id = request.user_id.clone();
        let size = request.context.len() + request.selected_option.len();
        self.call_for_user(id, "post-action", Some(&user_id), size, move |g, s| {
            g.post_action(s, &request)
        })
        .await
    }

    /// Runs a plugin's `dialog-submit` hook as the submitting user.
    pub async fn dialog_submit(
        &self,
        id: &str,
        submission: hooks::DialogSubmission,
    ) -> Option<Outcome<hooks::DialogResponse>> {
        let user_id = submission.user_id.clone();
        let size =
            submission.submission.len() + submission.state.len() + submission.callback_id.len();
        self.call_for_user(id, "dialog-submit", Some(&user_id), size, move |g, s| {
            g.dialog_submit(s, &submission)
        })
        .await
    }

    /// Runs a plugin's `execute-command` hook as the user who typed it (or
    /// whom a plugin runs it as). A trigger id is issued here
    /// unless the caller already put one in `args` (to return it to the client).
    pub async fn execute_command(
        &self,
        id: &str,
        mut args: hooks::CommandArgs,
    ) -> Option<Outcome<hooks::CommandResponse>> {
        if args.trigger_id.is_empty() {
            args.trigger_id = self.services.triggers.issue(&args.user_id, id);
        }
        let initiator = Initiator::from_user(Some(&args.user_id));
        self.call_as(id, "execute-command", initiator, move |g, s| {
            g.run_command(s, &args)
        })
        .await
    }
}
