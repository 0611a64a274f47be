//! Accounts: sign-up, passwords (Argon2id), sessions and personal access
//! tokens. Tokens are random 26-character ids handed to the client once; the
//! store keeps only their SHA-256.

use std::net::IpAddr;

use chat_store::ports::auth::{AccessToken, Session};
use sha2::{Digest, Sha256};

use super::Services;
use crate::error::{AppError, AppResult};
use crate::model::{User, new_id, now_ms};

/// Sessions last 30 days, like Mattermost's default web session.
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// How stale `last_activity_at` may get before a request refreshes it.
const ACTIVITY_RESOLUTION_MS: i64 = 5 * 60 * 1000;
pub use super::passwords::MIN_PASSWORD_CHARS;
/// Roles of the first person to sign up on a server.
const FIRST_USER_ROLES: &str = "system_admin system_user";

/// What limits password work: the hashing pool and the attempt limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountsConfig {
    pub passwords: super::passwords::PasswordPoolConfig,
    pub throttle: super::throttle::ThrottleConfig,
}

/// What a client sends to sign up.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub locale: String,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Mattermost usernames: 3-22 of lowercase letters, digits, '.', '-', '_',
/// starting with a letter.
pub fn validate_username(name: &str) -> AppResult<()> {
    let ok = (3..=22).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "username: 3-22 characters, lowercase letters, digits, '.', '-' or '_', starting with a letter".into(),
        ))
    }
}

fn validate_email(email: &str) -> AppResult<()> {
    let ok = email.len() <= 128
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid("email: not a valid address".into()))
    }
}

/// Validates a sign-up; the user to store (ordinary roles) and the password.
fn new_account(new: NewUser) -> AppResult<(User, String)> {
    let username = new.username.trim().to_lowercase();
    let email = new.email.trim().to_lowercase();
    validate_username(&username)?;
    validate_email(&email)?;
    let now = now_ms();
    let user = User {
        id: new_id(),
        create_at: now,
        update_at: now,
        username,
        email,
        nickname: new.nickname,
        first_name: new.first_name,
        last_name: new.last_name,
        roles: "system_user".into(),
        locale: if new.locale.is_empty() {
            "en".into()
        } else {
            new.locale
        },
        ..Default::default()
    };
    Ok((user, new.password))
}

impl Services {
    /// Creates an account. The first account on an empty server becomes a
    /// system admin, as in Mattermost; the store decides who is first in the
    /// same transaction as the insert. Blocks the calling thread while the
    /// password is hashed (tools and tests; the HTTP API uses
    /// [`sign_up_from`](Self::sign_up_from)).
    pub fn sign_up(&self, new: NewUser) -> AppResult<User> {
        let (user, password) = new_account(new)?;
        let hash = self.passwords.hash_blocking(password)?;
        self.store_new_account(user, &hash, false)
    }

    /// Sign-up over the API from `client`: counted against the per-address
    /// limit unless an admin is creating the account, hashed on the password
    /// pool. With `first_only`, only the server's first account may be
    /// created (sign-up is closed).
    pub async fn sign_up_from(
        &self,
        client: IpAddr,
        by_admin: bool,
        first_only: bool,
        new: NewUser,
    ) -> AppResult<User> {
        let (user, password) = new_account(new)?;
        if !by_admin {
            self.throttle.sign_up(client)?;
        }
        let hash = self.passwords.hash(password).await?;
        self.store_new_account(user, &hash, first_only)
    }

    fn store_new_account(&self, user: User, hash: &str, first_only: bool) -> AppResult<User> {
        self.chat
            .create_signed_up_user(&user, hash, FIRST_USER_ROLES, first_only)?
            .ok_or_else(|| AppError::Forbidden("User sign-up is disabled on this server.".into()))
    }

    /// Checks a login and opens a session; returns the user and the token.
    /// Blocks the calling thread while the password is checked (tools and
    /// tests; the HTTP API uses [`log_in_from`](Self::log_in_from)).
    pub fn log_in(&self, login_id: &str, password: &str) -> AppResult<(User, String)> {
        let (user, hash) = self.login_account(login_id)?;
        if !self
            .passwords
            .verify_blocking(password.to_string(), hash)?
        {
            return Err(AppError::Unauthorized);
        }
        let token = self.open_session(&user.id, "")?;
        Ok((user, token))
    }

