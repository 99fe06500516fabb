//! [`Core`]: the handle every server-side caller holds. Cheap to clone (it wraps pools).

use crate::db::{Database, DatabaseSettings};
use crate::error::DomainError;
use crate::migration::Migrator;
use sea_orm_migration::MigratorTrait;

#[derive(Debug, Clone)]
pub struct Core {
    pub db: Database,
}

impl Core {
    /// Connects and brings the schema up to date. Migrations run inside the database's own
    /// bookkeeping table (`seaql_migrations`), so starting twice is a no-op.
    pub async fn open(settings: &DatabaseSettings) -> Result<Self, DomainError> {
        let db = Database::connect(settings).await?;
        Migrator::up(&db.conn, None).await?;
        tracing::info!("database schema is up to date");
        Ok(Self { db })
    }
}
