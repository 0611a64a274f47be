//! [`ChatStore`]: users, plugin bots, teams, channels, memberships, posts and
//! plugin slash commands, one column per Mattermost field.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{SqliteStore, json_column_error, sql_int};
use crate::model::{
    Channel, ChannelMembership, CommandRegistration, Post, PostEffects, PostQuery, Team,
    TeamMembership, User, UserQuery,
};
use crate::ports::chat::ChatStore;
use crate::ports::{StoreError, StoreResult};

/// Page size used when a [`PostQuery`] asks for `per_page = 0`
/// (Mattermost's default).
pub const DEFAULT_POSTS_PER_PAGE: u32 = 60;
/// Most posts a `since` query returns (Mattermost's limit too).
pub const SINCE_LIMIT: u32 = 1000;

macro_rules! user_select {
    () => {
        "SELECT id, create_at, update_at, delete_at, username, email, nickname, first_name,
                last_name, roles, locale, is_bot
         FROM users"
    };
}

macro_rules! team_select {
    () => {
        "SELECT id, create_at, update_at, delete_at, display_name, name, description, email, type
         FROM teams"
    };
}

macro_rules! channel_select {
    () => {
        "SELECT id, create_at, update_at, delete_at, team_id, type, display_name, name, header,
                purpose, last_post_at, total_msg_count, creator_id
         FROM channels"
    };
}

/// Posts with their thread's reply count computed as Mattermost does: the
/// non-deleted replies of the root (of the post itself when it is a root).
macro_rules! post_select {
    () => {
        "SELECT id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id,
                root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id,
                metadata,
                (SELECT COUNT(*) FROM posts AS r
                 WHERE r.root_id = CASE WHEN p.root_id = '' THEN p.id ELSE p.root_id END
                   AND r.delete_at = 0),
                has_reactions
         FROM posts AS p"
    };
}

macro_rules! command_select {
    () => {
        "SELECT plugin_id, trigger, display_name, description, auto_complete, auto_complete_desc,
                auto_complete_hint, autocomplete_data
         FROM commands"
    };
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        username: row.get(4)?,
        email: row.get(5)?,
        nickname: row.get(6)?,
        first_name: row.get(7)?,
        last_name: row.get(8)?,
        roles: row.get(9)?,
        locale: row.get(10)?,
        is_bot: row.get(11)?,
    })
}

fn team_from_row(row: &Row<'_>) -> rusqlite::Result<Team> {
    Ok(Team {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        display_name: row.get(4)?,
        name: row.get(5)?,
        description: row.get(6)?,
        email: row.get(7)?,
        team_type: row.get(8)?,
    })
}

fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<Channel> {
    Ok(Channel {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        team_id: row.get(4)?,
        channel_type: row.get(5)?,
        display_name: row.get(6)?,
        name: row.get(7)?,
        header: row.get(8)?,
        purpose: row.get(9)?,
        last_post_at: row.get(10)?,
        total_msg_count: row.get(11)?,
        creator_id: row.get(12)?,
    })
}

fn json_column<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| json_column_error(index, e))
}

fn post_from_row(row: &Row<'_>) -> rusqlite::Result<Post> {
    Ok(Post {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        edit_at: row.get(3)?,
        delete_at: row.get(4)?,
        is_pinned: row.get(5)?,
        user_id: row.get(6)?,
        channel_id: row.get(7)?,
        root_id: row.get(8)?,
        original_id: row.get(9)?,
        message: row.get(10)?,
        post_type: row.get(11)?,
        props: json_column(row, 12)?,
        hashtags: row.get(13)?,
        file_ids: json_column(row, 14)?,
        pending_post_id: row.get(15)?,
        metadata: json_column(row, 16)?,
        reply_count: row.get(17)?,
        has_reactions: row.get(18)?,
    })
}

