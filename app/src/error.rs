//! The error every server function returns. On the wire it is the protocol's
//! [`ErrorBody`] shape (`{"code": …, "message": …}`), so scripts get the same JSON as the
//! app. Domain errors become an `AppError` in exactly one place (`From<DomainError>`),
//! which also logs the cause and sets the HTTP status.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use penguin_protocol::{ErrorCode, Locale};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    /// Already translated for the caller's locale when the server produced it.
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        Self::localized(code, Locale::default())
    }

    pub fn localized(code: ErrorCode, locale: Locale) -> Self {
        Self {
            code,
            message: code.message(locale).to_owned(),
        }
    }

    /// The message in the locale the user reads now (the server's translation may have
    /// been for a locale they have since switched away from).
    pub fn message_in(&self, locale: Locale) -> &'static str {
        self.code.message(locale)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Failures of the server-function machinery itself (network, bad arguments).
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, failing to decode is the request's fault (a form post to a JSON
        // endpoint, a missing field); in the browser it is the response's.
        let undecodable = if cfg!(feature = "ssr") {
            ErrorCode::BadRequest
        } else {
            ErrorCode::Internal
        };
        let code = match value {
            ServerFnErrorErr::Request(_) => ErrorCode::NetworkError,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::BadRequest,
            ServerFnErrorErr::Deserialization(_) => undecodable,
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_) => ErrorCode::Internal,
        };
        #[cfg(feature = "ssr")]
        return edge::answer(code);
        #[cfg(not(feature = "ssr"))]
        Self::new(code)
    }
}

#[cfg(feature = "ssr")]
mod edge {
    use super::AppError;
    use leptos::prelude::*;
    use penguin_domain::DomainError;

    impl From<DomainError> for AppError {
        fn from(error: DomainError) -> Self {
            let code = error.code();
            if error.is_refusal() {
                tracing::info!(code = code.as_str(), "server function refused");
            } else {
                tracing::error!(%error, code = code.as_str(), "server function failed");
            }
            answer(code)
        }
    }

    /// The error in the caller's language, with the code's HTTP status on the response.
    pub(super) fn answer(code: penguin_protocol::ErrorCode) -> AppError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(code.http_status())
        {
            response.set_status(status);
        }
        AppError::localized(code, crate::i18n::request_locale())
    }
}
