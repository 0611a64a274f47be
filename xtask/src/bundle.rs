//! Assembling plugin bundles (`manifest.json` + component + webapp files)
//! under `target/bundles/<id>/`.
//!
//! The host's build.rs may read these directories while they are written, so
//! each file is written into a staging directory next to them and renamed into
//! place; unchanged files are left alone (their mtime too, so the host is not
//! rebuilt for nothing) and stale files are removed at the end.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Bundle contents: relative path (with `/`) -> bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Checks that `path` from a manifest is relative and stays inside the bundle.
pub fn safe_relative(path: &str, what: &str) -> Result<PathBuf> {
    let candidate = Path::new(path);
    let ok = !path.is_empty()
        && candidate
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
        && candidate
            .components()
            .any(|part| matches!(part, Component::Normal(_)));
    if !ok {
        bail!("{what} {path:?} must be a relative path inside the bundle");
    }
    Ok(candidate
        .components()
        .filter(|part| matches!(part, Component::Normal(_)))
        .collect())
}

fn to_key(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the manifest wants the server component (`server.executable`).
pub fn server_executable(manifest: &Value) -> Result<PathBuf> {
    let executable = manifest
        .pointer("/server/executable")
        .and_then(Value::as_str)
        .context("manifest.json has no string `server.executable`")?;
    safe_relative(executable, "server.executable")
}

/// The bundle directory that receives `webapp/dist` (the parent of
/// `webapp.bundle_path`), or `None` without a webapp section.
pub fn webapp_dir(manifest: &Value) -> Result<Option<PathBuf>> {
    let Some(bundle_path) = manifest.pointer("/webapp/bundle_path") else {
        return Ok(None);
    };
    let bundle_path = bundle_path
        .as_str()
        .context("manifest.json `webapp.bundle_path` is not a string")?;
    let bundle_path = safe_relative(bundle_path, "webapp.bundle_path")?;
    Ok(Some(
        bundle_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    ))
}

/// The manifest of the sandbox test guest.
pub fn sandbox_manifest() -> Value {
    serde_json::json!({
        "id": "sandbox-guest",
        "name": "Sandbox test guest",
        "description": "Test-only plugin that misbehaves on purpose to prove the host sandbox.",
        "version": "0.1.0",
        "server": { "executable": "server/plugin.wasm" },
    })
}

/// Adds every file under `dir` to `files`, below `prefix`.
pub fn add_dir(files: &mut Files, dir: &Path, prefix: &Path) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = prefix.join(entry.file_name());
        if path.is_dir() {
            add_dir(files, &path, &rel)?;
        } else {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            files.insert(to_key(&rel), bytes);
        }
    }
    Ok(())
}

