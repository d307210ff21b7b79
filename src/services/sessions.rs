//! Sessions: sign-in with lockout and throttling, refresh-token rotation with reuse
//! detection, sign-out.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::passwords::PasswordHasher;
use super::throttle::AddressThrottle;
use super::tokens::{self, TokenIssuer};
use crate::config::Config;
use crate::db::refresh_tokens::RefreshTokenRow;
use crate::db::{self, Db};
use crate::domain::account::{self, Email};
use crate::domain::clock::Clock;
use crate::domain::ids::{RefreshTokenId, TokenFamilyId, UserId};
use crate::error::AppError;

const REFRESH_TOKEN_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Clone)]
pub struct Sessions {
    db: Db,
    clock: Clock,
    passwords: PasswordHasher,
    tokens: Arc<TokenIssuer>,
    throttle: AddressThrottle,
    lockout_threshold: u32,
    lockout_duration: chrono::Duration,
    refresh_ttl: chrono::Duration,
    refresh_grace: chrono::Duration,
}

fn duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero())
}

/// What one refresh decided, computed inside the transaction.
enum Rotation {
    Rotated {
        user_id: UserId,
        successor: RefreshTokenId,
        issued_at: NaiveDateTime,
    },
    Reused {
        user_id: UserId,
        family_id: TokenFamilyId,
    },
}

impl Sessions {
    pub fn new(
        config: &Config,
        db: Db,
        clock: Clock,
        passwords: PasswordHasher,
        tokens: Arc<TokenIssuer>,
    ) -> Self {
        Sessions {
            db,
            clock,
            passwords,
            tokens,
            throttle: AddressThrottle::new(config.login_attempts_per_minute, "too-many-sign-ins"),
            lockout_threshold: config.lockout_threshold,
            lockout_duration: duration(config.lockout_duration),
            refresh_ttl: duration(config.refresh_token_ttl),
            refresh_grace: duration(config.refresh_grace),
        }
    }

    pub fn password_verifications(&self) -> u64 {
        self.passwords.verifications()
    }

