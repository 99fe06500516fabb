//! Error codes a client can receive, with their user-facing messages in every locale.
//!
//! The server maps its internal errors to one of these codes exactly once, at the edge
//! (HTTP handler, server function, WebSocket frame); the client shows `message(locale)`.
//! The log keeps the cause; the code and message never leak internals.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The UI languages Penguin ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag used in `<html lang>` and the `penguin_lang` cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// Parses a tag leniently (`zh`, `zh-CN`, `zh-Hans`, `en-GB`, …).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "zh" => Some(Self::ZhCn),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, honouring
    /// q-values; `None` when nothing in it is supported.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Every failure a user can cause or meet, as a stable code on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was malformed (bad JSON, missing field, wrong type).
    #[error("bad_request")]
    BadRequest,
    /// The request came from another site (Origin / Sec-Fetch-Site check).
    #[error("cross_site_request")]
    CrossSiteRequest,
    /// Signing in is required.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The thing does not exist, or the caller may not know that it does.
    #[error("not_found")]
    NotFound,
    /// The server could not reach its database or another dependency.
    #[error("unavailable")]
    Unavailable,
    /// Anything else; the server log has the details.
    #[error("internal")]
    Internal,
    /// Produced by clients, never sent by the server: the server could not be reached.
    #[error("network_error")]
    NetworkError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 7] = [
        Self::BadRequest,
        Self::CrossSiteRequest,
        Self::Unauthenticated,
        Self::NotFound,
        Self::Unavailable,
        Self::Internal,
        Self::NetworkError,
    ];

    /// The stable wire name (`snake_case`), identical to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::CrossSiteRequest => "cross_site_request",
            Self::Unauthenticated => "unauthenticated",
            Self::NotFound => "not_found",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::NetworkError => "network_error",
        }
    }

    /// The HTTP status the edge answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthenticated => 401,
            Self::CrossSiteRequest => 403,
            Self::NotFound => 404,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::NetworkError => 502,
        }
    }

    /// What the user reads.
    pub fn message(self, locale: Locale) -> &'static str {
        use ErrorCode::*;
        use Locale::*;
        match (self, locale) {
            (BadRequest, En) => "The request was not understood. Please try again.",
            (BadRequest, ZhCn) => "请求无法识别，请重试。",
            (CrossSiteRequest, En) => "This request came from another website and was refused.",
            (CrossSiteRequest, ZhCn) => "该请求来自其他网站，已被拒绝。",
            (Unauthenticated, En) => "Please sign in first.",
            (Unauthenticated, ZhCn) => "请先登录。",
            (NotFound, En) => "Not found.",
            (NotFound, ZhCn) => "未找到。",
            (Unavailable, En) => {
                "The server is busy or its database is unreachable. Please try again shortly."
            }
            (Unavailable, ZhCn) => "服务器繁忙或数据库暂时无法访问，请稍后再试。",
            (Internal, En) => "Something went wrong on the server.",
            (Internal, ZhCn) => "服务器出错了。",
            (NetworkError, En) => "Cannot reach the server. Check your connection and try again.",
            (NetworkError, ZhCn) => "无法连接服务器，请检查网络后重试。",
        }
    }
}

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|code| code.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code `{0}`")]
pub struct UnknownErrorCode(pub String);

/// The JSON body of an error answer from any HTTP endpoint of Penguin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, locale: Locale) -> Self {
        Self {
            code,
            message: code.message(locale).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde_and_parse_back() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(code.as_str().parse::<ErrorCode>().unwrap(), code);
            assert_eq!(code.to_string(), code.as_str());
        }
        assert!("nope".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn every_code_has_a_message_in_every_locale() {
        for code in ErrorCode::ALL {
            let en = code.message(Locale::En);
            let zh = code.message(Locale::ZhCn);
            assert!(!en.is_empty() && !zh.is_empty());
            assert_ne!(en, zh, "{code} is not translated");
        }
    }

    #[test]
    fn accept_language_honours_order_and_q_values() {
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(
            Locale::from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.2, zh-Hans;q=0.7"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::from_accept_language("zh;q=0"), None);
        assert_eq!(Locale::from_accept_language(""), None);
    }

    #[test]
    fn locale_tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
            let json = serde_json::to_string(&locale).unwrap();
            assert_eq!(json, format!("\"{}\"", locale.tag()));
        }
    }
}