/// The playbooks bundle: the repo's manifest, the component where
/// `server.executable` says, and `webapp/dist` if present.
pub fn playbooks_files(workspace: &Path, component: Vec<u8>) -> Result<Files> {
    let manifest_path = workspace.join("manifest.json");
    let manifest_bytes = std::fs::read(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Value = serde_json::from_slice(&manifest_bytes)
        .with_context(|| format!("{} is not valid JSON", manifest_path.display()))?;
    let executable =
        server_executable(&manifest).with_context(|| format!("in {}", manifest_path.display()))?;
    let mut files = Files::new();
    files.insert("manifest.json".into(), manifest_bytes);
    let dist = workspace.join("webapp/dist");
    if let Some(webapp_dir) =
        webapp_dir(&manifest).with_context(|| format!("in {}", manifest_path.display()))?
        && dist.is_dir()
    {
        add_dir(&mut files, &dist, &webapp_dir)?;
    }
    files.insert(to_key(&executable), component);
    Ok(files)
}

/// The manifest of the SQL test guest (contract 0.2, built with the SDK).
pub fn sql_guest_manifest() -> Value {
    serde_json::json!({
        "id": "sql-guest",
        "name": "SQL test guest",
        "description": "Test-only plugin that runs the SQL it is sent, to probe the host's sql capability.",
        "version": "0.2.0",
        "server": { "executable": "server/plugin.wasm" },
    })
}

/// The sandbox guest bundle: a generated manifest and the component.
pub fn sandbox_files(component: Vec<u8>) -> Result<Files> {
    test_guest_files(sandbox_manifest(), component)
}

/// The SQL guest bundle: a generated manifest and the component.
pub fn sql_guest_files(component: Vec<u8>) -> Result<Files> {
    test_guest_files(sql_guest_manifest(), component)
}

fn test_guest_files(manifest: Value, component: Vec<u8>) -> Result<Files> {
    let executable = server_executable(&manifest)?;
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    let mut files = Files::new();
    files.insert("manifest.json".into(), text);
    files.insert(to_key(&executable), component);
    Ok(files)
}

/// Makes `dir` hold exactly `files`: each changed file is written into a
/// staging directory beside `dir` and renamed into place, unchanged files are
/// kept, and files no longer in the bundle are removed.
pub fn write(dir: &Path, files: &Files) -> Result<()> {
    let parent = dir.parent().context("bundle directory has no parent")?;
    let name = dir
        .file_name()
        .context("bundle directory has no name")?
        .to_string_lossy();
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;
    let result = (|| -> Result<()> {
        for (index, (rel, bytes)) in files.iter().enumerate() {
            let target = dir.join(safe_relative(rel, "bundle file")?);
            if std::fs::read(&target).is_ok_and(|old| old == *bytes) {
                continue;
            }
            let temp = staging.join(index.to_string());
            std::fs::write(&temp, bytes)
                .with_context(|| format!("cannot write {}", temp.display()))?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            if target.is_dir() {
                std::fs::remove_dir_all(&target)
                    .with_context(|| format!("cannot remove {}", target.display()))?;
            }
            std::fs::rename(&temp, &target).with_context(|| {
                format!("cannot move {} to {}", temp.display(), target.display())
            })?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result?;
    remove_stale(dir, dir, files)
}

/// Removes files under `dir` that are not in `files`, and directories left empty.
fn remove_stale(base: &Path, dir: &Path, files: &Files) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let rel = to_key(path.strip_prefix(base).unwrap_or(&path));
        if path.is_dir() {
            remove_stale(base, &path, files)?;
            if std::fs::read_dir(&path).is_ok_and(|mut entries| entries.next().is_none()) {
                std::fs::remove_dir(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        } else if !files.contains_key(&rel) {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove stale {}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn manifest_paths() {
        let manifest = serde_json::json!({
            "server": { "executable": "server/plugin.wasm" },
            "webapp": { "bundle_path": "webapp/dist/main.js" },
        });
        assert_eq!(
            server_executable(&manifest).unwrap(),
            Path::new("server/plugin.wasm")
        );
        assert_eq!(
            webapp_dir(&manifest).unwrap(),
            Some(PathBuf::from("webapp/dist"))
        );
        assert_eq!(webapp_dir(&serde_json::json!({})).unwrap(), None);
        assert!(server_executable(&serde_json::json!({})).is_err());
        let escape = serde_json::json!({ "server": { "executable": "../plugin.wasm" } });
        assert!(server_executable(&escape).is_err());
        let absolute = serde_json::json!({ "server": { "executable": "/plugin.wasm" } });
        assert!(server_executable(&absolute).is_err());
    }

    #[test]
    fn sandbox_bundle_layout() {
        let files = sandbox_files(b"\0asm".to_vec()).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["manifest.json", "server/plugin.wasm"]
        );
        let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        assert_eq!(manifest["id"], "sandbox-guest");
        assert_eq!(manifest["name"], "Sandbox test guest");
        assert_eq!(manifest["version"], "0.1.0");
    }

    #[test]
    fn playbooks_bundle_copies_manifest_component_and_webapp() {
        let workspace = temp_dir("playbooks");
        let manifest = r#"{"id":"playbooks","server":{"executable":"server/plugin.wasm"},"webapp":{"bundle_path":"webapp/dist/main.js"}}"#;
        std::fs::write(workspace.join("manifest.json"), manifest).unwrap();
        let files = playbooks_files(&workspace, b"component".to_vec()).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["manifest.json", "server/plugin.wasm"]
        );
        assert_eq!(files["manifest.json"], manifest.as_bytes());

        std::fs::create_dir_all(workspace.join("webapp/dist/assets")).unwrap();
        std::fs::write(workspace.join("webapp/dist/main.js"), "js").unwrap();
        std::fs::write(workspace.join("webapp/dist/assets/a.css"), "css").unwrap();
        let files = playbooks_files(&workspace, b"component".to_vec()).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [
                "manifest.json",
                "server/plugin.wasm",
                "webapp/dist/assets/a.css",
                "webapp/dist/main.js"
            ]
        );
        std::fs::remove_dir_all(&workspace).unwrap();
    }

    #[test]
    fn write_replaces_changes_and_removes_stale_files() {
        let root = temp_dir("write");
        let dir = root.join("bundle");
        let mut files = Files::new();
        files.insert("manifest.json".into(), b"{}".to_vec());
        files.insert("server/plugin.wasm".into(), b"v1".to_vec());
        files.insert("webapp/dist/main.js".into(), b"js".to_vec());
        write(&dir, &files).unwrap();
        assert_eq!(
            std::fs::read(dir.join("server/plugin.wasm")).unwrap(),
            b"v1"
        );

        files.insert("server/plugin.wasm".into(), b"v2".to_vec());
        files.remove("webapp/dist/main.js");
        write(&dir, &files).unwrap();
        assert_eq!(
            std::fs::read(dir.join("server/plugin.wasm")).unwrap(),
            b"v2"
        );
        assert_eq!(std::fs::read(dir.join("manifest.json")).unwrap(), b"{}");
        assert!(!dir.join("webapp").exists());
        // Nothing but the bundle is left beside it (the staging dir is gone).
        let siblings: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(siblings, ["bundle"]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
