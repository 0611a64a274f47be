//! The one place that decides how the wasm guests are compiled.
//!
//! Two ways to get a `wasm32-unknown-unknown` standard library:
//! - **rustup**: the active rustup toolchain has the target installed
//!   (`rustup target add wasm32-unknown-unknown`); plain `cargo build`.
//! - **Debian**: the distribution's `rustc-web`/`cargo-web` with the library
//!   sources from `rust-web-src`, building std itself (`-Zbuild-std`) and
//!   linking with `wasm-ld-22` from `lld-22`.
//!
//! `PLUGIN_TOOLCHAIN=rustup|debian` forces one; otherwise rustup is used when
//! its wasm32 std is installed, Debian otherwise.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasm target every guest is built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The guest crates, built together in one cargo invocation.
pub const GUEST_PACKAGES: [&str; 3] = ["playbooks-plugin", "sandbox-guest", "sql-guest"];

/// Environment variable that forces a toolchain.
pub const TOOLCHAIN_ENV: &str = "PLUGIN_TOOLCHAIN";

/// Debian packages the Debian path needs.
pub const DEBIAN_PACKAGES: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUST_SRC: &str = "/usr/lib/rustlib/src/rust/library";
const DEBIAN_WASM_LD: &str = "wasm-ld-22";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolchain {
    Rustup,
    Debian,
}

/// A toolchain and the human-readable reason it was picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub toolchain: Toolchain,
    pub reason: String,
}

/// Picks the toolchain from the `PLUGIN_TOOLCHAIN` value and, only when
/// needed, a probe of the active rustup toolchain (`Ok(lib dir)` when its
/// wasm32 std is installed, `Err(why not)` otherwise).
pub fn decide(requested: Option<&str>, probe: impl FnOnce() -> Result<PathBuf, String>) -> Choice {
    let requested = requested.map(str::trim).unwrap_or("");
    match requested.to_ascii_lowercase().as_str() {
        "debian" => {
            return Choice {
                toolchain: Toolchain::Debian,
                reason: format!("{TOOLCHAIN_ENV}=debian"),
            };
        }
        "rustup" => {
            return Choice {
                toolchain: Toolchain::Rustup,
                reason: format!("{TOOLCHAIN_ENV}=rustup"),
            };
        }
        "" | "auto" => {}
        other => eprintln!(
            "xtask: warning: ignoring {TOOLCHAIN_ENV}={other:?} (expected `rustup` or `debian`); choosing automatically"
        ),
    }
    match probe() {
        Ok(libdir) => Choice {
            toolchain: Toolchain::Rustup,
            reason: format!(
                "the active rustup toolchain has the {WASM_TARGET} std ({})",
                libdir.display()
            ),
        },
        Err(why) => Choice {
            toolchain: Toolchain::Debian,
            reason: format!(
                "{why}; falling back to the Debian toolchain (or run `rustup target add {WASM_TARGET}`)"
            ),
        },
    }
}

/// Chooses the toolchain for this run, printing which one and why.
pub fn choose() -> Choice {
    let requested = std::env::var(TOOLCHAIN_ENV).ok();
    let choice = decide(requested.as_deref(), probe_rustup_wasm_std);
    let name = match choice.toolchain {
        Toolchain::Rustup => "rustup",
        Toolchain::Debian => "Debian",
    };
    println!(
        "xtask: building guests with the {name} toolchain: {}",
        choice.reason
    );
    choice
}

