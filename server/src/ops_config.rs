//! Settings for running Penguin in production: log format, metrics, shutdown. Flattened
//! into [`crate::Config`], so they come from flags, `PENGUIN_*` variables and the TOML
//! file like every other setting.

use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct OpsSettings {
    /// Log lines as human-readable text, or one JSON object per line (for a log
    /// collector).
    #[arg(long, env = "PENGUIN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Serve `GET /metrics` (Prometheus) on the main address to requests carrying
    /// `Authorization: Bearer <this token>`. Without it and without --metrics-addr,
    /// there is no /metrics.
    #[arg(long, env = "PENGUIN_METRICS_TOKEN", value_name = "TOKEN")]
    pub metrics_token: Option<String>,

    /// Serve `GET /metrics` without a token on this separate address (keep it private:
    /// loopback or an internal network), e.g. `127.0.0.1:9100`.
    #[arg(long, env = "PENGUIN_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// On SIGTERM or Ctrl-C, how long to wait for requests and WebSocket connections to
    /// finish before exiting anyway (sends already handed to the writer are committed
    /// either way).
    #[arg(long, env = "PENGUIN_SHUTDOWN_GRACE_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub shutdown_grace_secs: u64,

    /// Seconds a client has to send a request's headers, and an idle keep-alive
    /// connection stays open; connections slower than that (half-open handshakes,
    /// slowloris) are closed, so they cannot exhaust the server's connections.
    #[arg(long, env = "PENGUIN_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl OpsSettings {
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }
}

/// `site/` beside the running binary, as `make package` lays it out, when it exists.
pub fn packaged_site() -> Option<std::path::PathBuf> {
    let site = std::env::current_exe().ok()?.parent()?.join("site");
    site.is_dir().then_some(site)
}
