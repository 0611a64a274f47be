//! The default [`BlobStore`]: a directory on the local disk
//! (`<data dir>/files/`).
//!
//! Writes go to a temporary file in `<root>/tmp/`, are `fsync`ed, renamed
//! into place and the parent directory is `fsync`ed, so a stored blob is
//! either complete or absent after a crash, and a `201` means durable.
//! Keys are checked to be made of safe characters only, so no key can
//! reach outside the root (they come from server-generated ids anyway).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::new_id;
use crate::ports::files::{Blob, BlobStore};
use crate::ports::{StoreError, StoreResult};

/// Blobs as files below a root directory.
#[derive(Debug)]
pub struct LocalDiskBlobs {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalDiskBlobs {
    /// Opens (creating) the store rooted at `root`. Leftover staging files
    /// of a previous run (uploads cut short by a crash) are removed.
    pub fn open(root: &Path) -> StoreResult<Self> {
        let staging = root.join("tmp");
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| io("cleaning", &staging, e))?;
        }
        fs::create_dir_all(&staging).map_err(|e| io("creating", &staging, e))?;
        Ok(Self {
            root: root.to_path_buf(),
            staging,
        })
    }

    fn path_of(&self, key: &str) -> StoreResult<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                    })
            })
            && !key.starts_with("tmp/");
        if safe {
            Ok(self.root.join(key))
        } else {
            Err(StoreError::Invalid(format!(
                "blob key {key:?} is not allowed"
            )))
        }
    }

    /// fsyncs `source`, renames it to `key`'s path and fsyncs the directory.
    fn commit(&self, key: &str, source: &Path) -> StoreResult<()> {
        let target = self.path_of(key)?;
        let dir = target
            .parent()
            .ok_or_else(|| StoreError::Backend("blob key without a directory".into()))?;
        fs::create_dir_all(dir).map_err(|e| io("creating", dir, e))?;
        File::open(source)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("syncing", source, e))?;
        fs::rename(source, &target).map_err(|e| io("renaming into", &target, e))?;
        sync_dir(dir)?;
        Ok(())
    }
}

impl BlobStore for LocalDiskBlobs {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    fn put_file(&self, key: &str, source: &Path) -> StoreResult<()> {
        self.commit(key, source)
    }

    fn put_bytes(&self, key: &str, bytes: &[u8]) -> StoreResult<()> {
        let temp = self.staging.join(new_id());
        let result = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| io("writing", &temp, e))
            .and_then(|()| self.commit(key, &temp));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    fn open(&self, key: &str) -> StoreResult<Option<Blob>> {
        let path = self.path_of(key)?;
        match File::open(&path) {
            Ok(file) => {
                let len = file.metadata().map_err(|e| io("reading", &path, e))?.len();
                Ok(Some(Blob {
                    len,
                    reader: Box::new(file),
                }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("opening", &path, e)),
        }
    }

    fn delete(&self, key: &str) -> StoreResult<()> {
        let path = self.path_of(key)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("removing", &path, e)),
        }
    }
}

fn sync_dir(dir: &Path) -> StoreResult<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("syncing", dir, e))
}

fn io(what: &str, path: &Path, err: std::io::Error) -> StoreError {
    StoreError::Backend(format!("{what} {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn put_open_delete_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalDiskBlobs::open(&dir.path().join("files")).unwrap();
        let staged = blobs.staging_dir().join("upload");
        fs::write(&staged, b"hello").unwrap();
        blobs.put_file("ab/abc/content", &staged).unwrap();
        assert!(!staged.exists(), "the staging file is moved");
        let mut blob = blobs.open("ab/abc/content").unwrap().unwrap();
        assert_eq!(blob.len, 5);
        let mut text = String::new();
        blob.reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello");

        blobs.put_bytes("ab/abc/thumb.jpg", b"tiny").unwrap();
        assert_eq!(blobs.open("ab/abc/thumb.jpg").unwrap().unwrap().len, 4);
        blobs.delete("ab/abc/content").unwrap();
        blobs.delete("ab/abc/content").unwrap();
        assert!(blobs.open("ab/abc/content").unwrap().is_none());
    }

    #[test]
    fn keys_cannot_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalDiskBlobs::open(&dir.path().join("files")).unwrap();
        for key in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "A/b",
            "tmp/x",
            "",
            "a/b\\c",
        ] {
            assert!(
                matches!(blobs.put_bytes(key, b"x"), Err(StoreError::Invalid(_))),
                "{key:?} must be refused"
            );
            assert!(blobs.open(key).is_err(), "{key:?}");
        }
    }

    #[test]
    fn leftover_staging_files_are_removed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("files");
        let blobs = LocalDiskBlobs::open(&root).unwrap();
        fs::write(blobs.staging_dir().join("partial"), b"cut short").unwrap();
        drop(blobs);
        let blobs = LocalDiskBlobs::open(&root).unwrap();
        assert_eq!(fs::read_dir(blobs.staging_dir()).unwrap().count(), 0);
    }
}
