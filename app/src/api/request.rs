//! What server functions read from the HTTP request and write to the response: the
//! session cookie, the client's address, the caller. Server side only.

use crate::AppError;
use leptos::prelude::*;
use penguin_domain::{Caller, Core, DomainError, NewSession};
use penguin_protocol::ErrorCode;
use std::net::IpAddr;

/// The session cookie: `HttpOnly` (scripts never see it), `SameSite=Lax` (not sent on
/// cross-site subrequests), `Secure` when the site is served over https.
pub const SESSION_COOKIE: &str = "penguin_session";

/// The client's address, put into the request's extensions by the server (from the
/// socket, or from `X-Forwarded-For` behind a trusted proxy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// How session cookies are written; provided by the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct CookiePolicy {
    /// Always mark cookies `Secure` (set when a TLS-terminating proxy hides https).
    pub always_secure: bool,
}

/// The value of cookie `name` in a `Cookie` header map.
pub fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

pub(crate) fn session_token() -> Option<String> {
    let parts = request_parts()?;
    cookie_value(&parts.headers, SESSION_COOKIE).map(str::to_owned)
}

pub(crate) fn client_addr() -> Option<IpAddr> {
    request_parts()?
        .extensions
        .get::<ClientAddr>()
        .map(|ClientAddr(ip)| *ip)
}

/// The domain handle and the signed-in caller, or `unauthenticated`.
pub(crate) async fn caller() -> Result<(Core, Caller), AppError> {
    try_caller()
        .await?
        .ok_or_else(|| DomainError::from(ErrorCode::Unauthenticated).into())
}

/// Like [`caller`], with `None` (and no error status on the response) when nobody is
/// signed in.
pub(crate) async fn try_caller() -> Result<Option<(Core, Caller)>, AppError> {
    let core = super::core()?;
    let Some(token) = session_token() else {
        return Ok(None);
    };
    match core.authenticate(&token).await {
        Ok(caller) => Ok(Some((core, caller))),
        Err(DomainError::Refused(ErrorCode::Unauthenticated)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Whether the browser reached us over https: the `Origin` it sent (present on every
/// POST), or what a proxy says in `X-Forwarded-Proto`.
fn is_https(parts: &http::request::Parts) -> bool {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    header("origin").starts_with("https://")
        || header("x-forwarded-proto").eq_ignore_ascii_case("https")
}

fn set_cookie(value: &str, max_age_secs: i64) {
    let secure = use_context::<CookiePolicy>().is_some_and(|p| p.always_secure)
        || request_parts().as_ref().is_some_and(is_https);
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
}

/// After a registration: ends the session this browser had before (it is not that user
/// any more), hands it the new session's cookie, and answers the new user.
pub(crate) async fn adopt_new_session(
    core: &Core,
    session: NewSession,
) -> Result<penguin_protocol::UserSummary, AppError> {
    if let Some(old) = session_token() {
        core.sign_out(&old).await?;
    }
    set_session_cookie(&session);
    Ok(session.user)
}

pub(crate) fn set_session_cookie(session: &NewSession) {
    set_cookie(&session.token, session.seconds_left());
}

pub(crate) fn clear_session_cookie() {
    set_cookie("", 0);
}
