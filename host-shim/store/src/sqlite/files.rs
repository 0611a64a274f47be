//! [`FileStore`]: uploaded files' metadata (`file_infos`), and the two
//! helpers the post transactions of [`ChatStore`](crate::ChatStore) call:
//! attaching a new post's files and marking a deleted post's files deleted.

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};

use super::{SqliteStore, sql_int};
use crate::model::Post;
use crate::ports::files::{FileInfo, FileSearch, FileStore};
use crate::ports::{StoreError, StoreResult};

macro_rules! file_select {
    () => {
        "SELECT f.id, f.creator_id, f.post_id, f.channel_id, f.create_at, f.update_at,
                f.delete_at, f.name, f.extension, f.size, f.mime_type, f.width, f.height,
                f.has_preview_image, f.mini_preview, f.path, f.thumbnail_path, f.preview_path
         FROM file_infos AS f"
    };
}

fn file_from_row(row: &Row<'_>) -> rusqlite::Result<FileInfo> {
    Ok(FileInfo {
        id: row.get(0)?,
        user_id: row.get(1)?,
        post_id: row.get(2)?,
        channel_id: row.get(3)?,
        create_at: row.get(4)?,
        update_at: row.get(5)?,
        delete_at: row.get(6)?,
        name: row.get(7)?,
        extension: row.get(8)?,
        size: row.get(9)?,
        mime_type: row.get(10)?,
        width: row.get(11)?,
        height: row.get(12)?,
        has_preview_image: row.get(13)?,
        mini_preview: row.get(14)?,
        path: row.get(15)?,
        thumbnail_path: row.get(16)?,
        preview_path: row.get(17)?,
    })
}

/// Attaches `post.file_ids` to the post being inserted in `tx`. Each file
/// must exist, not be deleted, have been uploaded by the post's author to
/// the post's channel, and not be attached yet; otherwise the whole
/// transaction fails with [`StoreError::Invalid`] naming `file_ids` (the
/// API checks the same first to give precise errors; this makes the rule
/// hold under races, e.g. one upload sent in two posts at once).
pub(super) fn attach_to_post(tx: &Transaction<'_>, post: &Post) -> StoreResult<()> {
    for file_id in &post.file_ids {
        let changed = tx
            .prepare_cached(
                "UPDATE file_infos SET post_id = ?2, update_at = ?3
                 WHERE id = ?1 AND post_id = '' AND delete_at = 0
                   AND creator_id = ?4 AND channel_id = ?5",
            )?
            .execute(params![
                file_id,
                post.id,
                post.create_at,
                post.user_id,
                post.channel_id
            ])?;
        if changed != 1 {
            return Err(StoreError::Invalid(format!(
                "file_ids: file {file_id} cannot be attached to this post"
            )));
        }
    }
    Ok(())
}

/// Marks the files of `post_id` (and, with `with_replies`, of its replies)
/// deleted at `at_ms`, in the post deletion's transaction.
pub(super) fn delete_post_files(
    tx: &Transaction<'_>,
    post_id: &str,
    with_replies: bool,
    at_ms: i64,
) -> StoreResult<()> {
    tx.prepare_cached(
        "UPDATE file_infos SET delete_at = ?2, update_at = ?2
         WHERE post_id = ?1 AND delete_at = 0",
    )?
    .execute(params![post_id, at_ms])?;
    if with_replies {
        tx.prepare_cached(
            "UPDATE file_infos SET delete_at = ?2, update_at = ?2
             WHERE delete_at = 0 AND post_id IN (SELECT id FROM posts WHERE root_id = ?1)",
        )?
        .execute(params![post_id, at_ms])?;
    }
    Ok(())
}

/// `%`, `_` and `\` taken literally in a `LIKE … ESCAPE '\'` pattern.
fn like_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl FileStore for SqliteStore {
    fn create_file_info(&self, info: &FileInfo) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO file_infos (id, creator_id, post_id, channel_id, create_at,
                                         update_at, delete_at, name, extension, size, mime_type,
                                         width, height, has_preview_image, mini_preview, path,
                                         thumbnail_path, preview_path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18)",
            )?
            .execute(params![
                info.id,
                info.user_id,
                info.post_id,
                info.channel_id,
                info.create_at,
                info.update_at,
                info.delete_at,
                info.name,
                info.extension,
                info.size,
                info.mime_type,
                info.width,
                info.height,
                info.has_preview_image,
                info.mini_preview,
                info.path,
                info.thumbnail_path,
                info.preview_path,
            ])?;
            Ok(())
        })
    }

    fn file_info(&self, id: &str) -> StoreResult<Option<FileInfo>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(file_select!(), " WHERE f.id = ?1"))?
                .query_row([id], file_from_row)
                .optional()?)
        })
    }

    fn file_infos(&self, ids: &[String]) -> StoreResult<Vec<FileInfo>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(concat!(file_select!(), " WHERE f.id = ?1"))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(info) = stmt.query_row([id], file_from_row).optional()? {
                    out.push(info);
                }
            }
            Ok(out)
        })
    }

    fn post_file_infos(&self, post_id: &str, include_deleted: bool) -> StoreResult<Vec<FileInfo>> {
        self.read(|tx| {
            let rows = tx
                .prepare_cached(concat!(
                    file_select!(),
                    " WHERE f.post_id = ?1 AND (?2 OR f.delete_at = 0)
                      ORDER BY f.create_at, f.id"
                ))?
                .query_map(params![post_id, include_deleted], file_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn search_file_infos(&self, search: &FileSearch) -> StoreResult<Vec<FileInfo>> {
        if search.member_id.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(concat!(
            file_select!(),
            " JOIN channels AS c ON c.id = f.channel_id
              JOIN channel_members AS m ON m.channel_id = f.channel_id AND m.user_id = ?
              WHERE f.delete_at = 0 AND f.post_id != '' AND (c.team_id = ? OR c.team_id = '')"
        ));
        let mut values: Vec<SqlValue> = vec![
            SqlValue::Text(search.member_id.clone()),
            SqlValue::Text(search.team_id.clone()),
        ];
        if !search.words.is_empty() {
            let joiner = if search.any_word { " OR " } else { " AND " };
            let clause = vec!["f.name LIKE ? ESCAPE '\\'"; search.words.len()].join(joiner);
            sql.push_str(&format!(" AND ({clause})"));
            values.extend(
                search
                    .words
                    .iter()
                    .map(|w| SqlValue::Text(format!("%{}%", like_escape(w)))),
            );
        }
        for (column, list) in [
            ("c.name", &search.channel_names),
            ("f.creator_id", &search.user_ids),
            ("f.extension", &search.extensions),
        ] {
            if !list.is_empty() {
                sql.push_str(&format!(
                    " AND {column} IN ({})",
                    super::placeholders(list.len())
                ));
                values.extend(list.iter().cloned().map(SqlValue::Text));
            }
        }
        sql.push_str(" ORDER BY f.create_at DESC, f.id LIMIT ? OFFSET ?");
        values.push(SqlValue::Integer(sql_int(search.limit)));
        values.push(SqlValue::Integer(sql_int(search.offset)));
        self.read(|tx| {
            let rows = tx
                .prepare(&sql)?
                .query_map(params_from_iter(values), file_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
