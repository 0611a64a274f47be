//! Uploaded files: limits, names and types, storing an upload (content,
//! thumbnail, preview, metadata) and the rules for attaching files to a
//! post (decision 017).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use chat_store::ports::files::FileInfo;
use chat_store::{BlobStore, FileStore};
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::model::{new_id, now_ms};

mod images;

pub use images::{PREVIEW_MAX_WIDTH, THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH};

/// Mattermost's default `FileSettings.MaxFileSize`: 100 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 104_857_600;
/// Files one upload request and one post may carry (Mattermost's 10).
pub const MAX_FILES_PER_REQUEST: usize = 10;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Mattermost's `MaxImageResolution`: images with more pixels are stored
/// without thumbnail and preview.
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 33_177_600;

/// File settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilesConfig {
    /// Largest file accepted, in bytes (413 beyond).
    pub max_file_size: u64,
    /// Largest image (width × height) that gets a thumbnail and preview.
    pub max_image_pixels: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
        }
    }
}

/// File metadata and content stores with the settings.
pub struct FileService {
    pub meta: Arc<dyn FileStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub config: FilesConfig,
    /// Image decodes at once (each may hold a few hundred MiB).
    pub image_slots: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Image types browsers render safely, served inline with their type.
/// Everything else (SVG and HTML included) is a download.
pub const INLINE_IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];