    pub async fn login(
        &self,
        email: &str,
        password: String,
        client: IpAddr,
    ) -> Result<TokenPair, AppError> {
        self.throttle.check(client)?;
        // A malformed email is an unknown user: same answer, same cost.
        let email = Email::parse(email).ok().map(|e| e.as_str().to_owned());
        let account = match email {
            Some(email) => {
                self.db
                    .run("users.find_by_email", move |conn| {
                        db::users::find_by_email(conn, &email)
                    })
                    .await?
            }
            None => None,
        };
        let now = self.clock.now_naive();
        if let Some((user, _)) = &account
            && let Some(until) = user.locked_until.filter(|until| *until > now)
        {
            let wait = (until - now).num_seconds().max(1);
            return Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
                detail: "too-many-account-locked".into(),
            });
        }
        let (user, hash) = match account {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let matches = self.passwords.verify(password, hash).await?;
        let Some(user) = user else {
            return Err(AppError::BadCredentials);
        };
        if !matches {
            let id = user.id;
            let (threshold, lock_for) = (self.lockout_threshold, self.lockout_duration);
            let locked_until = self
                .db
                .transaction("users.login_failed", move |conn| {
                    let failed = db::users::count_login_failure(conn, id)?;
                    let (failed, locked_until) = account::after_failed_login(
                        failed.saturating_sub(1),
                        threshold,
                        now,
                        lock_for,
                    );
                    if locked_until.is_some() {
                        db::users::set_login_failures(conn, id, failed, locked_until)?;
                    }
                    Ok(locked_until)
                })
                .await?;
            if locked_until.is_some() {
                tracing::warn!(user_id = %id, "account locked after repeated failed sign-ins");
            }
            return Err(AppError::BadCredentials);
        }
        if !user.status.may_sign_in() {
            return Err(AppError::Unauthenticated(
                "unauthenticated-deactivated".into(),
            ));
        }
        let token = tokens::random_token(REFRESH_TOKEN_BYTES);
        let row = RefreshTokenRow {
            id: RefreshTokenId::new(),
            family_id: TokenFamilyId::new(),
            user_id: user.id,
            token_hash: tokens::digest(&token),
            issued_at: now,
            expires_at: now + self.refresh_ttl,
            rotated_at: None,
            successor_id: None,
            revoked_at: None,
        };
        let session = row.id;
        let user_id = user.id;
        let reset = user.failed_logins > 0 || user.locked_until.is_some();
        self.db
            .transaction("sessions.login", move |conn| {
                if reset {
                    db::users::set_login_failures(conn, user_id, 0, None)?;
                }
                db::refresh_tokens::insert(conn, &row)
            })
            .await?;
        tracing::info!(user_id = %user_id, "signed in");
        self.pair(user_id, session, now, token)
    }

    fn pair(
        &self,
        user_id: UserId,
        session: RefreshTokenId,
        issued_at: NaiveDateTime,
        refresh_token: String,
    ) -> Result<TokenPair, AppError> {
        let access_token = self.tokens.access_token(user_id, session, issued_at)?;
        let ttl = i64::try_from(self.tokens.access_ttl().as_secs()).unwrap_or(900);
        let left = (issued_at + chrono::Duration::seconds(ttl) - self.clock.now_naive())
            .num_seconds()
            .clamp(0, ttl);
        Ok(TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer",
            expires_in: u64::try_from(left).unwrap_or(0),
        })
    }

    /// Rotates `presented`. A token that was rotated already is a theft signal and revokes
    /// its whole family, unless it comes back within the grace window and its successor is
    /// still unused: then it is the retry of a lost answer and gets the same pair again.
    pub async fn refresh(&self, presented: String) -> Result<TokenPair, AppError> {
        let invalid = || AppError::Unauthenticated("unauthenticated-refresh-token".into());
        let hash = tokens::digest(&presented);
        let successor_token = self.tokens.successor_refresh_token(&presented);
        let successor_hash = tokens::digest(&successor_token);
        let (ttl, grace) = (self.refresh_ttl, self.refresh_grace);
        let now = self.clock.now_naive();
        let rotation = self
            .db
            .transaction("sessions.refresh", move |conn| {
                let Some(row) = db::refresh_tokens::find_by_hash(conn, &hash)? else {
                    return Ok(None);
                };
                if row.revoked_at.is_some() || row.expires_at <= now {
                    return Ok(None);
                }
                let user_id = row.user_id;
                let active =
                    db::users::find(conn, user_id)?.is_some_and(|(u, _)| u.status.may_sign_in());
                if !active {
                    return Ok(None);
                }
                if row.rotated_at.is_none() {
                    let successor = RefreshTokenId::new();
                    if db::refresh_tokens::mark_rotated(conn, row.id, successor, now)? {
                        db::refresh_tokens::insert(
                            conn,
                            &RefreshTokenRow {
                                id: successor,
                                family_id: row.family_id,
                                user_id: row.user_id,
                                token_hash: successor_hash,
                                issued_at: now,
                                expires_at: now + ttl,
                                rotated_at: None,
                                successor_id: None,
                                revoked_at: None,
                            },
                        )?;
                        return Ok(Some(Rotation::Rotated {
                            user_id,
                            successor,
                            issued_at: now,
                        }));
                    }
                }
                // Rotated before (or by a concurrent request a moment ago): read it again.
                let row = db::refresh_tokens::find(conn, row.id)?.ok_or(AppError::NotFound)?;
                let successor = match &row.successor_id {
                    Some(id) => db::refresh_tokens::find(conn, *id)?,
                    None => None,
                };
                let in_grace = row.rotated_at.is_some_and(|at| now - at <= grace);
                match successor {
                    Some(next)
                        if in_grace && next.rotated_at.is_none() && next.revoked_at.is_none() =>
                    {
                        let successor = next.id;
                        Ok(Some(Rotation::Rotated {
                            user_id,
                            successor,
                            issued_at: next.issued_at,
                        }))
                    }
                    _ => {
                        db::refresh_tokens::revoke_family(conn, row.family_id, now)?;
                        Ok(Some(Rotation::Reused {
                            user_id,
                            family_id: row.family_id,
                        }))
                    }
                }
            })
            .await?;
        match rotation {
            None => Err(invalid()),
            Some(Rotation::Reused { user_id, family_id }) => {
                tracing::warn!(user_id = %user_id, family_id = %family_id, "refresh token reused after rotation: its family is revoked");
                Err(invalid())
            }
            Some(Rotation::Rotated {
                user_id,
                successor,
                issued_at,
            }) => self.pair(user_id, successor, issued_at, successor_token),
        }
    }

    /// The sign-in behind a console session cookie. The cookie holds the refresh token its
    /// sign-in issued, which the console never rotates: the session lives while that token is
    /// unrotated, unrevoked and unexpired, and signing out anywhere ends it.
    pub async fn console_session(
        &self,
        presented: &str,
    ) -> Result<tokens::VerifiedToken, AppError> {
        let hash = tokens::digest(presented);
        let now = self.clock.now_naive();
        let row = self
            .db
            .run("sessions.console", move |conn| {
                db::refresh_tokens::find_by_hash(conn, &hash)
            })
            .await?;
        match row {
            Some(row)
                if row.revoked_at.is_none() && row.rotated_at.is_none() && row.expires_at > now =>
            {
                Ok(tokens::VerifiedToken {
                    user_id: row.user_id,
                    session_id: row.id,
                })
            }
            _ => Err(AppError::Unauthenticated(
                "unauthenticated-session-ended".into(),
            )),
        }
    }

    /// Revokes the family of `presented`. Unknown tokens are accepted silently: sign-out
    /// always succeeds from the phone's point of view.
    pub async fn logout(&self, presented: String) -> Result<(), AppError> {
        let hash = tokens::digest(&presented);
        let now = self.clock.now_naive();
        self.db
            .transaction("sessions.logout", move |conn| {
                if let Some(row) = db::refresh_tokens::find_by_hash(conn, &hash)? {
                    db::refresh_tokens::revoke_family(conn, row.family_id, now)?;
                }
                Ok(())
            })
            .await
    }
}
