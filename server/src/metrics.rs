//! `GET /metrics`: the server's measurements in Prometheus' text format (version 0.0.4).
//!
//! Served on the main address only with `--metrics-token` (the scraper sends
//! `Authorization: Bearer <token>`), and/or without a token on `--metrics-addr`, a
//! separate listener meant for a private network. Neither set: no /metrics at all.
//!
//! The format is written here (a few lines per metric) rather than with a metrics crate:
//! every value already lives in `penguin_domain::metrics` as an atomic, so a registry
//! would only add a second copy of each.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, StatusCode, header};
use penguin_domain::Core;
use penguin_domain::metrics::HistogramSnapshot;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone)]
pub struct MetricsState {
    pub core: Core,
    /// `None` on the separate metrics address, which needs no token.
    pub token: Option<Arc<str>>,
}

/// The router of `--metrics-addr`: /metrics and nothing else.
pub fn separate_router(core: Core) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(MetricsState { core, token: None })
}

pub async fn metrics(State(state): State<MetricsState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.token
        && !bearer_matches(&headers, token)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid bearer token is required\n",
        )
            .into_response();
    }
    let body = render(&state.core).await;
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Compares in time independent of where the first difference is.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Every metric, as Prometheus reads them.
pub async fn render(core: &Core) -> String {
    let metrics = &core.metrics;
    let mut out = String::new();
    let ping = core.db.ping().await;
    gauge(
        &mut out,
        "penguin_up",
        "1 while the database answers, else 0.",
        u64::from(ping.is_ok()) as f64,
    );
    gauge(
        &mut out,
        "penguin_db_ping_seconds",
        "Round trip of a trivial query at scrape time (0 when it failed).",
        ping.map_or(0.0, |d| d.as_secs_f64()),
    );
    gauge(
        &mut out,
        "penguin_websocket_connections",
        "Open WebSocket connections on this node.",
        metrics.connections() as f64,
    );
    counter(
        &mut out,
        "penguin_websocket_connections_total",
        "WebSocket connections accepted since start.",
        metrics.ws_connections_total.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "penguin_messages_received_total",
        "Messages sent by clients and stored (repeats of a client id not counted).",
        metrics.messages_received.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "penguin_messages_delivered_total",
        "Message frames written to WebSocket clients (live and catch-up).",
        metrics.messages_delivered.load(Ordering::Relaxed),
    );
    histogram(
        &mut out,
        "penguin_message_delivery_seconds",
        "From a message's commit to its frame on a recipient's socket (live delivery).",
        &metrics.delivery_latency.snapshot(),
    );
    let (commits, _) = core.commit_stats();
    counter(
        &mut out,
        "penguin_db_commits_total",
        "Group-commit transactions (each stores one or more messages).",
        commits,
    );
    histogram(
        &mut out,
        "penguin_db_commit_seconds",
        "One group-commit transaction, from BEGIN to COMMIT.",
        &metrics.commit_latency.snapshot(),
    );
    gauge(
        &mut out,
        "penguin_send_queue_length",
        "Sends waiting for the group-commit writer.",
        core.queued_sends() as f64,
    );
    let _ = writeln!(
        out,
        "# HELP penguin_build_info The running version.\n# TYPE penguin_build_info gauge\npenguin_build_info{{version=\"{}\"}} 1",
        penguin_domain::server_info::VERSION
    );
    out
}

fn head(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    head(out, name, help, "gauge");
    let _ = writeln!(out, "{name} {value}");
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    head(out, name, help, "counter");
    let _ = writeln!(out, "{name} {value}");
}

fn histogram(out: &mut String, name: &str, help: &str, snapshot: &HistogramSnapshot) {
    head(out, name, help, "histogram");
    for (bound, count) in &snapshot.buckets {
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", snapshot.count);
    let _ = writeln!(out, "{name}_sum {}", snapshot.sum_seconds);
    let _ = writeln!(out, "{name}_count {}", snapshot.count);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            headers
        };
        assert!(bearer_matches(&with("Bearer s3cret-token"), "s3cret-token"));
        assert!(!bearer_matches(
            &with("Bearer s3cret-tokem"),
            "s3cret-token"
        ));
        assert!(!bearer_matches(&with("Bearer s3cret"), "s3cret-token"));
        assert!(!bearer_matches(&with("Basic s3cret-token"), "s3cret-token"));
        assert!(!bearer_matches(&HeaderMap::new(), "s3cret-token"));
    }
}
