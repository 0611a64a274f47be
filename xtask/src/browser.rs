//! The browser the end-to-end tests drive: Debian's Chromium (Playwright's
//! own browser download does not work here), `CHROMIUM_PATH` to override.
//! Missing, it is an error that says how to get it, never a skipped suite.

use std::path::PathBuf;

use anyhow::{Result, bail};

const DEFAULT: &str = "/usr/bin/chromium";

pub fn chromium() -> Result<PathBuf> {
    let path = std::env::var_os("CHROMIUM_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT));
    if !path.is_file() {
        bail!(
            "no Chromium at {} for the browser tests: `apt-get install chromium`, or set CHROMIUM_PATH",
            path.display()
        );
    }
    Ok(path)
}
