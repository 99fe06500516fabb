//! Accounts and sessions: register, sign in (rate-limited), authenticate a session token,
//! sign out.

mod email_codes;
pub(crate) mod password;
mod sessions;
pub(crate) mod throttle;

pub use sessions::{Caller, NewSession, SESSION_TOKEN_BYTES};

use crate::core::Core;
use crate::entity::user;
use crate::error::{DomainError, on_unique_violation, refuse};
use chrono::Utc;
use penguin_protocol::{ErrorCode, UserId, UserSummary, rules};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::net::IpAddr;

/// What a new user types.
#[derive(Debug, Clone)]
pub struct Registration {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

impl From<user::Model> for UserSummary {
    fn from(user: user::Model) -> Self {
        Self {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
        }
    }
}

impl Core {
    /// Creates the account and signs it in. `client` is the address the request came
    /// from, for the per-address limit.
    pub async fn register(
        &self,
        input: Registration,
        client: Option<IpAddr>,
    ) -> Result<NewSession, DomainError> {
        let checked = self.check_registration(&input).await?;
        self.create_account(checked, None, client).await
    }

    /// The rules, and a quick "taken" answer (the unique index settles races later).
    pub(crate) async fn check_registration(
        &self,
        input: &Registration,
    ) -> Result<Registration, DomainError> {
        let username = rules::username(&input.username)?;
        let display_name = rules::display_name(&input.display_name)?;
        rules::password(&input.password, &username)?;
        if self.find_user_by_username(&username).await?.is_some() {
            return refuse(ErrorCode::UsernameTaken);
        }
        Ok(Registration {
            username,
            display_name,
            password: input.password.clone(),
        })
    }

    /// Stores a checked registration (with a proven e-mail address, if any) and signs
    /// the new account in.
    pub(crate) async fn create_account(
        &self,
        checked: Registration,
        email: Option<String>,
        client: Option<IpAddr>,
    ) -> Result<NewSession, DomainError> {
        self.throttles.registrations_per_address.admit(client)?;
        let user = self.insert_account(checked, email).await?;
        self.start_session(user, None).await
    }

    /// Stores a checked registration; the database's unique indexes settle races.
    pub(crate) async fn insert_account(
        &self,
        checked: Registration,
        email: Option<String>,
    ) -> Result<user::Model, DomainError> {
        let password_hash = self.passwords.hash(&checked.password).await?;
        let user = user::ActiveModel {
            username: Set(checked.username),
            display_name_key: Set(checked.display_name.to_lowercase()),
            display_name: Set(checked.display_name),
            password_hash: Set(password_hash),
            email: Set(email),
            created_at: Set(Utc::now()),
            // Explicit rather than the columns' defaults: SQLite's RETURNING has been seen
            // to answer NULL for a column added by ALTER TABLE with a default.
            is_admin: Set(false),
            disabled_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db.conn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(detail))
                if detail.contains("email") =>
            {
                DomainError::Refused(ErrorCode::EmailTaken)
            }
            _ => on_unique_violation(e, ErrorCode::UsernameTaken),
        })?;
        tracing::info!(user_id = user.id, "account created");
        Ok(user)
    }

    /// Checks the password and starts a new session, ending `replacing` (the session the
    /// browser had before, if any) so a session id never survives a sign-in.
    ///
    /// A wrong username and a wrong password give the same answer in the same time.
    /// Failures lock the username for the rest of the window; attempts per client address
    /// are capped too.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
        replacing: Option<&str>,
    ) -> Result<NewSession, DomainError> {
        self.throttles.sign_in_per_address.admit(client)?;
        let account_key = username.trim().to_lowercase();
        let per_account = &self.throttles.sign_in_per_account;
        if per_account.is_exhausted(&account_key) {
            tracing::warn!(username = %account_key, "sign-in refused: account locked for now");
            return refuse(ErrorCode::TooManyAttempts);
        }
        let user = match rules::username(username) {
            Ok(name) if password.len() <= rules::PASSWORD_MAX_BYTES => {
                self.find_user_by_username(&name).await?
            }
            _ => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        if !self.passwords.verify(password, hash).await? {
            per_account.record(&account_key);
            return refuse(ErrorCode::InvalidCredentials);
        }
        per_account.forget(&account_key);
        let user = user.ok_or(DomainError::Refused(ErrorCode::InvalidCredentials))?;
        self.start_session(user, replacing).await
    }

    pub async fn me(&self, caller: &Caller) -> Result<UserSummary, DomainError> {
        self.user_summary(caller.id()).await
    }

    pub(crate) async fn find_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<user::Model>, DomainError> {
        Ok(user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.db.conn)
            .await?)
    }

    /// A user anyone signed in may see; "not found" when there is none.
    pub(crate) async fn user_summary(&self, id: UserId) -> Result<UserSummary, DomainError> {
        match user::Entity::find_by_id(id).one(&self.db.conn).await? {
            Some(user) => Ok(user.into()),
            None => refuse(ErrorCode::NotFound),
        }
    }
}