fn command_from_row(row: &Row<'_>) -> rusqlite::Result<CommandRegistration> {
    Ok(CommandRegistration {
        plugin_id: row.get(0)?,
        trigger: row.get(1)?,
        display_name: row.get(2)?,
        description: row.get(3)?,
        auto_complete: row.get(4)?,
        auto_complete_desc: row.get(5)?,
        auto_complete_hint: row.get(6)?,
        autocomplete_data: row.get(7)?,
    })
}

fn to_json<T: serde::Serialize>(what: &str, value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("{what}: {e}")))
}

/// `NotFound` when an `UPDATE`/`DELETE` by id touched nothing.
fn found(changed: usize) -> StoreResult<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

fn insert_user(tx: &Transaction<'_>, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO users (id, create_at, update_at, delete_at, username, email, nickname,
                            first_name, last_name, roles, locale, is_bot, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        user.id,
        user.create_at,
        user.update_at,
        user.delete_at,
        user.username,
        user.email,
        user.nickname,
        user.first_name,
        user.last_name,
        user.roles,
        user.locale,
        user.is_bot,
        password_hash,
    ])?;
    Ok(())
}

pub(super) fn query_post(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<Option<Post>> {
    tx.prepare_cached(concat!(post_select!(), " WHERE id = ?1"))?
        .query_row([id], post_from_row)
        .optional()
}

fn collect<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, map)?
        .collect::<rusqlite::Result<Vec<T>>>()?;
    Ok(rows)
}

impl ChatStore for SqliteStore {
    // --- users -------------------------------------------------------------

