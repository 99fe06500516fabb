//! Signing in with a code sent by e-mail, registering from an e-mail address, and
//! adding a verified address to an account. The mail is in the caller's language.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::{Account, UserSummary};

/// Mails a 6-digit code to `email`: a sign-in code when an account has that address,
/// else a code to register with. The answer is the same either way.
#[server(name = RequestEmailCodeCall, prefix = "/api", endpoint = "request_email_code", input = Json)]
pub async fn request_email_code(email: String) -> Result<(), AppError> {
    let core = super::core()?;
    let locale = crate::i18n::request_locale();
    Ok(core
        .request_email_code(&email, super::request::client_addr(), locale)
        .await?)
}

/// Signs in with the code mailed by `request_email_code` (sets the session cookie).
#[server(name = SignInWithCodeCall, prefix = "/api", endpoint = "sign_in_with_code", input = Json)]
pub async fn sign_in_with_code(email: String, code: String) -> Result<UserSummary, AppError> {
    use super::request::{client_addr, session_token, set_session_cookie};
    let core = super::core()?;
    let old = session_token();
    let session = core
        .sign_in_with_code(&email, &code, client_addr(), old.as_deref())
        .await?;
    set_session_cookie(&session);
    Ok(session.user)
}

/// Creates an account with an address proven by the code mailed to it, and signs in.
#[server(name = RegisterWithEmailCodeCall, prefix = "/api", endpoint = "register_with_email_code", input = Json)]
pub async fn register_with_email_code(
    username: String,
    display_name: String,
    password: String,
    email: String,
    code: String,
) -> Result<UserSummary, AppError> {
    use super::request::client_addr;
    let core = super::core()?;
    let input = penguin_domain::Registration {
        username,
        display_name,
        password,
    };
    let session = core
        .register_with_email_code(input, &email, &code, client_addr())
        .await?;
    super::request::adopt_new_session(&core, session).await
}

/// The signed-in user's account, with the verified e-mail address.
#[server(name = AccountCall, prefix = "/api", endpoint = "account", input = GetUrl)]
pub async fn account() -> Result<Account, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.account(&caller).await?)
}

/// Mails a code to `email` to add it to the signed-in account.
#[server(name = AddEmailCall, prefix = "/api", endpoint = "add_email", input = Json)]
pub async fn add_email(email: String) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    let locale = crate::i18n::request_locale();
    Ok(core
        .request_email_verification(&caller, &email, super::request::client_addr(), locale)
        .await?)
}

/// Adds `email` to the account with the code that was mailed to it.
#[server(name = VerifyEmailCall, prefix = "/api", endpoint = "verify_email", input = Json)]
pub async fn verify_email(email: String, code: String) -> Result<Account, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.verify_email(&caller, &email, &code).await?)
}
