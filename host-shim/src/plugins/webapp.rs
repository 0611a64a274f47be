//! A plugin's web bundle (`webapp.bundle_path`), as the browser client
//! loads it: Mattermost's URL `/static/plugins/<id>/<id>_<hash>_bundle.js`,
//! where the hash is of the content, so a new version gets a new URL and
//! browsers may cache each one forever.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::manifest::Manifest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebappBundle {
    /// The file on disk, inside the installed bundle.
    pub path: PathBuf,
    /// The first 16 hex digits of the content's SHA-256.
    pub hash: String,
}

impl WebappBundle {
    /// The bundle of an installed plugin, if its manifest declares one and the
    /// file is there (read once, at install or start).
    pub fn of(manifest: &Manifest, dir: &Path) -> Option<Self> {
        let rel = &manifest.webapp.as_ref()?.bundle_path;
        if rel.is_empty() {
            return None;
        }
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => Some(Self {
                path,
                hash: hex::encode(&Sha256::digest(&bytes)[..8]),
            }),
            Err(err) => {
                tracing::warn!(plugin = %manifest.id, path = %path.display(), %err, "the plugin's web bundle is missing");
                None
            }
        }
    }

    /// The file name the client asks for.
    pub fn file_name(&self, plugin_id: &str) -> String {
        format!("{plugin_id}_{}_bundle.js", self.hash)
    }

    /// The URL the client loads it from.
    pub fn url(&self, plugin_id: &str) -> String {
        format!("/static/plugins/{plugin_id}/{}", self.file_name(plugin_id))
    }
}