/// `Ok(lib dir)` if `<rustc --print sysroot>/lib/rustlib/wasm32-unknown-unknown/lib`
/// exists and holds files.
fn probe_rustup_wasm_std() -> Result<PathBuf, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|err| {
            format!(
                "cannot run `{} --print sysroot`: {err}",
                rustc.to_string_lossy()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{} --print sysroot` failed",
            rustc.to_string_lossy()
        ));
    }
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let libdir = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .join("lib");
    let has_files = std::fs::read_dir(&libdir)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if has_files {
        Ok(libdir)
    } else {
        Err(format!(
            "the active toolchain ({sysroot}) has no {WASM_TARGET} std"
        ))
    }
}

/// A cargo invocation that builds all guests, and where their modules land.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Variables to set (after removals).
    pub env_set: Vec<(String, OsString)>,
    /// Variables to remove from the inherited environment.
    pub env_remove: Vec<String>,
    /// `<target dir>/wasm32-unknown-unknown/release`.
    pub artifact_dir: PathBuf,
}

impl BuildPlan {
    /// The core module cargo writes for `package`.
    pub fn artifact(&self, package: &str) -> PathBuf {
        self.artifact_dir
            .join(format!("{}.wasm", package.replace('-', "_")))
    }
}

fn base_args() -> Vec<String> {
    let mut args: Vec<String> = ["build", "--release", "--target", WASM_TARGET]
        .into_iter()
        .map(String::from)
        .collect();
    for package in GUEST_PACKAGES {
        args.push("-p".into());
        args.push(package.into());
    }
    args
}

/// The rustup build: the same cargo that runs xtask, default target dir.
pub fn rustup_plan(cargo: PathBuf, target_dir: &Path) -> BuildPlan {
    BuildPlan {
        program: cargo,
        args: base_args(),
        env_set: Vec::new(),
        env_remove: Vec::new(),
        artifact_dir: target_dir.join(WASM_TARGET).join("release"),
    }
}

/// Variables a rustup-driven `cargo run` leaves behind that would make the
/// Debian cargo use the wrong compiler or misread its environment. `CARGO_HOME`
/// stays, so the registry cache is shared.
pub fn debian_env_removals(inherited: impl IntoIterator<Item = String>) -> Vec<String> {
    const FIXED: [&str; 14] = [
        "RUSTUP_TOOLCHAIN",
        "CARGO",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "RUSTDOC_WRAPPER",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_TARGET_DIR",
    ];
    let mut removals: Vec<String> = FIXED.iter().map(|name| name.to_string()).collect();
    for name in inherited {
        if name.starts_with("CARGO_PKG_") && !removals.contains(&name) {
            removals.push(name);
        }
    }
    removals
}

/// Drops `LD_LIBRARY_PATH` entries inside the rustup home: `cargo run` adds the
/// rustup sysroot's libraries there, which the Debian compiler must not load.
pub fn filter_library_path(value: &str, rustup_home: &Path) -> String {
    value
        .split(':')
        .filter(|entry| !entry.is_empty() && !Path::new(entry).starts_with(rustup_home))
        .collect::<Vec<_>>()
        .join(":")
}

/// The Debian build: `-Zbuild-std` with the distribution's compiler, in its
/// own target dir so it never mixes with rustup-built artifacts.
pub fn debian_plan(
    workspace: &Path,
    inherited: Vec<(String, OsString)>,
    rustup_home: &Path,
) -> BuildPlan {
    let target_dir = workspace.join("target/wasm-debian");
    let mut args = base_args();
    args.insert(4, "-Zbuild-std=std,panic_abort".into());
    let mut env_set: Vec<(String, OsString)> = vec![
        ("RUSTC".into(), DEBIAN_RUSTC.into()),
        ("RUSTC_BOOTSTRAP".into(), "1".into()),
        (
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER".into(),
            DEBIAN_WASM_LD.into(),
        ),
        ("CARGO_TARGET_DIR".into(), target_dir.clone().into()),
    ];
    let mut env_remove = debian_env_removals(inherited.iter().map(|(name, _)| name.clone()));
    if let Some((_, value)) = inherited.iter().find(|(name, _)| name == "LD_LIBRARY_PATH") {
        let filtered = filter_library_path(&value.to_string_lossy(), rustup_home);
        if filtered.is_empty() {
            env_remove.push("LD_LIBRARY_PATH".into());
        } else {
            env_set.push(("LD_LIBRARY_PATH".into(), filtered.into()));
        }
    }
    // Removals apply first; never remove something we then set.
    env_remove.retain(|name| !env_set.iter().any(|(set, _)| set == name));
    BuildPlan {
        program: DEBIAN_CARGO.into(),
        args,
        env_set,
        env_remove,
        artifact_dir: target_dir.join(WASM_TARGET).join("release"),
    }
}

/// Finds `program` on `PATH`.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// What the Debian path lacks, as human-readable items (empty = ready).
fn debian_missing() -> Vec<String> {
    let mut missing = Vec::new();
    for (path, package) in [
        (DEBIAN_RUSTC, "rustc-web"),
        (DEBIAN_CARGO, "cargo-web"),
        (DEBIAN_RUST_SRC, "rust-web-src"),
    ] {
        if !Path::new(path).exists() {
            missing.push(format!("{path} (package {package})"));
        }
    }
    if on_path(DEBIAN_WASM_LD).is_none() {
        missing.push(format!("{DEBIAN_WASM_LD} on PATH (package lld-22)"));
    }
    missing
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .is_some_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn run_checked(command: &mut Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Makes sure the Debian toolchain is installed, installing it with apt-get
/// when running as root.
pub fn ensure_debian_toolchain() -> Result<()> {
    let missing = debian_missing();
    if missing.is_empty() {
        return Ok(());
    }
    let packages = DEBIAN_PACKAGES.join(" ");
    if !(is_root() && on_path("apt-get").is_some()) {
        bail!(
            "the Debian wasm toolchain is incomplete, missing: {}.\n\
             Install it with `apt-get install {packages}` (as root), \
             or use rustup instead: `rustup target add {WASM_TARGET}` (then PLUGIN_TOOLCHAIN=rustup or auto).",
            missing.join(", ")
        );
    }
    println!(
        "xtask: the Debian wasm toolchain is missing {}",
        missing.join(", ")
    );
    println!("xtask: running `apt-get update`");
    run_checked(Command::new("apt-get").arg("update"), "apt-get update")?;
    println!("xtask: running `apt-get install -y {packages}`");
    run_checked(
        Command::new("apt-get")
            .args(["install", "-y"])
            .args(DEBIAN_PACKAGES)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "apt-get install",
    )?;
    let still_missing = debian_missing();
    if !still_missing.is_empty() {
        bail!(
            "after installing {packages}, still missing: {}",
            still_missing.join(", ")
        );
    }
    Ok(())
}

/// The plan for `choice`, after making sure its toolchain is usable.
pub fn prepare(choice: &Choice, workspace: &Path, host_target_dir: &Path) -> Result<BuildPlan> {
    match choice.toolchain {
        Toolchain::Rustup => {
            let cargo = std::env::var_os("CARGO")
                .map(PathBuf::from)
                .unwrap_or_else(|| "cargo".into());
            Ok(rustup_plan(cargo, host_target_dir))
        }
        Toolchain::Debian => {
            ensure_debian_toolchain()?;
            let rustup_home = std::env::var_os("RUSTUP_HOME")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".rustup"))
                })
                .unwrap_or_else(|| "/nonexistent-rustup-home".into());
            let inherited = std::env::vars_os()
                .filter_map(|(name, value)| name.into_string().ok().map(|name| (name, value)))
                .collect();
            Ok(debian_plan(workspace, inherited, &rustup_home))
        }
    }
}

/// Runs the plan's cargo build in `workspace`, with inherited stdio.
pub fn run(plan: &BuildPlan, workspace: &Path) -> Result<()> {
    let mut command = Command::new(&plan.program);
    command.args(&plan.args).current_dir(workspace);
    for name in &plan.env_remove {
        command.env_remove(name);
    }
    for (name, value) in &plan.env_set {
        command.env(name, value);
    }
    println!(
        "xtask: running {} {}",
        plan.program.display(),
        plan.args.join(" ")
    );
    run_checked(
        &mut command,
        &format!("building the wasm guests with {}", plan.program.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_probe() -> Result<PathBuf, String> {
        panic!("the probe must not run when the toolchain is forced")
    }

    #[test]
    fn forced_toolchains_skip_the_probe() {
        assert_eq!(
            decide(Some("debian"), no_probe).toolchain,
            Toolchain::Debian
        );
        assert_eq!(
            decide(Some("rustup"), no_probe).toolchain,
            Toolchain::Rustup
        );
        assert_eq!(
            decide(Some(" Debian "), no_probe).toolchain,
            Toolchain::Debian
        );
    }

    #[test]
    fn auto_prefers_rustup_with_wasm_std() {
        let choice = decide(None, || {
            Ok(PathBuf::from(
                "/sysroot/lib/rustlib/wasm32-unknown-unknown/lib",
            ))
        });
        assert_eq!(choice.toolchain, Toolchain::Rustup);
        assert!(
            choice.reason.contains("/sysroot/lib/rustlib"),
            "{}",
            choice.reason
        );
        assert_eq!(
            decide(Some("auto"), || Ok(PathBuf::new())).toolchain,
            Toolchain::Rustup
        );
    }

    #[test]
    fn auto_falls_back_to_debian() {
        let choice = decide(Some(""), || Err("no wasm std".into()));
        assert_eq!(choice.toolchain, Toolchain::Debian);
        assert!(
            choice.reason.starts_with("no wasm std"),
            "{}",
            choice.reason
        );
        assert_eq!(
            decide(Some("bogus"), || Err("x".into())).toolchain,
            Toolchain::Debian
        );
    }

    #[test]
    fn rustup_plan_builds_both_guests_in_one_invocation() {
        let plan = rustup_plan("cargo".into(), Path::new("/ws/target"));
        assert_eq!(
            plan.args,
            [
                "build",
                "--release",
                "--target",
                WASM_TARGET,
                "-p",
                "playbooks-plugin",
                "-p",
                "sandbox-guest",
                "-p",
                "sql-guest"
            ]
        );
        assert_eq!(
            plan.artifact("playbooks-plugin"),
            Path::new("/ws/target/wasm32-unknown-unknown/release/playbooks_plugin.wasm")
        );
    }

    #[test]
    fn debian_plan_sets_compiler_and_cleans_rustup_env() {
        let inherited = vec![
            ("RUSTUP_TOOLCHAIN".to_string(), OsString::from("stable")),
            ("CARGO_PKG_NAME".to_string(), OsString::from("xtask")),
            ("CARGO_HOME".to_string(), OsString::from("/root/.cargo")),
            (
                "LD_LIBRARY_PATH".to_string(),
                OsString::from(
                    "/ws/target/debug/deps:/root/.rustup/toolchains/stable/lib:/usr/local/lib",
                ),
            ),
        ];
        let plan = debian_plan(Path::new("/ws"), inherited, Path::new("/root/.rustup"));
        assert_eq!(plan.program, Path::new("/usr/bin/cargo"));
        assert!(
            plan.args
                .contains(&"-Zbuild-std=std,panic_abort".to_string())
        );
        assert_eq!(
            &plan.args[..4],
            ["build", "--release", "--target", WASM_TARGET]
        );
        let set = |name: &str| {
            plan.env_set
                .iter()
                .find(|(set, _)| set == name)
                .map(|(_, value)| value.to_string_lossy().into_owned())
        };
        assert_eq!(set("RUSTC").as_deref(), Some("/usr/bin/rustc"));
        assert_eq!(set("RUSTC_BOOTSTRAP").as_deref(), Some("1"));
        assert_eq!(
            set("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER").as_deref(),
            Some("wasm-ld-22")
        );
        assert_eq!(
            set("CARGO_TARGET_DIR").as_deref(),
            Some("/ws/target/wasm-debian")
        );
        assert_eq!(
            set("LD_LIBRARY_PATH").as_deref(),
            Some("/ws/target/debug/deps:/usr/local/lib")
        );
        for removed in [
            "RUSTUP_TOOLCHAIN",
            "CARGO",
            "RUSTC_WRAPPER",
            "RUSTDOC",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
        ] {
            assert!(
                plan.env_remove.iter().any(|name| name == removed),
                "{removed} kept"
            );
        }
        for kept in [
            "CARGO_HOME",
            "RUSTUP_HOME",
            "RUSTC",
            "CARGO_TARGET_DIR",
            "LD_LIBRARY_PATH",
        ] {
            assert!(
                !plan.env_remove.iter().any(|name| name == kept),
                "{kept} removed"
            );
        }
        assert_eq!(
            plan.artifact("sandbox-guest"),
            Path::new("/ws/target/wasm-debian/wasm32-unknown-unknown/release/sandbox_guest.wasm")
        );
    }

    #[test]
    fn library_path_only_rustup_entries_dropped() {
        let home = Path::new("/home/u/.rustup");
        assert_eq!(
            filter_library_path("/home/u/.rustup/toolchains/x/lib:", home),
            ""
        );
        assert_eq!(
            filter_library_path("/a:/home/u/.rustupx/lib", home),
            "/a:/home/u/.rustupx/lib"
        );
    }
}
