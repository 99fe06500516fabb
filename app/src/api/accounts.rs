//! `/api/register`, `/api/sign_in`, `/api/sign_out`, `/api/sign_out_everywhere`,
//! `/api/me`.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::UserSummary;

/// Creates an account and signs it in (sets the session cookie).
#[server(name = RegisterCall, prefix = "/api", endpoint = "register", input = Json)]
pub async fn register(
    username: String,
    display_name: String,
    password: String,
) -> Result<UserSummary, AppError> {
    use super::request::client_addr;
    let core = super::core()?;
    let input = penguin_domain::Registration {
        username,
        display_name,
        password,
    };
    let session = core.register(input, client_addr()).await?;
    super::request::adopt_new_session(&core, session).await
}

/// Signs in with username and password; a new session id every time.
#[server(name = SignInCall, prefix = "/api", endpoint = "sign_in", input = Json)]
pub async fn sign_in(username: String, password: String) -> Result<UserSummary, AppError> {
    use super::request::{client_addr, session_token, set_session_cookie};
    let core = super::core()?;
    let old = session_token();
    let session = core
        .sign_in(&username, &password, client_addr(), old.as_deref())
        .await?;
    set_session_cookie(&session);
    Ok(session.user)
}

/// Ends this browser's session on the server and clears the cookie.
#[server(name = SignOutCall, prefix = "/api", endpoint = "sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use super::request::{clear_session_cookie, session_token};
    let core = super::core()?;
    if let Some(token) = session_token() {
        core.sign_out(&token).await?;
    }
    clear_session_cookie();
    Ok(())
}

/// Ends every session of the signed-in user, on every device.
#[server(name = SignOutEverywhereCall, prefix = "/api", endpoint = "sign_out_everywhere", input = Json)]
pub async fn sign_out_everywhere() -> Result<u64, AppError> {
    let (core, caller) = super::request::caller().await?;
    let ended = core.sign_out_everywhere(&caller).await?;
    super::request::clear_session_cookie();
    Ok(ended)
}

/// Who is signed in: `null` when nobody is (not an error, so pages can render either way).
#[server(name = MeCall, prefix = "/api", endpoint = "me", input = GetUrl)]
pub async fn me() -> Result<Option<UserSummary>, AppError> {
    match super::request::try_caller().await? {
        Some((core, caller)) => Ok(Some(core.me(&caller).await?)),
        None => Ok(None),
    }
}
