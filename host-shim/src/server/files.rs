//! `/api/v4/files*` (upload, content, thumbnail, preview, info), a post's
//! file infos and team file search (decision 017).
//!
//! Uploads stream each multipart file to a staging file (never held in
//! memory) and are refused with 413 past the configured maximum. Reading
//! a file needs read access to the channel of the post it is attached to,
//! or being its uploader while it is not attached yet; anything else is
//! answered exactly like an unknown id.

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chat_store::ports::files::{FileInfo, FileSearch};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;

use super::access;
use super::auth::Caller;
use super::extract::{JsonBody, QueryParams};
use super::{ApiError, AppState, blocking};
use crate::error::AppError;
use crate::model::Post;
use crate::services::files::{
    INLINE_IMAGE_TYPES, MAX_FILES_PER_REQUEST, clean_file_name, set_metadata_files,
};

/// Room for the multipart framing and the small fields beside the files.
const UPLOAD_OVERHEAD: u64 = 1024 * 1024;
/// Longest small form field (`channel_id`, `client_ids`).
const MAX_FIELD_BYTES: usize = 1024;
/// Bytes read per chunk when sending a file.
const SEND_CHUNK: usize = 256 * 1024;
/// Longest search `terms`, in characters, and most words in them.
const MAX_SEARCH_TERMS_CHARS: usize = 1000;
const MAX_SEARCH_WORDS: usize = 32;
/// Sent with every file: a file opened directly in the browser runs no
/// script and loads nothing, whatever it contains.
const FILE_CSP: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

pub fn routes(max_file_size: u64) -> Router<AppState> {
    let upload_limit =
        usize::try_from(max_file_size.saturating_add(UPLOAD_OVERHEAD)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/v4/files",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v4/files/{file_id}", get(content))
        .route("/api/v4/files/{file_id}/thumbnail", get(thumbnail))
        .route("/api/v4/files/{file_id}/preview", get(preview))
        .route("/api/v4/files/{file_id}/info", get(info))
        .route("/api/v4/posts/{post_id}/files/info", get(post_files))
        .route("/api/v4/teams/{team_id}/files/search", post(search))
}

fn invalid(message: impl Into<String>) -> ApiError {
    AppError::Invalid(message.into()).into()
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "app.file_info.get.app_error",
        "file_id: no such file",
    )
}

fn internal(err: impl std::fmt::Display) -> ApiError {
    AppError::Internal(err.to_string()).into()
}

// --- upload -----------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct UploadQuery {
    channel_id: Option<String>,
}

/// Uploading needs what posting needs: membership of a channel that is
/// not archived.
fn check_upload_channel(
    state: &AppState,
    caller: &Caller,
    channel_id: &str,
) -> Result<(), ApiError> {
    let channel = access::require_channel_member(&state.services, caller, channel_id)?;
    if channel.delete_at != 0 {
        return Err(invalid("channel_id: the channel is archived"));
    }
    Ok(())
}

fn multipart_error(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "api.file.upload_file.too_large.app_error",
            "files: the request is larger than the maximum file size",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.file.upload_file.read_request.app_error",
            format!(
                "files: could not read the multipart body: {}",
                err.body_text()
            ),
        )
    }
}

/// A small text field, refused past [`MAX_FIELD_BYTES`].
async fn small_text(field: &mut Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(invalid(format!(
                "{name}: longer than {MAX_FIELD_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| invalid(format!("{name}: not UTF-8 text")))
}

/// Streams one file field to a staging file and stores it.
async fn receive_file(
    state: &AppState,
    caller: &Caller,
    channel_id: &str,
    name: String,
    field: &mut Field<'_>,
) -> Result<FileInfo, ApiError> {
    let files = state.files.clone();
    let limit = files.config.max_file_size;
    let staged = files.stage();
    let mut out = tokio::fs::File::create(&staged.path)
        .await
        .map_err(internal)?;
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.file.upload_file.too_large_detailed.app_error",
                format!(
                    "files: unable to upload {name}: it is larger than the maximum file size of {limit} bytes"
                ),
            ));
        }
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    drop(out);
    // The permit moves into the blocking work: if the client goes away, the
    // request is dropped but the decode runs on, and must keep its slot.
    let slot = files
        .image_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(internal)?;
    let (channel_id, user_id) = (channel_id.to_string(), caller.id().to_string());
    let service = files.clone();
    blocking(move || {
        let _slot = slot;
        service.store_upload(&staged, &name, size, &channel_id, &user_id)
    })
    .await
}

