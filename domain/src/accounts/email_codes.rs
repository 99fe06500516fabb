//! Signing in with a code sent by e-mail, registering from an e-mail address, and
//! verifying an address on an account.
//!
//! A code is 6 digits, valid 10 minutes, single use, dead after 5 wrong tries, and
//! replaced by the next one asked for the same address. Only a salted SHA-256 of it is
//! stored. "Send me a code" answers the same whether or not the address has an account:
//! a known address gets a sign-in code, an unknown one a code to register with.

use super::{NewSession, Registration};
use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{email_code, user};
use crate::error::{DomainError, on_unique_violation, refuse};
use chrono::{TimeDelta, Utc};
use penguin_protocol::{Account, ErrorCode, Locale, UserId, rules};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
const MAX_TRIES: i32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    SignIn,
    Register,
    Verify,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Register => "register",
            Self::Verify => "verify",
        }
    }

    fn mail(self, code: &str, locale: Locale) -> (String, String) {
        match (self, locale) {
            (Self::SignIn, Locale::En) => (
                format!("Your Penguin sign-in code: {code}"),
                format!(
                    "Your code to sign in to Penguin is {code}.\n\nIt is valid for 10 minutes. If you did not ask for it, ignore this mail: nobody can sign in without the code."
                ),
            ),
            (Self::SignIn, Locale::ZhCn) => (
                format!("Penguin 登录验证码：{code}"),
                format!(
                    "你的 Penguin 登录验证码是 {code}。\n\n10 分钟内有效。如果不是你本人操作，请忽略本邮件：没有验证码，任何人都无法登录。"
                ),
            ),
            (Self::Register, Locale::En) => (
                format!("Your Penguin code: {code}"),
                format!(
                    "Someone (probably you) asked Penguin for a sign-in code for this address, but no account uses it yet.\n\nTo create an account with this address, enter the code {code} on the registration page. It is valid for 10 minutes. If you did not ask for it, ignore this mail."
                ),
            ),
            (Self::Register, Locale::ZhCn) => (
                format!("Penguin 验证码：{code}"),
                format!(
                    "有人（可能是你）为这个地址申请了 Penguin 登录验证码，但还没有账号使用这个地址。\n\n如需用这个地址注册账号，请在注册页面输入验证码 {code}，10 分钟内有效。如果不是你本人操作，请忽略本邮件。"
                ),
            ),
            (Self::Verify, Locale::En) => (
                format!("Confirm your e-mail address for Penguin: {code}"),
                format!(
                    "Enter the code {code} in Penguin to confirm this address for your account. It is valid for 10 minutes. If you did not ask for it, ignore this mail."
                ),
            ),
            (Self::Verify, Locale::ZhCn) => (
                format!("确认你的 Penguin 电子邮件地址：{code}"),
                format!(
                    "请在 Penguin 中输入验证码 {code}，为你的账号确认这个地址。10 分钟内有效。如果不是你本人操作，请忽略本邮件。"
                ),
            ),
        }
    }
}

