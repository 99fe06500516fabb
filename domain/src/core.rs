//! [`Core`]: the handle every server-side caller holds. Cheap to clone (it wraps pools
//! and `Arc`s).

use crate::accounts::password::Passwords;
use crate::accounts::throttle::Throttle;
use crate::cluster::Cluster;
use crate::db::{Database, DatabaseSettings};
use crate::error::DomainError;
use crate::hub::Hub;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::migration::Migrator;
use crate::settings::CoreSettings;
use penguin_protocol::DatabaseBackend;
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone)]
pub struct Core {
    pub db: Database,
    pub(crate) settings: Arc<CoreSettings>,
    pub(crate) passwords: Passwords,
    pub(crate) throttles: Arc<Throttles>,
    /// Sends per user (see `messaging::send_limit`).
    pub(crate) send_limiter: Arc<crate::messaging::SendLimiter>,
    pub(crate) mailer: Mailer,
    /// Connected devices, for live delivery.
    pub hub: Hub,
    pub(crate) writes: Writes,
    /// Stores sent messages in batches (group commit); see `messaging::group_commit`.
    pub(crate) committer: crate::messaging::group_commit::Committer,
    /// This node's membership of a cluster, when it has other nodes (see `cluster`).
    pub cluster: Option<Cluster>,
    /// Counters and latencies for `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// How writing transactions begin.
#[derive(Debug, Clone)]
pub(crate) struct Writes {
    conn: sea_orm::DatabaseConnection,
    /// SQLite only: one writing transaction at a time in this process. SQLite allows one
    /// writer anyway; queueing here instead of in SQLite turns "database is locked" and
    /// the un-retryable BUSY_SNAPSHOT of read-then-write transactions into a short wait.
    gate: Option<Arc<Mutex<()>>>,
}

impl Writes {
    pub(crate) async fn begin(&self) -> Result<WriteTxn, DomainError> {
        let Some(gate) = &self.gate else {
            return Ok(WriteTxn {
                txn: self.conn.begin().await?,
                _gate: None,
            });
        };
        let guard = gate.clone().lock_owned().await;
        // IMMEDIATE takes SQLite's write lock at BEGIN, waiting (busy_timeout) while the
        // previous writer's connection finishes: a refused transaction is rolled back
        // after its guard is released, and a deferred BEGIN that read first would then
        // fail at its first write with SQLITE_BUSY, without waiting.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let txn = self.conn.begin_with_options(options).await?;
        Ok(WriteTxn {
            txn,
            _gate: Some(guard),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Throttles {
    pub(crate) sign_in_per_account: Throttle,
    pub(crate) sign_in_per_address: Throttle,
    pub(crate) registrations_per_address: Throttle,
    pub(crate) email_codes_per_address: Throttle,
    pub(crate) email_codes_per_client: Throttle,
}

/// A transaction that may write. Dropping it without [`WriteTxn::commit`] rolls back.
pub(crate) struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub(crate) async fn commit(self) -> Result<(), DomainError> {
        Ok(self.txn.commit().await?)
    }

    pub(crate) async fn rollback(self) -> Result<(), DomainError> {
        Ok(self.txn.rollback().await?)
    }
}

impl Core {
    /// Connects, brings the schema up to date, and uses the default settings. Migrations
    /// run inside the database's own bookkeeping table (`seaql_migrations`), so starting
    /// twice is a no-op.
    pub async fn open(database: &DatabaseSettings) -> Result<Self, DomainError> {
        Self::open_with(database, CoreSettings::default()).await
    }

    pub async fn open_with(
        database: &DatabaseSettings,
        settings: CoreSettings,
    ) -> Result<Self, DomainError> {
        settings.validate()?;
        let db = Database::connect(database).await?;
        if settings.cluster.is_some() && db.backend == DatabaseBackend::Sqlite {
            return Err(DomainError::InvalidSetting {
                name: "redis url",
                reason: "several nodes need a shared PostgreSQL database, not SQLite".into(),
            });
        }
        // (SQLite only: on PostgreSQL even this read installs the bookkeeping table, which
        // must happen under `migrate`'s lock when nodes start at once.)
        let migrating = db.backend == DatabaseBackend::Sqlite
            && !Migrator::get_pending_migrations(&db.conn).await?.is_empty();
        migrate(&db).await?;
        // Pooled SQLite connections opened before an ALTER TABLE were seen to answer NULL
        // for the added columns in RETURNING (now and then, under parallel tests): after
        // migrating, start from fresh connections that only ever knew the new schema.
        let db = if migrating {
            db.conn.close_by_ref().await?;
            drop(db);
            Database::connect(database).await?
        } else {
            db
        };
        tracing::info!("database schema is up to date");
        let limits = &settings.sign_in_limits;
        let throttles = Throttles {
            sign_in_per_account: Throttle::new(limits.failures_per_account, limits.window),
            sign_in_per_address: Throttle::new(limits.attempts_per_address, limits.window),
            registrations_per_address: Throttle::new(
                limits.registrations_per_address,
                limits.window,
            ),
            email_codes_per_address: Throttle::new(settings.email_codes_per_address, limits.window),
            email_codes_per_client: Throttle::new(settings.email_codes_per_client, limits.window),
        };
        let send_limiter = crate::messaging::SendLimiter::new(settings.sends).ok_or_else(|| {
            DomainError::InvalidSetting {
                name: "send limits",
                reason: "must be at least 1 message".to_owned(),
            }
        })?;
        let mailer = Mailer::new(&settings.mail)?;
        let writes = Writes {
            conn: db.conn.clone(),
            gate: (db.backend == DatabaseBackend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        };
        let metrics = Arc::new(Metrics::default());
        let committer =
            crate::messaging::group_commit::Committer::start(writes.clone(), metrics.clone());
        let hub = Hub::default();
        let (reaped, reaped_users) = tokio::sync::mpsc::unbounded_channel();
        let cluster = settings
            .cluster
            .clone()
            .map(|cluster| Cluster::join(cluster, &hub, reaped))
            .transpose()?;
        let core = Self {
            db,
            passwords: Passwords::new(settings.password_hash_concurrency),
            settings: Arc::new(settings),
            throttles: Arc::new(throttles),
            send_limiter: Arc::new(send_limiter),
            mailer,
            hub,
            writes,
            committer,
            cluster,
            metrics,
        };
        if let Some(cluster) = &core.cluster {
            let announcer = tokio::spawn(core.clone().announce_reaped(reaped_users));
            cluster.adopt(announcer.abort_handle());
        }
        Ok(core)
    }

    /// Leaves the cluster, if on one: the other nodes take over this node's users'
    /// presence. Call it on shutdown, after the last connection closed.
    pub async fn leave_cluster(&self) {
        if let Some(cluster) = &self.cluster {
            cluster.leave().await;
        }
    }

    pub fn settings(&self) -> &CoreSettings {
        &self.settings
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTxn, DomainError> {
        self.writes.begin().await
    }

    /// Sends waiting for the group-commit writer.
    pub fn queued_sends(&self) -> usize {
        self.committer.queued()
    }

    /// Graceful shutdown, once nothing new can arrive: waits until every send handed to
    /// the writer is committed, then closes the pool (on SQLite the last connection's
    /// close checkpoints the WAL into the database file).
    pub async fn shut_down(&self) -> Result<(), DomainError> {
        self.committer.flush().await;
        self.db.conn.close_by_ref().await?;
        tracing::info!("database closed");
        Ok(())
    }
}

/// Brings the schema up to date. On PostgreSQL several nodes may start at once on one
/// database: an advisory lock (per schema) lets one migrate while the others wait, then
/// find nothing left to do.
async fn migrate(db: &Database) -> Result<(), DomainError> {
    if db.backend != DatabaseBackend::Postgres {
        Migrator::up(&db.conn, None).await?;
        return Ok(());
    }
    let lock = db.conn.begin().await?;
    lock.execute_unprepared(
        "SELECT pg_advisory_xact_lock(hashtext('penguin migrations ' || current_schema()))",
    )
    .await?;
    Migrator::up(&db.conn, None).await?;
    lock.commit().await?;
    Ok(())
}
