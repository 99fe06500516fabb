//! Refuses state-changing requests that a browser sent on behalf of another site (CSRF).
//!
//! Server functions accept form-encoded POSTs, which any page can make a browser send with
//! the user's cookies. Every request whose method is not safe (anything but GET, HEAD,
//! OPTIONS, TRACE) must come from Penguin's own origin or a configured one. Browsers mark
//! such requests with `Sec-Fetch-Site` and `Origin`; a request with neither is not from a
//! browser (curl, a bot), carries no ambient credentials worth stealing, and passes.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};
use penguin_protocol::ErrorCode;
use std::sync::Arc;

use crate::error::error_response;

/// Which origins may act on this server besides its own.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    allowed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossSite {
    #[error("Sec-Fetch-Site is `{0}` and the Origin is not allowed")]
    FetchSite(String),
    #[error("Origin `{0}` is neither this server nor an allowed origin")]
    ForeignOrigin(String),
}

impl OriginPolicy {
    pub fn new(allowed: impl IntoIterator<Item = String>) -> Self {
        Self {
            allowed: allowed
                .into_iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect(),
        }
    }

    /// Whether a request with these headers may change state.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), CrossSite> {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let fetch_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        match fetch_site.as_deref() {
            // The user's own action (typed URL, bookmark) or this very origin.
            Some("same-origin" | "none") => Ok(()),
            Some(other) => match origin {
                Some(origin) if self.is_allowed(origin) => Ok(()),
                _ => Err(CrossSite::FetchSite(other.to_owned())),
            },
            None => match origin {
                None => Ok(()),
                Some(origin) if self.is_own(origin, headers) || self.is_allowed(origin) => Ok(()),
                Some(origin) => Err(CrossSite::ForeignOrigin(origin.to_owned())),
            },
        }
    }

    /// The check for a WebSocket upgrade or anything else that must come from a page of
    /// this server: here a missing `Origin` is not enough, browsers always send one.
    pub fn is_own_or_allowed(&self, origin: &str, headers: &HeaderMap) -> bool {
        self.is_own(origin, headers) || self.is_allowed(origin)
    }

    fn is_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        self.allowed.contains(&origin)
    }

    /// `Origin` names the same host (and port) the request was sent to.
    fn is_own(&self, origin: &str, headers: &HeaderMap) -> bool {
        let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
    }
}

pub async fn refuse_cross_site(
    State(policy): State<Arc<OriginPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match policy.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(%reason, method = %request.method(), path = request.uri().path(),
                "refused a cross-site request");
            error_response(ErrorCode::CrossSiteRequest, request.headers()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_and_non_browser_requests_pass() {
        let policy = OriginPolicy::default();
        assert!(policy.check(&headers(&[])).is_ok());
        assert!(
            policy
                .check(&headers(&[("sec-fetch-site", "same-origin")]))
                .is_ok()
        );
        assert!(
            policy
                .check(&headers(&[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://127.0.0.1:3000")
                ]))
                .is_ok()
        );
    }

    #[test]
    fn foreign_sites_are_refused() {
        let policy = OriginPolicy::default();
        assert_eq!(
            policy.check(&headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "https://evil.example")
            ])),
            Err(CrossSite::ForeignOrigin("https://evil.example".into()))
        );
        assert!(
            policy
                .check(&headers(&[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://evil.example")
                ]))
                .is_err()
        );
        // A sibling subdomain is still another origin.
        assert!(
            policy
                .check(&headers(&[
                    ("sec-fetch-site", "same-site"),
                    ("host", "chat.example.org"),
                    ("origin", "https://evil.example.org")
                ]))
                .is_err()
        );
        // A different port is a different origin.
        assert!(
            policy
                .check(&headers(&[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://127.0.0.1:3001")
                ]))
                .is_err()
        );
        assert!(
            policy
                .check(&headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]))
                .is_err()
        );
    }

    #[test]
    fn configured_origins_are_allowed() {
        let policy = OriginPolicy::new(["http://127.0.0.1:8080/".to_owned()]);
        assert!(
            policy
                .check(&headers(&[
                    ("sec-fetch-site", "same-site"),
                    ("origin", "http://127.0.0.1:8080")
                ]))
                .is_ok()
        );
        assert!(
            policy
                .check(&headers(&[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "HTTP://127.0.0.1:8080")
                ]))
                .is_ok()
        );
    }
}
