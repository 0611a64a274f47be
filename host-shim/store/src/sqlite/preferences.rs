//! [`PreferenceStore`] on the `preferences` table (primary key user,
//! category, name).

use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, sql_int};
use crate::ports::preferences::{Preference, PreferenceStore};
use crate::ports::{StoreError, StoreResult};

fn preference_from_row(row: &Row<'_>) -> rusqlite::Result<Preference> {
    Ok(Preference {
        user_id: row.get(0)?,
        category: row.get(1)?,
        name: row.get(2)?,
        value: row.get(3)?,
    })
}

impl PreferenceStore for SqliteStore {
    fn preferences(&self, user_id: &str) -> StoreResult<Vec<Preference>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT user_id, category, name, value FROM preferences
                 WHERE user_id = ?1 ORDER BY category, name",
            )?;
            let rows = stmt
                .query_map([user_id], preference_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn preferences_in(&self, user_id: &str, category: &str) -> StoreResult<Vec<Preference>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT user_id, category, name, value FROM preferences
                 WHERE user_id = ?1 AND category = ?2 ORDER BY name",
            )?;
            let rows = stmt
                .query_map([user_id, category], preference_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> StoreResult<Option<Preference>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT user_id, category, name, value FROM preferences
                     WHERE user_id = ?1 AND category = ?2 AND name = ?3",
                )?
                .query_row([user_id, category, name], preference_from_row)
                .optional()?)
        })
    }

    fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
        max_total: u32,
    ) -> StoreResult<()> {
        self.write(|tx| {
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO preferences (user_id, category, name, value)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
                )?;
                for p in preferences {
                    stmt.execute(params![user_id, p.category, p.name, p.value])?;
                }
            }
            let total: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM preferences WHERE user_id = ?1")?
                .query_row([user_id], |row| row.get(0))?;
            if total > sql_int(max_total) {
                // Returning an error rolls the inserts back.
                return Err(StoreError::Invalid(format!(
                    "preferences: at most {max_total} per user"
                )));
            }
            Ok(())
        })
    }

    fn delete_preferences(&self, user_id: &str, preferences: &[Preference]) -> StoreResult<u64> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "DELETE FROM preferences WHERE user_id = ?1 AND category = ?2 AND name = ?3",
            )?;
            let mut deleted = 0;
            for p in preferences {
                deleted += stmt.execute(params![user_id, p.category, p.name])? as u64;
            }
            Ok(deleted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::tests::temp_store;

    fn pref(user_id: &str, category: &str, name: &str, value: &str) -> Preference {
        Preference {
            user_id: user_id.into(),
            category: category.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn save_replaces_reads_by_category_and_deletes() {
        let (_dir, store) = temp_store();
        let user = crate::sqlite::tests::stored_user(&store, "a");
        let id = user.id.as_str();
        store
            .save_preferences(
                id,
                &[
                    pref(id, "favorite_channel", "c1", "true"),
                    pref(id, "display_settings", "x", "1"),
                ],
                10,
            )
            .unwrap();
        store
            .save_preferences(id, &[pref(id, "favorite_channel", "c1", "false")], 10)
            .unwrap();
        assert_eq!(store.preferences(id).unwrap().len(), 2);
        assert_eq!(
            store.preferences_in(id, "favorite_channel").unwrap(),
            vec![pref(id, "favorite_channel", "c1", "false")]
        );
        assert_eq!(
            store.preference(id, "display_settings", "x").unwrap(),
            Some(pref(id, "display_settings", "x", "1"))
        );
        assert_eq!(store.preference(id, "display_settings", "y").unwrap(), None);
        let deleted = store
            .delete_preferences(
                id,
                &[
                    pref(id, "favorite_channel", "c1", ""),
                    pref(id, "n", "n", ""),
                ],
            )
            .unwrap();
        assert_eq!(deleted, 1);
        assert_eq!(store.preferences(id).unwrap().len(), 1);
    }

    #[test]
    fn the_total_per_user_is_bounded_and_nothing_is_stored_past_it() {
        let (_dir, store) = temp_store();
        let user = crate::sqlite::tests::stored_user(&store, "a");
        let id = user.id.as_str();
        let three: Vec<_> = (0..3)
            .map(|i| pref(id, "c", &format!("n{i}"), "v"))
            .collect();
        store.save_preferences(id, &three, 3).unwrap();
        let more = vec![pref(id, "c", "n0", "w"), pref(id, "c", "n9", "v")];
        assert!(matches!(
            store.save_preferences(id, &more, 3),
            Err(StoreError::Invalid(_))
        ));
        // All or nothing: n0 kept its value.
        assert_eq!(store.preference(id, "c", "n0").unwrap().unwrap().value, "v");
        // Replacing within the bound is fine.
        store.save_preferences(id, &more[..1], 3).unwrap();
    }

    #[test]
    fn unknown_users_have_no_preferences_stored() {
        let (_dir, store) = temp_store();
        assert_eq!(
            store.save_preferences("nobody", &[pref("nobody", "c", "n", "v")], 10),
            Err(StoreError::NotFound)
        );
    }
}