fn hash_code(salt: &str, code: &str) -> String {
    Sha256::digest(format!("{salt}:{code}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn matches(stored: &str, code: &str) -> bool {
    stored
        .split_once(':')
        .is_some_and(|(salt, hash)| hash_code(salt, code) == hash)
}

impl Core {
    /// "Send me a code" for `email`. The answer is the same for a registered and an
    /// unknown address; only the mail differs. Limited per address and per client.
    pub async fn request_email_code(
        &self,
        email: &str,
        client: Option<IpAddr>,
        locale: Locale,
    ) -> Result<(), DomainError> {
        let email = rules::email(email)?;
        self.throttle_codes(&email, client)?;
        let owner = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db.conn)
            .await?;
        let (purpose, user_id) = match owner {
            Some(owner) => (Purpose::SignIn, Some(owner.id)),
            None => (Purpose::Register, None),
        };
        self.mail_code(purpose, &email, user_id, locale).await
    }

    /// Signs in with a code from [`Core::request_email_code`].
    pub async fn sign_in_with_code(
        &self,
        email: &str,
        code: &str,
        client: Option<IpAddr>,
        replacing: Option<&str>,
    ) -> Result<NewSession, DomainError> {
        self.throttles.sign_in_per_address.admit(client)?;
        let email =
            rules::email(email).map_err(|_| DomainError::Refused(ErrorCode::InvalidCode))?;
        let code = rules::email_code(code)?;
        let redeemed = self.redeem(Purpose::SignIn, &email, None, &code).await?;
        // The address must still be that account's (it may have changed since).
        let user = match redeemed.user_id {
            Some(id) => user::Entity::find_by_id(id).one(&self.db.conn).await?,
            None => None,
        };
        match user {
            Some(user) if user.email.as_deref() == Some(email.as_str()) => {
                self.start_session(user, replacing).await
            }
            _ => refuse(ErrorCode::InvalidCode),
        }
    }

    /// Creates an account whose address is proven by a code sent to it (registration
    /// that starts from an e-mail address).
    pub async fn register_with_email_code(
        &self,
        input: Registration,
        email: &str,
        code: &str,
        client: Option<IpAddr>,
    ) -> Result<NewSession, DomainError> {
        let email = rules::email(email)?;
        let code = rules::email_code(code)?;
        let checked = self.check_registration(&input).await?;
        self.redeem(Purpose::Register, &email, None, &code).await?;
        self.create_account(checked, Some(email), client).await
    }

    /// Mails a code to `email` to add it to the caller's account.
    pub async fn request_email_verification(
        &self,
        caller: &Caller,
        email: &str,
        client: Option<IpAddr>,
        locale: Locale,
    ) -> Result<(), DomainError> {
        let email = rules::email(email)?;
        self.throttle_codes(&email, client)?;
        self.mail_code(Purpose::Verify, &email, Some(caller.id()), locale)
            .await
    }

    /// Adds `email` to the caller's account with the code that was mailed to it.
    pub async fn verify_email(
        &self,
        caller: &Caller,
        email: &str,
        code: &str,
    ) -> Result<Account, DomainError> {
        let email = rules::email(email)?;
        let code = rules::email_code(code)?;
        self.redeem(Purpose::Verify, &email, Some(caller.id()), &code)
            .await?;
        user::Entity::update_many()
            .col_expr(user::Column::Email, Expr::value(email.clone()))
            .filter(user::Column::Id.eq(caller.id()))
            .exec(&self.db.conn)
            .await
            .map_err(|e| on_unique_violation(e, ErrorCode::EmailTaken))?;
        tracing::info!(user_id = caller.id(), "e-mail address verified");
        self.account(caller).await
    }

    /// The caller's own account.
    pub async fn account(&self, caller: &Caller) -> Result<Account, DomainError> {
        match user::Entity::find_by_id(caller.id())
            .one(&self.db.conn)
            .await?
        {
            Some(user) => Ok(Account {
                email: user.email.clone(),
                user: user.into(),
            }),
            None => refuse(ErrorCode::Unauthenticated),
        }
    }

    fn throttle_codes(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.throttles.email_codes_per_client.admit(client)?;
        if !self.throttles.email_codes_per_address.try_acquire(email) {
            return refuse(ErrorCode::TooManyAttempts);
        }
        Ok(())
    }

    /// Stores a fresh code (replacing older ones for the same address and purpose) and
    /// mails it.
    async fn mail_code(
        &self,
        purpose: Purpose,
        email: &str,
        user_id: Option<UserId>,
        locale: Locale,
    ) -> Result<(), DomainError> {
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        let salt = format!("{:016x}", rand::random::<u64>());
        let now = Utc::now();
        let txn = self.begin_write().await?;
        email_code::Entity::delete_many()
            .filter(email_code::Column::Email.eq(email))
            .filter(email_code::Column::Purpose.eq(purpose.as_str()))
            .filter(email_code::Column::UsedAt.is_null())
            .exec(&*txn)
            .await?;
        email_code::ActiveModel {
            purpose: Set(purpose.as_str().to_owned()),
            email: Set(email.to_owned()),
            user_id: Set(user_id),
            code_hash: Set(format!("{salt}:{}", hash_code(&salt, &code))),
            attempts: Set(0),
            expires_at: Set(now + CODE_LIFETIME),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        let (subject, text) = purpose.mail(&code, locale);
        self.mailer.send(email, &subject, &text).await
    }

    /// Uses up the live code for `email` and `purpose` if `code` is it; counts a wrong
    /// try otherwise. Every failure is the same `invalid_code`.
    async fn redeem(
        &self,
        purpose: Purpose,
        email: &str,
        user_id: Option<UserId>,
        code: &str,
    ) -> Result<email_code::Model, DomainError> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let mut query = email_code::Entity::find()
            .filter(email_code::Column::Email.eq(email))
            .filter(email_code::Column::Purpose.eq(purpose.as_str()))
            .filter(email_code::Column::UsedAt.is_null())
            .filter(email_code::Column::ExpiresAt.gt(now))
            .filter(email_code::Column::Attempts.lt(MAX_TRIES));
        if let Some(user_id) = user_id {
            query = query.filter(email_code::Column::UserId.eq(user_id));
        }
        let Some(live) = query
            .order_by_desc(email_code::Column::Id)
            .one(&*txn)
            .await?
        else {
            return refuse(ErrorCode::InvalidCode);
        };
        if !matches(&live.code_hash, code) {
            email_code::Entity::update_many()
                .col_expr(
                    email_code::Column::Attempts,
                    Expr::col(email_code::Column::Attempts).add(1),
                )
                .filter(email_code::Column::Id.eq(live.id))
                .exec(&*txn)
                .await?;
            txn.commit().await?;
            return refuse(ErrorCode::InvalidCode);
        }
        // Conditional: of two concurrent redemptions of one code, one wins.
        let used = email_code::Entity::update_many()
            .col_expr(email_code::Column::UsedAt, Expr::value(now))
            .filter(email_code::Column::Id.eq(live.id))
            .filter(email_code::Column::UsedAt.is_null())
            .exec(&*txn)
            .await?;
        if used.rows_affected != 1 {
            return refuse(ErrorCode::InvalidCode);
        }
        txn.commit().await?;
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stored_salted_and_hashed() {
        let stored = format!("abc:{}", hash_code("abc", "123456"));
        assert!(matches(&stored, "123456"));
        assert!(!matches(&stored, "123457"));
        assert!(!stored.contains("123456"));
        assert_ne!(hash_code("abc", "123456"), hash_code("abd", "123456"));
    }
}
