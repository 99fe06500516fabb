//! Server start-up errors, and the one place HTTP handlers turn an [`ErrorCode`] into a
//! response.

use axum::Json;
use axum::response::IntoResponse;
use http::{HeaderMap, StatusCode, header};
use penguin_domain::DomainError;
use penguin_protocol::{ErrorCode, Locale, error::ErrorBody};
use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot start: {0}")]
    Domain(#[from] DomainError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped with an I/O error: {0}")]
    Serve(#[source] std::io::Error),
}

/// The locale the caller reads: the language cookie, else `Accept-Language`.
pub fn request_locale(headers: &HeaderMap) -> Locale {
    penguin_app::i18n::locale_from_headers(headers)
}

/// A JSON error body (`{"code", "message"}`) with the code's HTTP status.
pub fn error_response(code: ErrorCode, request_headers: &HeaderMap) -> impl IntoResponse {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ErrorBody::new(code, request_locale(request_headers));
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body))
}
