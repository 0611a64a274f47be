//! The tools that keep looking for the next hole, run briefly in CI:
//!
//! - `fuzz-smoke [seconds]`: builds the `cargo fuzz` targets in `fuzz/`
//!   (stable toolchain, no sanitizer) and runs each for `seconds` (default
//!   30); see `fuzz/README.md` for longer runs;
//! - `api-fuzz`: Schemathesis over `plugin/api/openapi.yaml` against the
//!   real server and plugin (`tests/api-fuzz/`): no 5xx, and every response
//!   matching the document.
//!
//! Both are shell/Python scripts a developer can run alone; these wrappers
//! only give them a place in `cargo xtask test`.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::run_in;

/// Seconds each fuzz target runs in `cargo xtask test`.
pub const SMOKE_SECONDS: u32 = 30;

pub fn fuzz_smoke(workspace: &Path, seconds: u32) -> Result<()> {
    run_in(
        workspace,
        Command::new("bash")
            .arg("fuzz/run.sh")
            .arg(seconds.to_string()),
    )
}

pub fn api_fuzz(workspace: &Path, server: &Path) -> Result<()> {
    if !server.is_file() {
        bail!("no server binary at {}", server.display());
    }
    run_in(
        workspace,
        Command::new("bash")
            .arg("tests/api-fuzz/run.sh")
            .arg(server),
    )
}

/// `fuzz-smoke [seconds]`.
pub fn seconds_arg(rest: &[String]) -> Result<u32> {
    match rest {
        [] => Ok(SMOKE_SECONDS),
        [s] => s
            .parse()
            .map_err(|_| anyhow::anyhow!("seconds must be a whole number, got {s:?}")),
        _ => bail!("usage: cargo xtask fuzz-smoke [seconds]"),
    }
}
