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

    /// Whether `dir` holds exactly this bundle's files (same bytes).
    pub fn is_installed_in(&self, dir: &Path) -> bool {
        self.files
            .iter()
            .all(|(rel, bytes)| std::fs::read(dir.join(rel)).is_ok_and(|on_disk| on_disk == *bytes))
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

/// Largest unpacked bundle.
const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// Unpacks a `.tar.gz` into `dest`, refusing absolute paths, `..`, links and
/// special files, and bundles that unpack to more than 256 MiB.
pub fn unpack_tar_gz(archive: &[u8], dest: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dest)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut total = 0u64;
    for entry in tar.entries().context("not a .tar.gz archive")? {
        let mut entry = entry.context("corrupt archive")?;
        let path = entry.path()?.into_owned();
        let safe = path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        anyhow::ensure!(safe, "archive entry {} leaves the bundle", path.display());
        let kind = entry.header().entry_type();
        let target = dest.join(&path);
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if kind.is_file() {
            total += entry.header().size()?;
            anyhow::ensure!(
                total <= MAX_UNPACKED_BYTES,
                "bundle unpacks to more than 256 MiB"
            );
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut file = std::fs::File::create(&target)?;
            std::io::copy(&mut entry, &mut file)?;
        } else if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
        {
            continue;
        } else {
            anyhow::bail!(
                "archive entry {} is not a regular file or directory",
                path.display()
            );
        }
    }
    Ok(())
}

/// The directory holding `manifest.json`: `dir` itself, or its only
/// subdirectory (bundles are usually packed as `<id>/...`).
pub fn bundle_root(dir: &Path) -> anyhow::Result<PathBuf> {
    if dir.join("manifest.json").exists() {
        return Ok(dir.to_path_buf());
    }
    let subdirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    match subdirs.as_slice() {
        [only] if only.join("manifest.json").exists() => Ok(only.clone()),
        _ => anyhow::bail!("the bundle has no manifest.json"),
    }
}