/// `POST /api/v4/files`: multipart with `channel_id` (query parameter or a
/// field before the files), `files` (up to 10) and optional `client_ids`
/// (one per file, echoed back). 201 `{file_infos, client_ids}`.
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<UploadQuery>,
    request: Request,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| invalid("files: the body must be multipart/form-data"))?;
    let result = receive_upload(&state, &caller, query.channel_id, &mut multipart).await;
    if result.is_err() {
        // Read what is left of the body (bounded by the route's limit) so
        // the client, still sending, gets the answer rather than a reset.
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    }
    result
}

async fn receive_upload(
    state: &AppState,
    caller: &Caller,
    channel_id: Option<String>,
    multipart: &mut Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut channel_id = channel_id.filter(|id| !id.is_empty());
    if let Some(id) = &channel_id {
        check_upload_channel(state, caller, id)?;
    }
    let mut infos = Vec::new();
    let mut client_ids = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let field_name = field.name().unwrap_or_default().to_string();
        if let Some(raw_name) = field.file_name().map(str::to_string) {
            let Some(channel_id) = channel_id.clone() else {
                return Err(invalid(
                    "channel_id: missing (a query parameter, or a form field before the files)",
                ));
            };
            if infos.len() >= MAX_FILES_PER_REQUEST {
                return Err(invalid(format!(
                    "files: at most {MAX_FILES_PER_REQUEST} files per request"
                )));
            }
            let name = clean_file_name(&raw_name)?;
            infos.push(receive_file(state, caller, &channel_id, name, &mut field).await?);
            continue;
        }
        let value = small_text(&mut field, &field_name).await?;
        match field_name.as_str() {
            "channel_id" => match &channel_id {
                Some(known) if *known != value => {
                    return Err(invalid(
                        "channel_id: the form field differs from the channel already given",
                    ));
                }
                Some(_) => {}
                None => {
                    check_upload_channel(state, caller, &value)?;
                    channel_id = Some(value);
                }
            },
            "client_ids" => {
                if client_ids.len() >= MAX_FILES_PER_REQUEST {
                    return Err(invalid(format!(
                        "client_ids: at most {MAX_FILES_PER_REQUEST}"
                    )));
                }
                client_ids.push(value);
            }
            _ => {}
        }
    }
    if infos.is_empty() {
        return Err(invalid("files: the request has no file"));
    }
    if !client_ids.is_empty() && client_ids.len() != infos.len() {
        return Err(invalid("client_ids: one per file is needed"));
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({"file_infos": infos, "client_ids": client_ids})),
    ))
}

// --- reading ------------------------------------------------------------------

/// The file if the caller may read it; otherwise the unknown-file answer.
fn readable_file(state: &AppState, caller: &Caller, file_id: &str) -> Result<FileInfo, ApiError> {
    let info = state
        .files
        .meta
        .file_info(file_id)?
        .filter(|f| f.delete_at == 0)
        .ok_or_else(not_found)?;
    let allowed = if info.post_id.is_empty() {
        info.user_id == caller.id()
    } else {
        match state.services.chat.channel(&info.channel_id)? {
            Some(channel) => access::can_read_channel(&state.services, caller, &channel)?,
            None => false,
        }
    };
    if allowed { Ok(info) } else { Err(not_found()) }
}

/// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name percent-encoded;
/// nothing from the name can end the header or add a parameter.
fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()[]+,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A blob's bytes read on a blocking thread, a few chunks ahead of the
/// client (bounded memory whatever the file size).
fn blob_body(mut reader: Box<dyn Read + Send>) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        loop {
            let mut buf = vec![0u8; SEND_CHUNK];
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

async fn send_blob(
    state: &AppState,
    key: String,
    content_type: &str,
    disposition: String,
) -> Result<Response, ApiError> {
    let blobs = state.files.blobs.clone();
    let blob = blocking(move || Ok(blobs.open(&key)?))
        .await?
        .ok_or_else(|| internal("file content missing from the blob store"))?;
    let mut response = Response::new(blob_body(blob.reader));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).map_err(internal)?,
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.len));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(internal)?,
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=2592000"),
    );
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContentQuery {
    download: Option<String>,
}

/// `GET /api/v4/files/{id}`: browser-safe images inline with their type,
/// everything else (and anything with `?download=1`) as an
/// `application/octet-stream` attachment.
async fn content(
    State(state): State<AppState>,
    caller: Caller,
    Path(file_id): Path<String>,
    QueryParams(query): QueryParams<ContentQuery>,
) -> Result<Response, ApiError> {
    let info = readable_file(&state, &caller, &file_id)?;
    let forced = query
        .download
        .as_deref()
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let inline = !forced && INLINE_IMAGE_TYPES.contains(&info.mime_type.as_str());
    let content_type = if inline {
        info.mime_type.as_str()
    } else {
        "application/octet-stream"
    };
    let disposition = content_disposition(inline, &info.name);
    send_blob(&state, info.path.clone(), content_type, disposition).await
}

async fn rendition(
    state: AppState,
    caller: Caller,
    file_id: String,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    let info = readable_file(&state, &caller, &file_id)?;
    let (key, what) = if thumbnail {
        (info.thumbnail_path.clone(), "thumbnail")
    } else {
        (info.preview_path.clone(), "preview")
    };
    if key.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            &format!("api.file.get_file_{what}.no_{what}.app_error"),
            format!("file_id: the file has no {what} image"),
        ));
    }
    let stem = info
        .name
        .rsplit_once('.')
        .map_or(info.name.as_str(), |s| s.0);
    let disposition = content_disposition(true, &format!("{stem}_{what}.jpg"));
    send_blob(&state, key, "image/jpeg", disposition).await
}

async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(file_id): Path<String>,
) -> Result<Response, ApiError> {
    rendition(state, caller, file_id, true).await
}

async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path(file_id): Path<String>,
) -> Result<Response, ApiError> {
    rendition(state, caller, file_id, false).await
}

