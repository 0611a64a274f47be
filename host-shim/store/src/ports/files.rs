//! Uploaded files: their metadata ([`FileStore`], Mattermost's `FileInfo`
//! rows) and their bytes ([`BlobStore`]).
//!
//! The two are separate ports on purpose: the metadata belongs with the
//! posts it is attached to (same database, same transaction as the post
//! insert), while the bytes may live elsewhere — a local directory by
//! default, a shared directory or a database table once several servers
//! must read every file (decision 017).

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::StoreResult;

/// Mattermost's `FileInfo`, with its JSON names. The storage keys are the
/// server's own and never leave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FileInfo {
    pub id: String,
    /// Who uploaded the file (Mattermost's `creator_id`, sent as `user_id`).
    pub user_id: String,
    /// Empty until a post carrying the file is created.
    pub post_id: String,
    pub channel_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub name: String,
    /// Lowercase, without the dot.
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mini_preview: Option<String>,
    /// Blob key of the content.
    #[serde(skip)]
    pub path: String,
    /// Blob key of the thumbnail (empty: none).
    #[serde(skip)]
    pub thumbnail_path: String,
    /// Blob key of the preview (empty: none).
    #[serde(skip)]
    pub preview_path: String,
}

/// A file search (`POST /teams/{id}/files/search`). Every set field
/// narrows the result; files come newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSearch {
    /// Only files of channels of this team (and the user's direct and
    /// group channels) that this user is a member of.
    pub team_id: String,
    pub member_id: String,
    /// Words that must each appear in the file name (case-insensitive).
    pub words: Vec<String>,
    /// With `true`, any one word is enough.
    pub any_word: bool,
    /// Channel names (`in:`); empty: any.
    pub channel_names: Vec<String>,
    /// Uploader ids (`from:`); empty: any.
    pub user_ids: Vec<String>,
    /// Extensions without the dot (`ext:`); empty: any.
    pub extensions: Vec<String>,
    pub offset: u32,
    pub limit: u32,
}

/// File metadata. Attaching files to a post happens inside
/// [`ChatStore::create_post_with`](super::ChatStore::create_post_with), in
/// the post's transaction; deleting a post marks its files deleted in the
/// same way.
pub trait FileStore: Send + Sync {
    /// Inserts the metadata of a stored upload (not attached to a post).
    fn create_file_info(&self, info: &FileInfo) -> StoreResult<()>;
    /// One file, deleted ones included (callers check `delete_at`).
    fn file_info(&self, id: &str) -> StoreResult<Option<FileInfo>>;
    /// The files among `ids` that exist, in the order of `ids`.
    fn file_infos(&self, ids: &[String]) -> StoreResult<Vec<FileInfo>>;
    /// A post's files by creation time; deleted ones only if asked.
    fn post_file_infos(&self, post_id: &str, include_deleted: bool) -> StoreResult<Vec<FileInfo>>;
    /// Files matching the search, newest first, not deleted.
    fn search_file_infos(&self, search: &FileSearch) -> StoreResult<Vec<FileInfo>>;
}

/// Content read from a [`BlobStore`].
pub struct Blob {
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
}

/// File bytes by key. Keys are made by the server from its own ids
/// (`[a-z0-9/._-]`), never from user input. A `put` that returned `Ok` is
/// durable: a crash afterwards does not lose it.
pub trait BlobStore: Send + Sync {
    /// A directory on this machine where uploads are spooled before
    /// [`put_file`](Self::put_file) (a request body is never held in memory).
    fn staging_dir(&self) -> &Path;
    /// Stores the bytes of `source` (a file in the staging directory, which
    /// the store may move or delete) under `key`, replacing any old value.
    fn put_file(&self, key: &str, source: &Path) -> StoreResult<()>;
    /// Stores `bytes` (thumbnails and previews: small) under `key`.
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> StoreResult<()>;
    /// The content under `key`, `None` when there is none.
    fn open(&self, key: &str) -> StoreResult<Option<Blob>>;
    /// Removes `key`; removing a missing key is not an error.
    fn delete(&self, key: &str) -> StoreResult<()>;
}