    fn create_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        self.write(|tx| insert_user(tx, user, password_hash))
    }

    /// Replaces every field but `id` and `create_at` (not the password).
    fn update_user(&self, user: &User) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE users SET update_at = ?2, delete_at = ?3, username = ?4, email = ?5,
                            nickname = ?6, first_name = ?7, last_name = ?8, roles = ?9,
                            locale = ?10, is_bot = ?11
                     WHERE id = ?1",
                )?
                .execute(params![
                    user.id,
                    user.update_at,
                    user.delete_at,
                    user.username,
                    user.email,
                    user.nickname,
                    user.first_name,
                    user.last_name,
                    user.roles,
                    user.locale,
                    user.is_bot,
                ])?;
            found(changed)
        })
    }

    fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(user_select!(), " WHERE id = ?1"))?
                .query_row([id], user_from_row)
                .optional()?)
        })
    }

    fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(user_select!(), " WHERE username = ?1"))?
                .query_row([username], user_from_row)
                .optional()?)
        })
    }

    fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(user_select!(), " WHERE email = ?1"))?
                .query_row([email], user_from_row)
                .optional()?)
        })
    }

    /// Each existing user once, in the order first requested.
    fn users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<User>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(concat!(user_select!(), " WHERE id = ?1"))?;
            let mut seen = HashSet::new();
            let mut users = Vec::with_capacity(ids.len());
            for id in ids {
                if seen.insert(id.as_str())
                    && let Some(user) = stmt.query_row([id], user_from_row).optional()?
                {
                    users.push(user);
                }
            }
            Ok(users)
        })
    }

    /// Counts people: bot accounts are left out (as Mattermost's user count
    /// does by default), deactivated users are included. A plugin bot created
    /// before the first sign-up therefore does not stop the first person
    /// from being treated as the first user.
    fn user_count(&self) -> StoreResult<u64> {
        self.read(|tx| {
            let count: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM users WHERE is_bot = 0")?
                .query_row([], |row| row.get(0))?;
            Ok(count.max(0) as u64)
        })
    }

    fn create_signed_up_user(
        &self,
        user: &User,
        password_hash: &str,
        first_roles: &str,
        first_only: bool,
    ) -> StoreResult<Option<User>> {
        // `write` holds the one writer connection in an IMMEDIATE
        // transaction: no other sign-up can count or insert in between.
        self.write(|tx| {
            let first = tx
                .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM users WHERE is_bot = 0)")?
                .query_row([], |row| row.get::<_, bool>(0))?;
            if first_only && !first {
                return Ok(None);
            }
            let mut user = user.clone();
            if first {
                user.roles = first_roles.to_string();
            }
            insert_user(tx, &user, Some(password_hash))?;
            Ok(Some(user))
        })
    }

    fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        self.read(|tx| {
            let hash: Option<Option<String>> = tx
                .prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
                .query_row([user_id], |row| row.get(0))
                .optional()?;
            Ok(hash.flatten())
        })
    }

    fn search_users(&self, query: &UserQuery) -> StoreResult<Vec<User>> {
        let (tail, args) = directory::user_query_sql(query);
        let sql = format!("{} AS u{tail}", user_select!());
        self.read(|tx| {
            let mut stmt = tx.prepare(&sql)?;
            let users = stmt
                .query_map(rusqlite::params_from_iter(args), user_from_row)?
                .collect::<rusqlite::Result<Vec<User>>>()?;
            Ok(users)
        })
    }

    // --- plugin bots --------------------------------------------------------

    fn plugin_bot(&self, plugin_id: &str) -> StoreResult<Option<String>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT user_id FROM plugin_bots WHERE plugin_id = ?1")?
                .query_row([plugin_id], |row| row.get(0))
                .optional()?)
        })
    }

    /// The user is stored with `is_bot` set and no password whatever `bot`
    /// says. A plugin that already has a bot is a `Conflict("plugin bot")`.
    fn create_plugin_bot(&self, plugin_id: &str, bot: &User) -> StoreResult<()> {
        self.write(|tx| {
            let bot = User {
                is_bot: true,
                ..bot.clone()
            };
            insert_user(tx, &bot, None)?;
            tx.prepare_cached("INSERT INTO plugin_bots (plugin_id, user_id) VALUES (?1, ?2)")?
                .execute(params![plugin_id, bot.id])?;
            Ok(())
        })
    }

    // --- teams ---------------------------------------------------------------

    fn create_team(&self, team: &Team) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO teams (id, create_at, update_at, delete_at, display_name, name,
                                    description, email, type)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                team.id,
                team.create_at,
                team.update_at,
                team.delete_at,
                team.display_name,
                team.name,
                team.description,
                team.email,
                team.team_type,
            ])?;
            Ok(())
        })
    }

    fn team(&self, id: &str) -> StoreResult<Option<Team>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(team_select!(), " WHERE id = ?1"))?
                .query_row([id], team_from_row)
                .optional()?)
        })
    }

    fn team_by_name(&self, name: &str) -> StoreResult<Option<Team>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(team_select!(), " WHERE name = ?1"))?
                .query_row([name], team_from_row)
                .optional()?)
        })
    }

    /// An existing membership keeps its roles. Unknown team or user: `NotFound`.
    fn add_team_member(&self, team_id: &str, user_id: &str, roles: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO team_members (team_id, user_id, roles) VALUES (?1, ?2, ?3)
                 ON CONFLICT (team_id, user_id) DO NOTHING",
            )?
            .execute(params![team_id, user_id, roles])?;
            Ok(())
        })
    }

    fn is_team_member(&self, team_id: &str, user_id: &str) -> StoreResult<bool> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = ?1 AND user_id = ?2)",
                )?
                .query_row(params![team_id, user_id], |row| row.get(0))?)
        })
    }

    fn team_member_roles(&self, team_id: &str, user_id: &str) -> StoreResult<Option<String>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT roles FROM team_members WHERE team_id = ?1 AND user_id = ?2",
                )?
                .query_row(params![team_id, user_id], |row| row.get(0))
                .optional()?)
        })
    }

    /// Ordered by display name, then name.
    fn teams_for_user(&self, user_id: &str) -> StoreResult<Vec<Team>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    team_select!(),
                    " WHERE id IN (SELECT team_id FROM team_members WHERE user_id = ?1)
                      ORDER BY display_name, name"
                ),
                [user_id],
                team_from_row,
            )
        })
    }

    fn listed_teams(
        &self,
        member_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<Team>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    team_select!(),
                    " WHERE delete_at = 0
                        AND (?1 IS NULL OR type = 'O'
                             OR id IN (SELECT team_id FROM team_members WHERE user_id = ?1))
                      ORDER BY display_name, name LIMIT ?2 OFFSET ?3"
                ),
                params![member_id, sql_int(limit), sql_int(offset)],
                team_from_row,
            )
        })
    }

    fn team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<TeamMembership>> {
        self.read(|tx| {
            collect(
                tx,
                "SELECT tm.team_id, tm.user_id, tm.roles
                 FROM team_members AS tm JOIN users AS u ON u.id = tm.user_id
                 WHERE tm.team_id = ?1
                 ORDER BY u.username LIMIT ?2 OFFSET ?3",
                params![team_id, sql_int(limit), sql_int(offset)],
                |row| {
                    Ok(TeamMembership {
                        team_id: row.get(0)?,
                        user_id: row.get(1)?,
                        roles: row.get(2)?,
                    })
                },
            )
        })
    }

    // --- channels ------------------------------------------------------------

    fn create_channel(&self, channel: &Channel) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO channels (id, create_at, update_at, delete_at, team_id, type,
                                       display_name, name, header, purpose, last_post_at,
                                       total_msg_count, creator_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                channel.id,
                channel.create_at,
                channel.update_at,
                channel.delete_at,
                channel.team_id,
                channel.channel_type,
                channel.display_name,
                channel.name,
                channel.header,
                channel.purpose,
                channel.last_post_at,
                channel.total_msg_count,
                channel.creator_id,
            ])?;
            Ok(())
        })
    }

    fn update_channel(&self, channel: &Channel) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE channels SET display_name = ?2, header = ?3, purpose = ?4,
                            delete_at = ?5, update_at = ?6
                     WHERE id = ?1",
                )?
                .execute(params![
                    channel.id,
                    channel.display_name,
                    channel.header,
                    channel.purpose,
                    channel.delete_at,
                    channel.update_at,
                ])?;
            found(changed)
        })
    }

    fn channel(&self, id: &str) -> StoreResult<Option<Channel>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(channel_select!(), " WHERE id = ?1"))?
                .query_row([id], channel_from_row)
                .optional()?)
        })
    }

    fn channel_by_name(&self, team_id: &str, name: &str) -> StoreResult<Option<Channel>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(
                    channel_select!(),
                    " WHERE team_id = ?1 AND name = ?2"
                ))?
                .query_row(params![team_id, name], channel_from_row)
                .optional()?)
        })
    }

    /// Unknown channel or user: `NotFound`.
    fn add_channel_member(&self, channel_id: &str, user_id: &str, at_ms: i64) -> StoreResult<bool> {
        self.write(|tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO channel_members (channel_id, user_id, joined_at, last_update_at)
                     VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (channel_id, user_id) DO NOTHING",
                )?
                .execute(params![channel_id, user_id, at_ms])?;
            Ok(inserted == 1)
        })
    }

    fn remove_channel_member(&self, channel_id: &str, user_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached(
                    "DELETE FROM channel_members WHERE channel_id = ?1 AND user_id = ?2",
                )?
                .execute(params![channel_id, user_id])?;
            Ok(removed > 0)
        })
    }

    fn is_channel_member(&self, channel_id: &str, user_id: &str) -> StoreResult<bool> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM channel_members
                                    WHERE channel_id = ?1 AND user_id = ?2)",
                )?
                .query_row(params![channel_id, user_id], |row| row.get(0))?)
        })
    }

    fn channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT user_id FROM channel_members WHERE channel_id = ?1
                 ORDER BY joined_at, user_id LIMIT ?2 OFFSET ?3",
            )?;
            let ids = stmt
                .query_map(
                    params![channel_id, sql_int(limit), sql_int(offset)],
                    |row| row.get(0),
                )?
                .collect::<rusqlite::Result<_>>()?;
            Ok(ids)
        })
    }

    /// Archived channels are included (callers check `delete_at`); ordered by
    /// display name, then id.
    fn channels_for_user(&self, team_id: &str, user_id: &str) -> StoreResult<Vec<Channel>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    channel_select!(),
                    " WHERE id IN (SELECT channel_id FROM channel_members WHERE user_id = ?2)
                        AND (team_id = ?1 OR team_id = '')
                      ORDER BY display_name, id"
                ),
                params![team_id, user_id],
                channel_from_row,
            )
        })
    }

    fn public_channels(&self, team_id: &str, offset: u32, limit: u32) -> StoreResult<Vec<Channel>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    channel_select!(),
                    " WHERE team_id = ?1 AND type = 'O' AND delete_at = 0
                      ORDER BY display_name, id LIMIT ?2 OFFSET ?3"
                ),
                params![team_id, sql_int(limit), sql_int(offset)],
                channel_from_row,
            )
        })
    }

    // --- memberships and unread counters ------------------------------------

    fn channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<ChannelMembership>> {
        self.read(|tx| members::membership(tx, channel_id, user_id))
    }

    fn channel_memberships(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<ChannelMembership>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    members::membership_select!(),
                    " WHERE m.channel_id = ?1 ORDER BY m.joined_at, m.user_id LIMIT ?2 OFFSET ?3"
                ),
                params![channel_id, sql_int(limit), sql_int(offset)],
                members::membership_from_row,
            )
        })
    }

    fn memberships_for_user(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<ChannelMembership>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    members::membership_select!(),
                    " JOIN channels AS c ON c.id = m.channel_id
                      WHERE m.user_id = ?2 AND (c.team_id = ?1 OR c.team_id = '')
                      ORDER BY c.display_name, c.id"
                ),
                params![team_id, user_id],
                members::membership_from_row,
            )
        })
    }

    fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        at_ms: i64,
    ) -> StoreResult<Option<ChannelMembership>> {
        self.write(|tx| {
            if members::mark_viewed(tx, channel_id, user_id, at_ms)? {
                members::membership(tx, channel_id, user_id)
            } else {
                Ok(None)
            }
        })
    }

    fn add_mentions(
        &self,
        channel_id: &str,
        user_ids: &[String],
        at_ms: i64,
    ) -> StoreResult<Vec<String>> {
        self.write(|tx| members::bump_mentions(tx, channel_id, user_ids, "", at_ms))
    }

    // --- posts ---------------------------------------------------------------

    /// The stored `reply_count` is ignored (it is computed on read). An unknown
    /// channel is `NotFound`, a duplicate id `Conflict("post id")`. Mentions
    /// and the author's read state are applied after the channel's counters,
    /// so the author's `msg_count` includes this post.
    fn create_post_with(&self, post: &Post, effects: &PostEffects) -> StoreResult<Vec<String>> {
        let props = to_json("props", &post.props)?;
        let file_ids = to_json("file_ids", &post.file_ids)?;
        let metadata = to_json("metadata", &post.metadata)?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned,
                                    user_id, channel_id, root_id, original_id, message, type,
                                    props, hashtags, file_ids, pending_post_id, metadata)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                         ?16, ?17)",
            )?
            .execute(params![
                post.id,
                post.create_at,
                post.update_at,
                post.edit_at,
                post.delete_at,
                post.is_pinned,
                post.user_id,
                post.channel_id,
                post.root_id,
                post.original_id,
                post.message,
                post.post_type,
                props,
                post.hashtags,
                file_ids,
                post.pending_post_id,
                metadata,
            ])?;
            super::files::attach_to_post(tx, post)?;
            let changed = tx
                .prepare_cached(
                    "UPDATE channels SET last_post_at = MAX(last_post_at, ?2),
                            total_msg_count = total_msg_count + 1
                     WHERE id = ?1",
                )?
                .execute(params![post.channel_id, post.create_at])?;
            found(changed)?;
            let mut mentioned = effects.mention_user_ids.clone();
            if effects.mention_all_members {
                mentioned.extend(members::other_members(tx, &post.channel_id, &post.user_id)?);
            }
            let mentioned = members::bump_mentions(
                tx,
                &post.channel_id,
                &mentioned,
                &post.user_id,
                post.create_at,
            )?;
            if effects.author_viewed {
                members::mark_viewed(tx, &post.channel_id, &post.user_id, post.create_at)?;
            }
            Ok(mentioned)
        })
    }

    fn update_post(&self, post: &Post) -> StoreResult<()> {
        let props = to_json("props", &post.props)?;
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE posts SET message = ?2, props = ?3, type = ?4, is_pinned = ?5,
                            edit_at = ?6, update_at = ?7
                     WHERE id = ?1",
                )?
                .execute(params![
                    post.id,
                    post.message,
                    props,
                    post.post_type,
                    post.is_pinned,
                    post.edit_at,
                    post.update_at,
                ])?;
            found(changed)
        })
    }

    /// Sets `delete_at` and `update_at` to `at_ms` on the post and, for a
    /// root, on its replies; already deleted posts keep their time. Unknown
    /// post: `NotFound`.
    fn delete_post(&self, post_id: &str, at_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            let root_id: Option<String> = tx
                .prepare_cached("SELECT root_id FROM posts WHERE id = ?1")?
                .query_row([post_id], |row| row.get(0))
                .optional()?;
            let root_id = root_id.ok_or(StoreError::NotFound)?;
            tx.prepare_cached(
                "UPDATE posts SET delete_at = ?2, update_at = ?2 WHERE id = ?1 AND delete_at = 0",
            )?
            .execute(params![post_id, at_ms])?;
            if root_id.is_empty() {
                tx.prepare_cached(
                    "UPDATE posts SET delete_at = ?2, update_at = ?2
                     WHERE root_id = ?1 AND delete_at = 0",
                )?
                .execute(params![post_id, at_ms])?;
            }
            super::files::delete_post_files(tx, post_id, root_id.is_empty(), at_ms)?;
            Ok(())
        })
    }

    fn post(&self, id: &str) -> StoreResult<Option<Post>> {
        self.read(|tx| Ok(query_post(tx, id)?))
    }

    /// Mattermost's rules, checked in this order:
    /// * `since`: every post (deleted ones too) with `update_at > since`, at
    ///   most [`SINCE_LIMIT`]; `page`/`per_page` are ignored.
    /// * `after`: the `per_page` posts right after that post (skipping
    ///   `page * per_page`), returned newest first.
    /// * `before`: the `per_page` posts right before that post (skipping
    ///   `page * per_page`).
    /// * otherwise page `page` of `per_page` posts, newest first.
    ///
    /// Ties on `create_at` are broken by id, so paging never skips or repeats a
    /// post. An unknown `before`/`after` post gives an empty list; an empty id
    /// is ignored. `per_page = 0` means [`DEFAULT_POSTS_PER_PAGE`].
    fn channel_posts(&self, channel_id: &str, query: &PostQuery) -> StoreResult<Vec<Post>> {
        let per_page = if query.per_page == 0 {
            DEFAULT_POSTS_PER_PAGE
        } else {
            query.per_page
        };
        let limit = sql_int(per_page);
        let offset = sql_int(query.page) * limit;
        let deleted = query.include_deleted;
        let after = query.after.as_deref().filter(|id| !id.is_empty());
        let before = query.before.as_deref().filter(|id| !id.is_empty());
        self.read(|tx| {
            if let Some(since) = query.since {
                return collect(
                    tx,
                    concat!(
                        post_select!(),
                        " WHERE channel_id = ?1 AND update_at > ?2
                          ORDER BY create_at DESC, id DESC LIMIT ?3"
                    ),
                    params![channel_id, since, sql_int(SINCE_LIMIT)],
                    post_from_row,
                );
            }
            let anchor_id = match after.or(before) {
                Some(id) => id,
                None => {
                    return collect(
                        tx,
                        concat!(
                            post_select!(),
                            " WHERE channel_id = ?1 AND (?2 OR delete_at = 0)
                              ORDER BY create_at DESC, id DESC LIMIT ?3 OFFSET ?4"
                        ),
                        params![channel_id, deleted, limit, offset],
                        post_from_row,
                    );
                }
            };
            let anchor: Option<i64> = tx
                .prepare_cached("SELECT create_at FROM posts WHERE id = ?1")?
                .query_row([anchor_id], |row| row.get(0))
                .optional()?;
            let Some(anchor_at) = anchor else {
                return Ok(Vec::new());
            };
            if after.is_some() {
                let mut posts = collect(
                    tx,
                    concat!(
                        post_select!(),
                        " WHERE channel_id = ?1 AND (?2 OR delete_at = 0)
                            AND (create_at > ?3 OR (create_at = ?3 AND id > ?4))
                          ORDER BY create_at, id LIMIT ?5 OFFSET ?6"
                    ),
                    params![channel_id, deleted, anchor_at, anchor_id, limit, offset],
                    post_from_row,
                )?;
                posts.reverse();
                Ok(posts)
            } else {
                collect(
                    tx,
                    concat!(
                        post_select!(),
                        " WHERE channel_id = ?1 AND (?2 OR delete_at = 0)
                            AND (create_at < ?3 OR (create_at = ?3 AND id < ?4))
                          ORDER BY create_at DESC, id DESC LIMIT ?5 OFFSET ?6"
                    ),
                    params![channel_id, deleted, anchor_at, anchor_id, limit, offset],
                    post_from_row,
                )
            }
        })
    }

    /// Given a reply's id, returns that reply's whole thread. The root is
    /// returned even when deleted (callers check `delete_at`); unknown id:
    /// empty list.
    fn thread(&self, root_id: &str) -> StoreResult<Vec<Post>> {
        self.read(|tx| {
            let Some(mut root) = query_post(tx, root_id)? else {
                return Ok(Vec::new());
            };
            if !root.root_id.is_empty() {
                match query_post(tx, &root.root_id)? {
                    Some(actual) => root = actual,
                    None => return Ok(Vec::new()),
                }
            }
            let replies = collect(
                tx,
                concat!(
                    post_select!(),
                    " WHERE root_id = ?1 AND delete_at = 0 ORDER BY create_at, id"
                ),
                [&root.id],
                post_from_row,
            )?;
            let mut thread = Vec::with_capacity(replies.len() + 1);
            thread.push(root);
            thread.extend(replies);
            Ok(thread)
        })
    }

    // --- plugin slash commands ------------------------------------------------

    fn register_command(&self, command: &CommandRegistration) -> StoreResult<()> {
        self.write(|tx| {
            let owner: Option<String> = tx
                .prepare_cached("SELECT plugin_id FROM commands WHERE trigger = ?1")?
                .query_row([&command.trigger], |row| row.get(0))
                .optional()?;
            if owner.is_some_and(|owner| owner != command.plugin_id) {
                return Err(StoreError::Conflict("command trigger".into()));
            }
            tx.prepare_cached(
                "INSERT OR REPLACE INTO commands (trigger, plugin_id, display_name, description,
                                                  auto_complete, auto_complete_desc,
                                                  auto_complete_hint, autocomplete_data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                command.trigger,
                command.plugin_id,
                command.display_name,
                command.description,
                command.auto_complete,
                command.auto_complete_desc,
                command.auto_complete_hint,
                command.autocomplete_data,
            ])?;
            Ok(())
        })
    }

    fn unregister_command(&self, plugin_id: &str, trigger: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM commands WHERE trigger = ?1 AND plugin_id = ?2")?
                .execute(params![trigger, plugin_id])?;
            Ok(removed > 0)
        })
    }

    fn command(&self, trigger: &str) -> StoreResult<Option<CommandRegistration>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(concat!(command_select!(), " WHERE trigger = ?1"))?
                .query_row([trigger], command_from_row)
                .optional()?)
        })
    }

    /// Ordered by trigger.
    fn commands(&self) -> StoreResult<Vec<CommandRegistration>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(command_select!(), " ORDER BY trigger"),
                [],
                command_from_row,
            )
        })
    }
}

mod directory;
#[cfg(test)]
mod directory_tests;
mod groups;
mod members;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod unread_tests;