async fn info(
    State(state): State<AppState>,
    caller: Caller,
    Path(file_id): Path<String>,
) -> Result<Json<FileInfo>, ApiError> {
    Ok(Json(readable_file(&state, &caller, &file_id)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PostFilesQuery {
    include_deleted: bool,
}

/// `GET /api/v4/posts/{id}/files/info`: the post's files, for whoever can
/// read the post (deleted ones for admins who ask).
async fn post_files(
    State(state): State<AppState>,
    caller: Caller,
    Path(post_id): Path<String>,
    QueryParams(query): QueryParams<PostFilesQuery>,
) -> Result<Json<Vec<FileInfo>>, ApiError> {
    let include_deleted = query.include_deleted && caller.is_admin();
    let post = state
        .services
        .chat
        .post(&post_id)?
        .filter(|p| p.delete_at == 0 || include_deleted)
        .ok_or_else(|| AppError::NotFound("post".into()))?;
    access::require_channel_read(&state.services, &caller, &post.channel_id)?;
    Ok(Json(
        state
            .files
            .meta
            .post_file_infos(&post_id, include_deleted)?,
    ))
}

// --- posts ---------------------------------------------------------------------

/// Checks the `file_ids` of a post the caller is creating and puts the
/// files into its `metadata.files` (a client's own `metadata.files` is
/// dropped). The store attaches them in the post's transaction.
pub(super) fn prepare_post_files(
    state: &AppState,
    caller: &Caller,
    post: &mut Post,
) -> Result<(), ApiError> {
    post.metadata.remove("files");
    if post.file_ids.is_empty() {
        return Ok(());
    }
    let infos = state
        .files
        .files_for_new_post(&post.file_ids, caller.id(), &post.channel_id)?;
    set_metadata_files(&mut post.metadata, &infos);
    Ok(())
}

// --- search ----------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchRequest {
    terms: String,
    is_or_search: bool,
    page: u32,
    per_page: Option<u32>,
}

/// Mattermost's `FileInfoList`.
#[derive(Serialize, Default)]
struct FileInfoList {
    order: Vec<String>,
    file_infos: Map<String, Value>,
    next_file_info_id: String,
    prev_file_info_id: String,
}

/// Words of the search terms; a `"quoted phrase"` is one word.
fn split_terms(terms: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in terms.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `POST /api/v4/teams/{id}/files/search`: file names by words, with
/// `in:<channel>`, `from:<username>` and `ext:<extension>`; only files of
/// channels the caller is a member of.
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<SearchRequest>,
) -> Result<Json<FileInfoList>, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    state.services.throttle.search(caller.id())?;
    if body.terms.chars().count() > MAX_SEARCH_TERMS_CHARS {
        return Err(invalid(format!(
            "terms: longer than {MAX_SEARCH_TERMS_CHARS} characters"
        )));
    }
    let tokens = split_terms(&body.terms);
    if tokens.len() > MAX_SEARCH_WORDS {
        return Err(invalid(format!(
            "terms: more than {MAX_SEARCH_WORDS} words"
        )));
    }
    let per_page = body.per_page.unwrap_or(60).clamp(1, 200);
    let mut search = FileSearch {
        team_id,
        member_id: caller.id().to_string(),
        any_word: body.is_or_search,
        offset: body.page.saturating_mul(per_page),
        limit: per_page,
        ..Default::default()
    };
    let mut usernames = Vec::new();
    for token in tokens {
        let lower = token.to_lowercase();
        if let Some(name) = lower
            .strip_prefix("in:")
            .or_else(|| lower.strip_prefix("channel:"))
        {
            search
                .channel_names
                .push(name.trim_start_matches('~').to_string());
        } else if let Some(name) = lower.strip_prefix("from:") {
            usernames.push(name.trim_start_matches('@').to_string());
        } else if let Some(ext) = lower.strip_prefix("ext:") {
            search
                .extensions
                .push(ext.trim_start_matches('.').to_string());
        } else if token.starts_with('-') || token.contains(':') {
            // Exclusions and date filters are not supported: ignored.
        } else {
            let word = token.trim_matches('*');
            if !word.is_empty() {
                search.words.push(word.to_string());
            }
        }
    }
    for name in &usernames {
        if let Some(user) = state.services.chat.user_by_username(name)? {
            search.user_ids.push(user.id);
        }
    }
    let mut list = FileInfoList::default();
    if usernames.is_empty() || !search.user_ids.is_empty() {
        for info in state.files.meta.search_file_infos(&search)? {
            list.order.push(info.id.clone());
            list.file_infos.insert(
                info.id.clone(),
                serde_json::to_value(&info).unwrap_or(Value::Null),
            );
        }
    }
    Ok(Json(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_cannot_be_broken_by_a_name() {
        let d = content_disposition(false, "a\";\r\nSet-Cookie: x=1; é.txt");
        assert!(HeaderValue::from_str(&d).is_ok(), "{d}");
        assert!(d.starts_with("attachment; filename=\"a__"), "{d}");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(
            d.ends_with("filename*=UTF-8''a%22%3B%0D%0ASet-Cookie%3A%20x%3D1%3B%20%C3%A9.txt"),
            "{d}"
        );
        assert_eq!(
            content_disposition(true, "p.png"),
            "inline; filename=\"p.png\"; filename*=UTF-8''p.png"
        );
    }

    #[test]
    fn terms_split_on_spaces_outside_quotes() {
        assert_eq!(
            split_terms(r#"in:town "incident report" ext:pdf  x"#),
            vec!["in:town", "incident report", "ext:pdf", "x"]
        );
    }
}
