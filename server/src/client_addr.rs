//! Records the client's address in the request's extensions
//! ([`penguin_app::api::request::ClientAddr`]) for per-address rate limits.
//!
//! By default it is the socket's peer. Behind a reverse proxy every peer is the proxy, so
//! with `--trust-forwarded-for` the right-most `X-Forwarded-For` entry is used: the one
//! the proxy itself appended, which a client cannot forge.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use penguin_app::api::request::ClientAddr;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy)]
pub struct ClientAddrPolicy {
    pub trust_forwarded_for: bool,
}

pub async fn record_client_addr(
    State(policy): State<ClientAddrPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = policy
        .trust_forwarded_for
        .then(|| forwarded_for(request.headers()))
        .flatten();
    if let Some(ip) = forwarded.or(peer) {
        request.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(request).await
}

fn forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxys_own_entry_wins() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 10.0.0.1".parse().unwrap());
        headers.append("x-forwarded-for", "192.0.2.7".parse().unwrap());
        assert_eq!(forwarded_for(&headers), Some("192.0.2.7".parse().unwrap()));
        assert_eq!(forwarded_for(&http::HeaderMap::new()), None);
    }
}
