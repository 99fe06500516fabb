//! The Penguin server as a library, so integration tests start the real thing in-process
//! on a free port. `main.rs` only parses the configuration and calls [`serve`].

// Leptos views are nested types; the server computes the layout of every page's
// rendering future, which for the larger pages goes deeper than rustc's default 128.
#![recursion_limit = "256"]

pub mod accept;
pub mod body_limit;
pub mod client_addr;
pub mod commands;
pub mod config;
pub mod config_file;
pub mod error;
pub mod health;
pub mod lifecycle;
pub mod metrics;
pub mod ops_config;
pub mod router;
pub mod same_origin;
pub mod shutdown;
pub mod ws;

pub use config::Config;
pub use error::ServerError;

use client_addr::ClientAddrPolicy;
use penguin_app::api::request::CookiePolicy;
use penguin_domain::Core;
use router::AppState;
use same_origin::OriginPolicy;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A bound, ready server: the database is open and migrated, the port is listening.
pub struct Server {
    listener: TcpListener,
    app: axum::Router,
    core: Core,
    pub local_addr: SocketAddr,
    connections: lifecycle::Connections,
    /// `--metrics-addr`, bound.
    metrics_listener: Option<TcpListener>,
    pub metrics_addr: Option<SocketAddr>,
    shutdown_grace: std::time::Duration,
    header_timeout: std::time::Duration,
}

impl Server {
    pub async fn bind(config: &Config) -> Result<Self, ServerError> {
        let core = Core::open_with(&config.database(), config.core_settings()).await?;
        let addr = config.addr();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        let metrics_listener = match config.ops.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServerError::Bind { addr, source })?,
            ),
            None => None,
        };
        let metrics_addr = metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok());
        let connections = lifecycle::Connections::default();
        let state = AppState {
            leptos_options: config.leptos_options(local_addr),
            core: core.clone(),
        };
        let policies = router::Policies {
            origins: OriginPolicy::new(config.allowed_origins.clone()),
            cookies: CookiePolicy {
                always_secure: config.secure_cookies,
            },
            client_addr: ClientAddrPolicy {
                trust_forwarded_for: config.trust_forwarded_for,
            },
            connections: connections.clone(),
            metrics_token: config.ops.metrics_token.as_deref().map(Into::into),
        };
        let app = router::build(state, policies);
        Ok(Self {
            listener,
            app,
            core,
            local_addr,
            connections,
            metrics_listener,
            metrics_addr,
            shutdown_grace: config.ops.shutdown_grace(),
            header_timeout: config.ops.header_timeout(),
        })
    }

    /// Serves until `shutdown` completes, then shuts down gracefully (see `lifecycle`).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        tracing::info!("Penguin listening on http://{}", self.local_addr);
        let pruning = tokio::spawn(prune_sessions_hourly(self.core.clone()));
        let (begun, on_begun) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            begun.send_replace(true);
        };
        let metrics = self.metrics_listener.map(|listener| {
            let mut stopping = on_begun.clone();
            let app = metrics::separate_router(self.core.clone());
            tracing::info!(
                "metrics on http://{}/metrics",
                self.metrics_addr.unwrap_or(self.local_addr)
            );
            tokio::spawn(accept::serve(
                listener,
                app,
                self.header_timeout,
                async move {
                    let _ = stopping.wait_for(|begun| *begun).await;
                },
            ))
        });
        // The peer address feeds per-address rate limits (see `client_addr`).
        let served = accept::serve(self.listener, self.app, self.header_timeout, signal);
        let result = lifecycle::drain(
            served,
            on_begun,
            &self.connections,
            &self.core,
            self.shutdown_grace,
        )
        .await;
        pruning.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        result
    }
}

/// Expired sessions are refused on sight; this only keeps the table from growing.
async fn prune_sessions_hourly(core: Core) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match core.prune_expired_sessions().await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "expired sessions deleted"),
            Err(error) => tracing::warn!(%error, "could not prune expired sessions"),
        }
    }
}

/// Binds and serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    Server::bind(&config).await?.run(shutdown::signal()).await
}
