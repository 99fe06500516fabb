//! Health and server-information payloads.

use serde::{Deserialize, Serialize};

/// Which database engine a server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

impl DatabaseBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The body of `GET /healthz`. `status` is `"ok"` when every dependency answered, else
/// `"degraded"` (and the HTTP status is 503), so a load balancer can use either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    pub status: HealthStatus,
    /// The server's version (the workspace version).
    pub version: String,
    pub protocol: u32,
    pub database: DependencyHealth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Degraded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyHealth {
    pub backend: DatabaseBackend,
    pub reachable: bool,
    /// Round-trip time of the probe query, when it answered.
    pub latency_ms: Option<u64>,
}

/// Public facts about a server, shown on the start page and useful to bots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub version: String,
    pub protocol: u32,
    pub database: DatabaseBackend,
    /// The schema migration the database is at.
    pub schema_version: String,
    pub users: u64,
}
