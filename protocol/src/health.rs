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

/// The body of `GET /healthz`. `status` is `"ok"` when every dependency answered;
/// `"degraded"` (HTTP 503) when the database did not, so a load balancer can use either;
/// `"isolated"` (HTTP 200) when a node of a cluster cannot reach Redis: it still serves
/// its own users, but live frames from other nodes do not reach them until Redis is
/// back (they catch up from the database then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    pub status: HealthStatus,
    /// The server's version (the workspace version).
    pub version: String,
    pub protocol: u32,
    pub database: DependencyHealth,
    /// Present on a node of a cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterHealth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Degraded,
    Isolated,
}

/// A cluster node's view of the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterHealth {
    pub node_id: String,
    /// The node both publishes to and listens on Redis.
    pub redis_reachable: bool,
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
