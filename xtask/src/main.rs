//! `cargo xtask <command>`: builds the plugin components, the server, and runs
//! the project's tests.
//!
//! - `build-plugins`: compile the wasm guests, encode and check the
//!   components, build the web packages (the plugin's bundle and the
//!   browser client in `target/webclient`), assemble
//!   `target/bundles/{playbooks,sandbox-guest,sql-guest}`;
//! - `build`: `build-plugins`, then the server (which embeds the playbooks bundle);
//! - `run [-- args]`: `build`, then `host-shim serve args...`;
//! - `test`: `build-plugins`, `cargo test --workspace`, the web packages'
//!   type checks and Vitest, the Node compatibility tests, the Schemathesis
//!   run over the plugin API, the browser end-to-end tests (Debian's
//!   Chromium), then a short run of every fuzz target;
//! - `fuzz-smoke [seconds]`, `api-fuzz`: those two alone ([`fuzz`]);
//! - `check-imports <file.wasm>`: list a component's imports and exports and
//!   fail on imports outside `chatops:plugin/`.

mod browser;
mod bundle;
mod component;
mod fuzz;
mod toolchain;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build-plugins              build the wasm guests and the web packages, assemble target/bundles/
  build                      build-plugins, then the server (release)
  run [-- <serve args>...]   build, then run `host-shim serve <serve args>`
  test                       build-plugins, cargo test --workspace, web tests, tests/node,
                             api-fuzz, tests/e2e, fuzz-smoke
  fuzz-smoke [seconds]       build the cargo-fuzz targets (fuzz/) and run each for seconds (30)
  api-fuzz                   Schemathesis over plugin/api/openapi.yaml against the real server
  check-imports <file.wasm>  print a component's imports/exports; fail on non-chatops:plugin/ imports

environment:
  PLUGIN_TOOLCHAIN=rustup|debian   force how the wasm guests are compiled (default: auto)
  CHROMIUM_PATH=<file>             the browser for tests/e2e (default: /usr/bin/chromium)";

/// The workspace root (xtask lives in `<root>/xtask`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// Where the host cargo build puts its outputs.
fn host_target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    }
}

/// The cargo that runs xtask (same toolchain), or `cargo` from PATH.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `command` in `dir` with inherited stdio; fails unless it succeeds.
fn run_in(dir: &Path, command: &mut Command) -> Result<()> {
    command.current_dir(dir);
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command
            .get_args()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("xtask: running {shown}");
    let status = command
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.2} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Reads a guest's core module, encodes it, and checks its imports.
fn guest_component(package: &str, module_path: &Path) -> Result<Vec<u8>> {
    let module = std::fs::read(module_path).with_context(|| {
        format!(
            "cannot read the {package} module at {}",
            module_path.display()
        )
    })?;
    let component = component::encode(&module)
        .with_context(|| format!("{package} ({})", module_path.display()))?;
    let interface =
        component::check_imports(&component).with_context(|| format!("{package} component"))?;
    println!(
        "xtask: {package}: component {} (core module {}), {} imports, exports {}",
        size(component.len()),
        size(module.len()),
        interface.imports.len(),
        interface.exports.join(", ")
    );
    Ok(component)
}

fn build_plugins(workspace: &Path) -> Result<()> {
    let choice = toolchain::choose();
    let plan = toolchain::prepare(&choice, workspace, &host_target_dir(workspace))?;
    toolchain::run(&plan, workspace)?;

    let playbooks = guest_component("playbooks-plugin", &plan.artifact("playbooks-plugin"))?;
    web::build_web(workspace)?;
    let sandbox = guest_component("sandbox-guest", &plan.artifact("sandbox-guest"))?;
    let sql = guest_component("sql-guest", &plan.artifact("sql-guest"))?;

    let bundles = workspace.join("target/bundles");
    for (id, files) in [
        ("playbooks", bundle::playbooks_files(workspace, playbooks)?),
        ("sandbox-guest", bundle::sandbox_files(sandbox)?),
        ("sql-guest", bundle::sql_guest_files(sql)?),
    ] {
        let dir = bundles.join(id);
        bundle::write(&dir, &files).with_context(|| format!("cannot write the {id} bundle"))?;
        println!("xtask: bundle {} ({} files)", dir.display(), files.len());
    }
    Ok(())
}

fn build(workspace: &Path) -> Result<()> {
    build_plugins(workspace)?;
    run_in(
        workspace,
        cargo().args(["build", "--release", "-p", "host-shim"]),
    )
}

