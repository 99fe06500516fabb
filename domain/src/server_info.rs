//! Public facts about this server: version, database, schema, how many accounts.

use crate::core::Core;
use crate::entity::user;
use crate::error::DomainError;
use crate::migration::Migrator;
use penguin_protocol::{
    DatabaseBackend, HealthReport, PROTOCOL_VERSION, ServerInfo,
    health::{DependencyHealth, HealthStatus},
};
use sea_orm::{EntityTrait, PaginatorTrait, QuerySelect};
use sea_orm_migration::MigratorTrait;

/// The server's version: the workspace version this crate was built from.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Core {
    pub async fn server_info(&self) -> Result<ServerInfo, DomainError> {
        let conn = &self.db.conn;
        let schema_version = Migrator::get_applied_migrations(conn)
            .await?
            .last()
            .map(|m| m.name().to_owned())
            .unwrap_or_default();
        // Counts ids only: cheap, and independent of columns later migrations add.
        let users = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .count(conn)
            .await?;
        Ok(ServerInfo {
            version: VERSION.to_owned(),
            protocol: PROTOCOL_VERSION,
            database: self.db.backend,
            schema_version,
            users,
        })
    }

    /// Never fails: an unreachable database is reported, not raised.
    pub async fn health(&self) -> HealthReport {
        let probe = self.db.ping().await;
        if let Err(error) = &probe {
            tracing::warn!(%error, "health check: database unreachable");
        }
        let latency_ms = probe
            .as_ref()
            .ok()
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let reachable = probe.is_ok();
        let cluster = self.cluster.as_ref().map(|cluster| cluster.health());
        HealthReport {
            status: match &cluster {
                _ if !reachable => HealthStatus::Degraded,
                Some(cluster) if !cluster.redis_reachable => HealthStatus::Isolated,
                _ => HealthStatus::Ok,
            },
            cluster,
            version: VERSION.to_owned(),
            protocol: PROTOCOL_VERSION,
            database: DependencyHealth {
                backend: self.db.backend,
                reachable,
                latency_ms,
            },
        }
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.backend
    }
}
