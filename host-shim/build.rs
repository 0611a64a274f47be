//! Embeds the default plugin bundles (the playbooks plugin) into the server
//! binary, so `host-shim serve` on an empty data dir comes up with them.
//!
//! `cargo xtask build` assembles the bundle into `target/bundles/playbooks`
//! before building the host. Without it the server still builds, with no
//! embedded plugin (a cargo warning says so).

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
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files);
        let _ = writeln!(code, "    EmbeddedBundle {{ id: {id:?}, files: &[");
        for (rel, path) in files {
            println!("cargo:rerun-if-changed={}", path.display());
            let _ = writeln!(
                code,
                "        ({rel:?}, include_bytes!({:?})),",
                path.display().to_string()
            );
        }
        code.push_str("    ] },\n");
    }
    code.push_str("];\n");
    let _ = found;
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_bundles.rs");
    if let Err(err) = std::fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
}