fn run(workspace: &Path, serve_args: &[String]) -> Result<()> {
    build(workspace)?;
    let server = host_target_dir(workspace).join("release/host-shim");
    let mut command = Command::new(&server);
    command.arg("serve").args(serve_args).current_dir(workspace);
    println!(
        "xtask: running {} serve {}",
        server.display(),
        serve_args.join(" ")
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let err = command.exec();
        Err(err).with_context(|| format!("cannot start {}", server.display()))
    }
    #[cfg(not(unix))]
    {
        let status = command
            .status()
            .with_context(|| format!("cannot start {}", server.display()))?;
        if !status.success() {
            bail!("{} serve failed ({status})", server.display());
        }
        Ok(())
    }
}

fn test(workspace: &Path) -> Result<()> {
    build_plugins(workspace)?;
    run_in(workspace, cargo().args(["test", "--workspace"]))?;
    web::test_web(workspace)?;
    // `cargo test` builds the server binary for the integration tests; the
    // Node suites and the API fuzzing run that same binary.
    let server = debug_server(workspace)?;
    node_suite(workspace, "tests/node", &server, &[])?;
    fuzz::api_fuzz(workspace, &server)?;
    let chromium = browser::chromium()?;
    node_suite(
        workspace,
        "tests/e2e",
        &server,
        &[("CHROMIUM_PATH", chromium.as_os_str())],
    )?;
    fuzz::fuzz_smoke(workspace, fuzz::SMOKE_SECONDS)
}

/// The debug server `cargo test` builds (built here when missing).
fn debug_server(workspace: &Path) -> Result<PathBuf> {
    let server = host_target_dir(workspace).join("debug/host-shim");
    if !server.is_file() {
        run_in(workspace, cargo().args(["build", "-p", "host-shim"]))?;
    }
    Ok(server)
}

/// Installs and runs one Node test suite against the server binary.
fn node_suite(
    workspace: &Path,
    suite: &str,
    server: &Path,
    env: &[(&str, &std::ffi::OsStr)],
) -> Result<()> {
    let dir = workspace.join(suite);
    if !dir.join("package.json").is_file() {
        bail!("{suite}/package.json is missing");
    }
    let install = if dir.join("package-lock.json").is_file() {
        "ci"
    } else {
        "install"
    };
    run_in(&dir, Command::new("npm").arg(install))?;
    let mut command = Command::new("npm");
    command.arg("test").env("HOST_SHIM_BIN", server);
    for (name, value) in env {
        command.env(name, value);
    }
    run_in(&dir, &mut command)
}

fn check_imports(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let component = if component::is_component(&bytes) {
        bytes
    } else {
        println!(
            "{} is a core module; encoding it as a component first",
            path.display()
        );
        component::encode(&bytes).with_context(|| path.display().to_string())?
    };
    let interface = component::interface(&component).with_context(|| path.display().to_string())?;
    println!("imports:");
    for name in &interface.imports {
        let mark = if name.starts_with(component::ALLOWED_IMPORT_PREFIX) {
            ""
        } else {
            "  <- not allowed"
        };
        println!("  {name}{mark}");
    }
    println!("exports:");
    for name in &interface.exports {
        println!("  {name}");
    }
    component::check_imports(&component).with_context(|| path.display().to_string())?;
    println!("ok: only {}* imports", component::ALLOWED_IMPORT_PREFIX);
    Ok(())
}

fn main() -> ExitCode {
    // Print the error chain ourselves: anyhow's `Debug` would add a backtrace
    // whenever RUST_BACKTRACE is set, burying the message.
    match dispatch() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workspace = workspace();
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        bail!("no command given");
    };
    let no_args = |name: &str| -> Result<()> {
        match rest {
            [] => Ok(()),
            _ => bail!("`cargo xtask {name}` takes no arguments, got {rest:?}"),
        }
    };
    match command.as_str() {
        "build-plugins" => no_args(command).and_then(|()| build_plugins(&workspace)),
        "build" => no_args(command).and_then(|()| build(&workspace)),
        "run" => {
            let serve_args = rest.strip_prefix(&["--".to_string()]).unwrap_or(rest);
            run(&workspace, serve_args)
        }
        "test" => no_args(command).and_then(|()| test(&workspace)),
        "fuzz-smoke" => fuzz::fuzz_smoke(&workspace, fuzz::seconds_arg(rest)?),
        "api-fuzz" => no_args(command).and_then(|()| {
            // A fresh server with the current plugin embedded.
            build_plugins(&workspace)?;
            run_in(&workspace, cargo().args(["build", "-p", "host-shim"]))?;
            let server = host_target_dir(&workspace).join("debug/host-shim");
            fuzz::api_fuzz(&workspace, &server)
        }),
        "check-imports" => match rest {
            [file] => check_imports(Path::new(file)),
            _ => bail!("usage: cargo xtask check-imports <file.wasm>"),
        },
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            println!("{USAGE}");
            bail!("unknown command {other:?}")
        }
    }
}
