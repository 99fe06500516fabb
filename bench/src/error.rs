//! Why a benchmark step failed. A failed step ends its scenario (the report says which
//! and why); loss and duplication are not errors here but findings, counted in the
//! scenario's result, so the run can still write its report before exiting non-zero.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("server: {0}")]
    Server(String),
    #[error("could not run {what}: {source}")]
    Spawn {
        what: String,
        source: std::io::Error,
    },
    #[error("HTTP {endpoint}: {detail}")]
    Http { endpoint: String, detail: String },
    #[error("WebSocket: {0}")]
    WebSocket(String),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Failed(String),
}

impl BenchError {
    pub fn http(endpoint: &str, detail: impl std::fmt::Display) -> Self {
        Self::Http {
            endpoint: endpoint.to_owned(),
            detail: detail.to_string(),
        }
    }

    pub fn file(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::File {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = BenchError> = std::result::Result<T, E>;
