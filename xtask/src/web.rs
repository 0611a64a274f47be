//! The web packages, built with npm and Vite:
//! - the playbooks plugin's web bundle (`webapp/`), so `webapp/dist/main.js`
//!   exists before the bundle is assembled (the bundle step copies
//!   `webapp/dist` where `webapp.bundle_path` points);
//! - the server's browser client (`host-shim/webclient/`), built into
//!   `target/webclient`, which `host-shim/build.rs` embeds.
//!
//! Their tests (type check + Vitest) run with the rest in `cargo xtask test`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::run_in;

fn npm_install(dir: &Path) -> Result<()> {
    // Skip when node_modules is already in step with the lockfile
    // (incremental local builds).
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => i.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    // `npm install`, not `npm ci`: this npm (11.x) writes lockfiles without
    // the other platforms' optional binaries (rollup, esbuild), which `npm
    // ci` then rejects as out of sync. `install` keeps every locked version
    // and only adds this platform's binary, pinned by its parent.
    run_in(
        dir,
        Command::new("npm").args(["install", "--no-audit", "--no-fund"]),
    )
    .with_context(|| {
        format!(
            "npm install in {} (Node 20+ and npm are required)",
            dir.display()
        )
    })
}

/// The web packages, by directory under the workspace.
const PACKAGES: [&str; 2] = ["webapp", "host-shim/webclient"];

fn packages(workspace: &Path) -> impl Iterator<Item = std::path::PathBuf> + '_ {
    PACKAGES
        .iter()
        .map(|dir| workspace.join(dir))
        .filter(|dir| dir.join("package.json").is_file())
}

/// Builds the plugin's web bundle and the browser client.
pub fn build_web(workspace: &Path) -> Result<()> {
    for dir in packages(workspace) {
        npm_install(&dir)?;
        run_in(&dir, Command::new("npm").args(["run", "build"]))?;
    }
    Ok(())
}

/// Type-checks and unit-tests the web packages.
pub fn test_web(workspace: &Path) -> Result<()> {
    for dir in packages(workspace) {
        npm_install(&dir)?;
        run_in(&dir, Command::new("npm").args(["run", "typecheck"]))?;
        run_in(&dir, Command::new("npm").arg("test"))?;
    }
    Ok(())
}
