//! The accept loop: hyper's HTTP/1 server with a timer, in place of `axum::serve`.
//!
//! `axum::serve` gives hyper no timer, and without one hyper has no header-read
//! timeout: a client that connects and never finishes its request headers (a half-open
//! handshake, slowloris) holds its connection and file descriptor forever, and a few
//! thousand of them exhaust the process's open-file limit. Here every connection has
//! `header_timeout` to send each request's headers (an idle keep-alive connection is
//! closed after it too). HTTP/2 is left out on purpose: Penguin serves plain HTTP, where
//! browsers only speak HTTP/1.1 (a TLS-terminating proxy in front speaks h2 to them).
//!
//! Shutdown as with `axum::serve`'s graceful shutdown: stop accepting, let in-flight
//! requests finish; upgraded WebSockets are the `lifecycle` module's business.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the HTTP
/// requests in flight. The peer address reaches handlers as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    // `stop` tells connections to finish; each holds a `done` receiver until it ends, so
    // `done.closed()` completes when the last one has.
    let (stop, _) = watch::channel(false);
    let (done, _) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    pause_after(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small frames (acks, typing) should leave at once.
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |request: http::Request<Incoming>| {
                let (mut parts, body) = request.into_parts();
                parts.extensions.insert(ConnectInfo(peer));
                http::Request::from_parts(parts, axum::body::Body::new(body))
            });
        let connection = http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stop.subscribe();
        let held = done.subscribe();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                    // Finish the request in flight, then close (idle ones close now).
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                // Timeouts and resets of misbehaving clients: not worth more than debug.
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(held);
        });
    }
    drop(listener);
    stop.send_replace(true);
    done.closed().await;
    Ok(())
}

/// After a failed accept: a client that gave up mid-handshake costs nothing; running out
/// of file descriptors (or another resource) would fail again at once, so wait a moment
/// for connections to close instead of spinning.
async fn pause_after(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(%error, "accepting a connection failed; pausing");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
