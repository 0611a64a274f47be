//! Embeds the default plugin bundles (the playbooks plugin) and the browser
//! client into the server binary, so `host-shim serve` on an empty data dir
//! comes up with them and one file is the whole server.
//!
//! `cargo xtask build` assembles the bundle into `target/bundles/playbooks`
//! and the client into `target/webclient` before building the host.
//! Without them the server still builds, with no embedded plugin or client
//! (a cargo warning says so).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push((rel.to_string_lossy().replace('\\', "/"), path.clone()));
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=HOST_SHIM_EMBED_BUNDLES");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let bundles_dir = std::env::var("HOST_SHIM_EMBED_BUNDLES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest_dir.join("../target/bundles"));
    let mut code = String::from("pub static EMBEDDED: &[EmbeddedBundle] = &[\n");
    let mut found = false;
    for id in ["playbooks"] {
        let dir = bundles_dir.join(id);
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.join("manifest.json").exists() {
            println!(
                "cargo:warning=no {id} bundle at {}: the server will start without its default plugin (run `cargo xtask build`)",
                dir.display()
            );
            continue;
        }
        found = true;
        let _ = writeln!(code, "    EmbeddedBundle {{ id: {id:?}, files: &[");
        include_files(&mut code, &dir, "        ");
        code.push_str("    ] },\n");
    }
    code.push_str("];\n");
    let _ = found;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    write(&out_dir.join("embedded_bundles.rs"), &code);
    write(
        &out_dir.join("embedded_client.rs"),
        &client_code(&manifest_dir),
    );
}

/// `pub static CLIENT_FILES: &[(&str, &[u8])]`: the built web client
/// (`index.html` and `assets/…`), or nothing.
fn client_code(manifest_dir: &Path) -> String {
    println!("cargo:rerun-if-env-changed=HOST_SHIM_EMBED_CLIENT");
    let dir = std::env::var("HOST_SHIM_EMBED_CLIENT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest_dir.join("../target/webclient"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut code = String::from("pub static CLIENT_FILES: &[(&str, &[u8])] = &[\n");
    if dir.join("index.html").exists() {
        include_files(&mut code, &dir, "    ");
    } else {
        println!(
            "cargo:warning=no web client at {}: the server will serve the API only (run `cargo xtask build`)",
            dir.display()
        );
    }
    code.push_str("];\n");
    code
}

/// One `(relative path, include_bytes!(file))` line per file below `dir`,
/// each a rerun trigger.
fn include_files(code: &mut String, dir: &Path, indent: &str) {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    for (rel, path) in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "{indent}({rel:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
}

fn write(path: &Path, code: &str) {
    if let Err(err) = std::fs::write(path, code) {
        panic!("cannot write {}: {err}", path.display());
    }
}