    /// A login over the API from `client`: counted against the per-address
    /// and per-account limits before any work, checked on the password pool.
    pub async fn log_in_from(
        &self,
        client: IpAddr,
        login_id: &str,
        password: &str,
    ) -> AppResult<(User, String)> {
        self.throttle
            .login(client, &login_id.trim().to_lowercase())?;
        let (user, hash) = self.login_account(login_id)?;
        if !self.passwords.verify(password.to_string(), hash).await? {
            return Err(AppError::Unauthorized);
        }
        let token = self.open_session(&user.id, "")?;
        Ok((user, token))
    }

    /// The active person a login id names, with their password hash.
    fn login_account(&self, login_id: &str) -> AppResult<(User, String)> {
        let login_id = login_id.trim().to_lowercase();
        let user = if login_id.contains('@') {
            self.chat.user_by_email(&login_id)?
        } else {
            self.chat.user_by_username(&login_id)?
        };
        let invalid = || AppError::Unauthorized;
        let user = user
            .filter(|u| u.delete_at == 0 && !u.is_bot)
            .ok_or_else(invalid)?;
        let hash = self.chat.password_hash(&user.id)?.ok_or_else(invalid)?;
        Ok((user, hash))
    }

    fn open_session(&self, user_id: &str, access_token_id: &str) -> AppResult<String> {
        let token = new_id();
        let now = now_ms();
        self.auth.create_session(&Session {
            id: new_id(),
            token_hash: token_hash(&token),
            user_id: user_id.to_string(),
            create_at: now,
            expires_at: if access_token_id.is_empty() {
                now + SESSION_LIFETIME_MS
            } else {
                0
            },
            last_activity_at: now,
            access_token_id: access_token_id.to_string(),
        })?;
        Ok(token)
    }

    /// The session and user behind a bearer token (session token or
    /// personal access token).
    pub fn authenticate(&self, token: &str) -> AppResult<(Session, User)> {
        self.authenticate_hash(token_hash(token))
    }

    /// [`authenticate`](Self::authenticate) by the token's hash, for holders
    /// that keep only the hash (open websockets re-checking their session).
    pub fn authenticate_hash(&self, hash: String) -> AppResult<(Session, User)> {
        let auth = &self.auth;
        let session = match auth.session_by_token_hash(&hash)? {
            Some(session) => session,
            None => {
                // A personal access token: each use is its own session record
                // would be wasteful, so it maps to one session per token.
                let token_row = auth
                    .access_token_by_hash(&hash)?
                    .filter(|t| t.is_active)
                    .ok_or(AppError::Unauthorized)?;
                Session {
                    id: format!("pat:{}", token_row.id),
                    token_hash: hash,
                    user_id: token_row.user_id,
                    access_token_id: token_row.id,
                    ..Default::default()
                }
            }
        };
        let now = now_ms();
        if session.expires_at != 0 && session.expires_at <= now {
            let _ = auth.delete_session(&session.id);
            return Err(AppError::Unauthorized);
        }
        let user = self
            .chat
            .user(&session.user_id)?
            .filter(|u| u.delete_at == 0)
            .ok_or(AppError::Unauthorized)?;
        // Activity is recorded at most every few minutes, not on every request.
        if session.access_token_id.is_empty()
            && now - session.last_activity_at > ACTIVITY_RESOLUTION_MS
        {
            auth.touch_session(&session.id, now)?;
        }
        Ok((session, user))
    }

    /// Ends a session; its websockets close.
    pub fn log_out(&self, user_id: &str, session_id: &str) -> AppResult<()> {
        self.auth.delete_session(session_id)?;
        self.events.sessions_changed(Some(user_id));
        Ok(())
    }

    /// Revokes a personal access token (and its sessions); websockets that
    /// authenticated with it close. `user_id` is the token's owner when
    /// known. Returns whether the token existed.
    pub fn revoke_access_token(&self, user_id: Option<&str>, token_id: &str) -> AppResult<bool> {
        let revoked = self.auth.revoke_access_token(token_id)?;
        if revoked {
            self.events.sessions_changed(user_id);
        }
        Ok(revoked)
    }

    /// Issues a personal access token; the token text is returned once.
    pub fn create_access_token(
        &self,
        user_id: &str,
        description: &str,
    ) -> AppResult<(AccessToken, String)> {
        if description.trim().is_empty() || description.len() > 255 {
            return Err(AppError::Invalid("description: 1-255 characters".into()));
        }
        let token = new_id();
        let row = AccessToken {
            id: new_id(),
            token_hash: token_hash(&token),
            user_id: user_id.to_string(),
            description: description.to_string(),
            is_active: true,
            create_at: now_ms(),
        };
        self.auth.create_access_token(&row)?;
        Ok((row, token))
    }
}
