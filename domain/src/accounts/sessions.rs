//! Server-side sessions in the database, shared by every node. The browser's cookie holds
//! a random 256-bit token; the table holds its SHA-256, so neither a database dump nor a
//! log line can be replayed as a session.

use crate::core::Core;
use crate::entity::{session, user};
use crate::error::{DomainError, refuse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use penguin_protocol::{ErrorCode, UserId, UserSummary};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

pub const SESSION_TOKEN_BYTES: usize = 32;

/// Sliding expiry is written back at most this often, not on every request.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// An authenticated user, as established by a session (or a sign-in). Only the domain
/// creates one, so every domain operation that takes a `&Caller` is known to act for a
/// real, signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Caller {
    user_id: UserId,
}

impl Caller {
    pub fn id(&self) -> UserId {
        self.user_id
    }

    /// For the domain acting on a user's behalf where no session is involved (an
    /// administrator creating a group owned by that user).
    pub(crate) fn on_behalf_of(user_id: UserId) -> Self {
        Self { user_id }
    }
}

/// A session just started: the token goes into the cookie, once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user: UserSummary,
    pub caller: Caller,
    pub expires_at: DateTime<Utc>,
}

impl NewSession {
    /// For the cookie's `Max-Age`.
    pub fn seconds_left(&self) -> i64 {
        // Rounded up: a cookie issued now says the full lifetime, not one second less.
        let millis = (self.expires_at - Utc::now()).num_milliseconds().max(0);
        (millis + 999) / 1000
    }
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn looks_like_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Core {
    pub(crate) async fn start_session(
        &self,
        user: user::Model,
        replacing: Option<&str>,
    ) -> Result<NewSession, DomainError> {
        // Every way of signing in ends here, so a disabled account gets no session
        // whichever proof it brought (its old sessions were deleted when it was disabled).
        if user.disabled_at.is_some() {
            tracing::warn!(user_id = user.id, "sign-in refused: account disabled");
            return refuse(ErrorCode::AccountDisabled);
        }
        if let Some(old) = replacing {
            self.sign_out(old).await?;
        }
        let bytes: [u8; SESSION_TOKEN_BYTES] = rand::random();
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = Utc::now();
        let expires_at = now + self.settings.session_idle_lifetime;
        session::ActiveModel {
            token_hash: Set(token_hash(&token)),
            user_id: Set(user.id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
        }
        .insert(&self.db.conn)
        .await?;
        tracing::info!(user_id = user.id, "session started");
        Ok(NewSession {
            token,
            caller: Caller { user_id: user.id },
            user: user.into(),
            expires_at,
        })
    }

    /// The user a session token belongs to, or `Unauthenticated` (unknown, expired or
    /// signed-out token: the caller cannot tell which).
    pub async fn authenticate(&self, token: &str) -> Result<Caller, DomainError> {
        if !looks_like_token(token) {
            return refuse(ErrorCode::Unauthenticated);
        }
        let hash = token_hash(token);
        let now = Utc::now();
        let Some(found) = session::Entity::find_by_id(hash.clone())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(&self.db.conn)
            .await?
        else {
            return refuse(ErrorCode::Unauthenticated);
        };
        if now - found.last_seen_at > TOUCH_EVERY {
            let user_id = found.user_id;
            let mut touched: session::ActiveModel = found.into();
            touched.last_seen_at = Set(now);
            touched.expires_at = Set(now + self.settings.session_idle_lifetime);
            touched.update(&self.db.conn).await?;
            return Ok(Caller { user_id });
        }
        Ok(Caller {
            user_id: found.user_id,
        })
    }

    /// Ends one session wherever it is stored. Unknown tokens are fine (already gone).
    pub async fn sign_out(&self, token: &str) -> Result<(), DomainError> {
        if looks_like_token(token) {
            session::Entity::delete_by_id(token_hash(token))
                .exec(&self.db.conn)
                .await?;
        }
        Ok(())
    }

    /// Deletes sessions whose time ran out; the server calls it periodically. Expired
    /// sessions are refused anyway: this only keeps the table small.
    pub async fn prune_expired_sessions(&self) -> Result<u64, DomainError> {
        let result = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db.conn)
            .await?;
        Ok(result.rows_affected)
    }

    /// Ends every session of the caller: "sign out on all devices".
    pub async fn sign_out_everywhere(&self, caller: &Caller) -> Result<u64, DomainError> {
        let result = session::Entity::delete_many()
            .filter(session::Column::UserId.eq(caller.id()))
            .exec(&self.db.conn)
            .await?;
        tracing::info!(
            user_id = caller.id(),
            sessions = result.rows_affected,
            "signed out everywhere"
        );
        Ok(result.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        let bytes: [u8; SESSION_TOKEN_BYTES] = rand::random();
        let token = URL_SAFE_NO_PAD.encode(bytes);
        assert!(looks_like_token(&token));
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&"%".repeat(43)));
        assert_eq!(token_hash(&token).len(), 64);
    }
}