/// The MIME type for a (lowercase) extension; `application/octet-stream`
/// when unknown.
pub fn mime_for_extension(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

/// The name a file is stored under: the last path segment of what the
/// client sent, without control characters or bidirectional formatting
/// marks (`invoice\u{202E}gpj.exe` would show as `invoiceexe.jpg`), at most
/// [`MAX_FILE_NAME_CHARS`]. Errors name the field `files`.
pub fn clean_file_name(raw: &str) -> AppResult<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_format(*c))
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err(AppError::Invalid("files: a file has no name".into()));
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(AppError::Invalid(format!(
            "files: file name longer than {MAX_FILE_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

/// Unicode's bidirectional formatting characters (marks, embeddings,
/// overrides, isolates), which change how the rest of a name is shown.
fn is_bidi_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Lowercase extension without the dot ("" when none).
pub fn extension_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= 32 => {
            ext.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

/// The blob key of one of a file's parts; only server ids go in.
fn blob_key(file_id: &str, part: &str) -> String {
    format!("{}/{file_id}/{part}", &file_id[..2])
}

/// Where an upload is spooled; removed on drop unless it was moved.
pub struct StagedUpload {
    pub path: PathBuf,
}

impl Drop for StagedUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl FileService {
    pub fn new(meta: Arc<dyn FileStore>, blobs: Arc<dyn BlobStore>, config: FilesConfig) -> Self {
        Self {
            meta,
            blobs,
            config,
            image_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(2)),
        }
    }

    /// A fresh spool file path in the blob store's staging directory.
    pub fn stage(&self) -> StagedUpload {
        StagedUpload {
            path: self.blobs.staging_dir().join(format!("{}.part", new_id())),
        }
    }

    /// Stores a spooled upload of `size` bytes as a new unattached file of
    /// `channel_id` by `user_id`: thumbnail and preview for images, content,
    /// then the metadata row (so a row always has its content). Blocking.
    pub fn store_upload(
        &self,
        staged: &StagedUpload,
        name: &str,
        size: u64,
        channel_id: &str,
        user_id: &str,
    ) -> AppResult<FileInfo> {
        let id = new_id();
        let extension = extension_of(name);
        let mime_type = mime_for_extension(&extension);
        let now = now_ms();
        let mut info = FileInfo {
            id: id.clone(),
            user_id: user_id.to_string(),
            channel_id: channel_id.to_string(),
            create_at: now,
            update_at: now,
            name: name.to_string(),
            extension,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            mime_type: mime_type.to_string(),
            path: blob_key(&id, "content"),
            ..Default::default()
        };
        let mut written = Vec::new();
        let result = (|| {
            if INLINE_IMAGE_TYPES.contains(&mime_type)
                && let Some(rendered) = images::render(&staged.path, self.config.max_image_pixels)
            {
                info.width = i64::from(rendered.width);
                info.height = i64::from(rendered.height);
                let thumb = blob_key(&id, "thumb.jpg");
                self.blobs.put_bytes(&thumb, &rendered.thumbnail)?;
                written.push(thumb.clone());
                let preview = blob_key(&id, "preview.jpg");
                self.blobs.put_bytes(&preview, &rendered.preview)?;
                written.push(preview.clone());
                info.thumbnail_path = thumb;
                info.preview_path = preview;
                info.has_preview_image = true;
            }
            self.blobs.put_file(&info.path, &staged.path)?;
            written.push(info.path.clone());
            self.meta.create_file_info(&info)
        })();
        if let Err(err) = result {
            for key in written {
                let _ = self.blobs.delete(&key);
            }
            return Err(err.into());
        }
        Ok(info)
    }

    /// Checks `file_ids` of a new post by `user_id` in `channel_id` and
    /// returns their infos, for `metadata.files`. The store checks the same
    /// again in the post's transaction.
    pub fn files_for_new_post(
        &self,
        file_ids: &[String],
        user_id: &str,
        channel_id: &str,
    ) -> AppResult<Vec<FileInfo>> {
        if file_ids.len() > MAX_FILES_PER_REQUEST {
            return Err(AppError::Invalid(format!(
                "file_ids: at most {MAX_FILES_PER_REQUEST} files per post"
            )));
        }
        let mut seen = HashSet::new();
        if let Some(dup) = file_ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(AppError::Invalid(format!(
                "file_ids: file {dup} is listed twice"
            )));
        }
        let infos = self.meta.file_infos(file_ids)?;
        for id in file_ids {
            let Some(info) = infos.iter().find(|f| &f.id == id && f.delete_at == 0) else {
                return Err(AppError::Invalid(format!("file_ids: unknown file {id}")));
            };
            if info.user_id != user_id {
                return Err(AppError::Forbidden(format!(
                    "file_ids: file {id} was uploaded by someone else"
                )));
            }
            if info.channel_id != channel_id {
                return Err(AppError::Invalid(format!(
                    "file_ids: file {id} was uploaded to another channel"
                )));
            }
            if !info.post_id.is_empty() {
                return Err(AppError::Invalid(format!(
                    "file_ids: file {id} is already attached to a post"
                )));
            }
        }
        Ok(infos)
    }
}

/// Puts `infos` into a post's `metadata.files` (Mattermost's shape); the
/// post's id is filled in when the post is created
/// ([`Services::create_post`](super::Services::create_post)).
pub fn set_metadata_files(metadata: &mut serde_json::Map<String, Value>, infos: &[FileInfo]) {
    if infos.is_empty() {
        metadata.remove("files");
    } else {
        metadata.insert(
            "files".into(),
            serde_json::to_value(infos).unwrap_or(Value::Null),
        );
    }
}

/// Gives the `metadata.files` of a post being created the post's id.
pub(super) fn stamp_metadata_files(post: &mut crate::model::Post) {
    if let Some(Value::Array(files)) = post.metadata.get_mut("files") {
        for file in files.iter_mut().filter_map(Value::as_object_mut) {
            file.insert("post_id".into(), Value::String(post.id.clone()));
            file.insert("update_at".into(), Value::from(post.create_at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_last_segment_without_control_characters() {
        assert_eq!(clean_file_name("a/b/c.txt").unwrap(), "c.txt");
        assert_eq!(clean_file_name("C:\\x\\y.png").unwrap(), "y.png");
        assert_eq!(clean_file_name("re\r\nport.pdf").unwrap(), "report.pdf");
        assert_eq!(
            clean_file_name("invoice\u{202E}gpj.exe").unwrap(),
            "invoicegpj.exe"
        );
        assert_eq!(
            clean_file_name("\u{2067}a\u{200F}.txt\u{2069}").unwrap(),
            "a.txt"
        );
        assert!(clean_file_name("").is_err());
        assert!(clean_file_name("dir/").is_err());
        assert!(clean_file_name("..").is_err());
        let long = "x".repeat(MAX_FILE_NAME_CHARS + 1);
        let err = clean_file_name(&long).unwrap_err();
        assert!(err.to_string().starts_with("files:"), "{err}");
    }

    #[test]
    fn extensions_and_types() {
        assert_eq!(extension_of("Photo.JPG"), "jpg");
        assert_eq!(extension_of(".bashrc"), "");
        assert_eq!(extension_of("noext"), "");
        assert_eq!(mime_for_extension("jpg"), "image/jpeg");
        assert_eq!(mime_for_extension("svg"), "image/svg+xml");
        assert!(!INLINE_IMAGE_TYPES.contains(&mime_for_extension("svg")));
        assert_eq!(mime_for_extension("exe"), "application/octet-stream");
    }
}
