//! Plugin bundles on disk, and the bundles embedded in the binary.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A bundle compiled into the server binary (see `build.rs`).
pub struct EmbeddedBundle {
    pub id: &'static str,
    /// `(path inside the bundle, contents)`.
    pub files: &'static [(&'static str, &'static [u8])],
}

mod generated {
    use super::EmbeddedBundle;
    include!(concat!(env!("OUT_DIR"), "/embedded_bundles.rs"));
}

/// The default plugins shipped inside this binary.
pub fn embedded_bundles() -> &'static [EmbeddedBundle] {
    generated::EMBEDDED
}

impl EmbeddedBundle {
    pub fn file(&self, name: &str) -> Option<&'static [u8]> {
        self.files
            .iter()
            .find(|(path, _)| *path == name)
            .map(|(_, bytes)| *bytes)
    }

    /// Writes the bundle's files below `dir`.
    pub fn write_to(&self, dir: &Path) -> anyhow::Result<()> {
        for (rel, bytes) in self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

/// Copies a bundle directory recursively (regular files and directories only;
/// symlinks are refused so a bundle cannot point outside itself).
pub fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_symlink() {
            anyhow::bail!("bundle contains a symlink: {}", entry.path().display());
        } else if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A fresh sibling path of `dir` with a suffix, for staging and swapping.
pub fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.{suffix}-{}", crate::model::new_id()))
}
