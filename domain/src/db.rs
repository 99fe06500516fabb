//! Opening the database: embedded SQLite by default, PostgreSQL through the same URL
//! setting. Both sit behind one sea-orm [`DatabaseConnection`].

use crate::error::DomainError;
use penguin_protocol::DatabaseBackend;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection};
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The default database: a file under `./data`, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/penguin.db";

/// How to reach the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`.
    pub url: String,
    /// Upper bound of pooled connections.
    pub max_connections: u32,
    /// PostgreSQL only: the schema Penguin's tables live in (created if missing), so that
    /// several installations or test runs can share one database.
    pub schema: Option<String>,
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 16,
            schema: None,
        }
    }

    pub fn backend(&self) -> Result<DatabaseBackend, DomainError> {
        backend_of(&self.url)
    }
}

fn backend_of(url: &str) -> Result<DatabaseBackend, DomainError> {
    if url.starts_with("sqlite:") {
        Ok(DatabaseBackend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DatabaseBackend::Postgres)
    } else {
        Err(DomainError::InvalidDatabaseUrl {
            url: url.to_owned(),
            reason: "expected sqlite://… or postgres://…".into(),
        })
    }
}

/// An open database.
#[derive(Debug, Clone)]
pub struct Database {
    pub conn: DatabaseConnection,
    pub backend: DatabaseBackend,
    /// SQLite only: a shared `flock` on the database file for as long as the database is
    /// open, so `penguin restore` (which needs it exclusively) cannot replace the file
    /// under a running server. SQLite's own locks are `fcntl` locks, which `flock` does
    /// not touch.
    _in_use: Option<std::sync::Arc<std::fs::File>>,
}

impl Database {
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DomainError> {
        let backend = settings.backend()?;
        let mut sqlite_file = None;
        let mut options = ConnectOptions::new(settings.url.clone());
        // The acquire timeout bounds the wait for a connection, the ping that tests an
        // idle one included: it is what turns a database gone silent (a partition that
        // drops packets) into a clear `unavailable` within seconds instead of a wait as
        // long as TCP's (server/tests/faults.rs `postgres_silent_…`).
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        match backend {
            DatabaseBackend::Sqlite => {
                // Validate now so a typo is reported with the URL, not as a sqlx error.
                let parsed = SqliteConnectOptions::from_str(&settings.url).map_err(|e| {
                    DomainError::InvalidDatabaseUrl {
                        url: settings.url.clone(),
                        reason: e.to_string(),
                    }
                })?;
                create_parent_dir(parsed.get_filename())?;
                sqlite_file = Some(parsed.get_filename().to_owned());
                options.map_sqlx_sqlite_opts(sqlite_durability);
                // A SQLite connection is a file handle: no network to fail between uses,
                // so no ping before each use. Each ping is one more round trip to the
                // driver's worker thread, and every query outside a transaction checks a
                // connection out (the connection is still pinged when it is returned,
                // which also flushes what a cancelled query left behind).
                options.test_before_acquire(false);
                options.map_sqlx_sqlite_pool_opts(|pool| {
                    pool.after_release(|conn, _| Box::pin(async move { Ok(!in_doubt(conn)) }))
                        .before_acquire(|_, meta| Box::pin(async move { Ok(!stale(meta.age)) }))
                });
            }
            DatabaseBackend::Postgres => {
                if let Some(schema) = &settings.schema {
                    create_pg_schema(&settings.url, schema).await?;
                    options.set_schema_search_path(schema.clone());
                }
                options.map_sqlx_postgres_pool_opts(|pool| {
                    pool.after_release(|conn, _| Box::pin(async move { Ok(!in_doubt(conn)) }))
                });
            }
        }
        let conn = sea_orm::Database::connect(options).await?;
        let in_use = match sqlite_file {
            Some(file) if file != std::path::Path::new(":memory:") => {
                Some(std::sync::Arc::new(lock_shared(&file)?))
            }
            _ => None,
        };
        tracing::info!(backend = backend.as_str(), "database connected");
        Ok(Self {
            conn,
            backend,
            _in_use: in_use,
        })
    }

    /// Round trip to the database; the latency when it answered.
    pub async fn ping(&self) -> Result<Duration, DomainError> {
        let started = Instant::now();
        self.conn.ping().await?;
        Ok(started.elapsed())
    }
}

/// When the last storage fault was seen, as milliseconds since [`fault_clock`] + 1;
/// 0 for never. One per process: a server opens one database, and elsewhere (tests with
/// several) a fault elsewhere only makes the pool reopen connections it did not need to.
static LAST_STORAGE_FAULT: AtomicU64 = AtomicU64::new(0);

fn fault_clock() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Notes that the storage refused a write or could not be reached (called for every such
/// error, see `DomainError::from`).
pub(crate) fn note_storage_fault() {
    let since = fault_clock().elapsed().as_millis() as u64 + 1;
    LAST_STORAGE_FAULT.fetch_max(since, Ordering::Relaxed);
}

/// True for a pooled connection of `age` that was opened before the last storage fault.
/// SQLite opens a connection read-only when it finds the file write-protected, and that
/// connection stays read-only after the file is writable again: without this, a
/// connection the pool opened during a read-only spell kept answering "attempt to write
/// a readonly database" after the fault ended (seen in server/tests/faults.rs). Opening
/// a SQLite connection costs well under a millisecond, and this only happens after a fault.
fn stale(age: Duration) -> bool {
    match LAST_STORAGE_FAULT.load(Ordering::Relaxed) {
        0 => false,
        noted => {
            let since_fault = fault_clock()
                .elapsed()
                .saturating_sub(Duration::from_millis(noted - 1));
            age >= since_fault
        }
    }
}

/// True for a connection handed back to the pool still inside a transaction: its COMMIT
/// or ROLLBACK failed (disk full, an I/O error, a read-only file). The driver's count of
/// open transactions is then out of step with the database, and a later "transaction" on
/// that connection can become a savepoint of one that never commits: acknowledged,
/// never stored. Such a connection is closed instead of reused (seen in
/// server/tests/faults.rs).
fn in_doubt(conn: &impl sea_orm::sqlx::Connection) -> bool {
    let in_doubt = conn.is_in_transaction();
    if in_doubt {
        tracing::warn!("closing a database connection left inside a failed transaction");
    }
    in_doubt
}

/// WAL lets readers run beside the writer; `synchronous=FULL` makes every commit survive
/// power loss, not only a process crash (the delivery contract acknowledges a message only
/// after its commit). `busy_timeout` waits for the writer lock instead of failing.
fn sqlite_durability(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
}

/// Marks the SQLite file as in use (see [`Database`]); refused while a restore holds it.
fn lock_shared(file: &std::path::Path) -> Result<std::fs::File, DomainError> {
    let in_use = |reason: String| DomainError::DatabaseInUse {
        path: file.to_owned(),
        reason,
    };
    let handle = std::fs::File::open(file).map_err(|e| in_use(e.to_string()))?;
    handle.try_lock_shared().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => in_use("a restore is replacing it".into()),
        std::fs::TryLockError::Error(e) => in_use(e.to_string()),
    })?;
    Ok(handle)
}

fn create_parent_dir(file: &std::path::Path) -> Result<(), DomainError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && file != std::path::Path::new(":memory:") => {
            std::fs::create_dir_all(dir).map_err(|source| DomainError::CreateDataDir {
                path: dir.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

async fn create_pg_schema(url: &str, schema: &str) -> Result<(), DomainError> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(DomainError::InvalidDatabaseUrl {
            url: url.to_owned(),
            reason: format!("schema name `{schema}` must be letters, digits and `_`"),
        });
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    let admin = sea_orm::Database::connect(options).await?;
    // `IF NOT EXISTS` is not atomic: two nodes starting at once can both miss the schema
    // and one then fails on pg_namespace's unique index. A transaction-scoped advisory
    // lock lets one create it while the other waits and then finds it.
    let txn = admin.begin().await?;
    txn.execute_unprepared(&format!(
        "SELECT pg_advisory_xact_lock(hashtext('penguin schema {schema}'))"
    ))
    .await?;
    txn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .await?;
    txn.commit().await?;
    admin.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_opened_before_a_storage_fault_are_replaced() {
        note_storage_fault();
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            stale(Duration::from_secs(3600)),
            "opened long before the fault"
        );
        assert!(!stale(Duration::from_millis(1)), "opened after the fault");
    }

    #[test]
    fn backend_follows_the_url_scheme() {
        let backend = |url: &str| DatabaseSettings::new(url).backend().ok();
        assert_eq!(backend("sqlite://data/x.db"), Some(DatabaseBackend::Sqlite));
        assert_eq!(backend("sqlite::memory:"), Some(DatabaseBackend::Sqlite));
        assert_eq!(backend("postgres://h/db"), Some(DatabaseBackend::Postgres));
        assert_eq!(
            backend("postgresql://h/db"),
            Some(DatabaseBackend::Postgres)
        );
        assert_eq!(backend("mysql://h/db"), None);
    }

    #[tokio::test]
    async fn sqlite_file_and_its_directory_are_created_with_wal() {
        use sea_orm::{ConnectionTrait, Statement};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/penguin.db");
        let db = Database::connect(&DatabaseSettings::new(format!(
            "sqlite://{}",
            path.display()
        )))
        .await
        .unwrap();
        assert!(path.exists());
        let pragma = |sql: &'static str| {
            let conn = db.conn.clone();
            async move {
                let row = conn
                    .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<String>(0)
                    .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
                    .unwrap()
            }
        };
        assert_eq!(pragma("PRAGMA journal_mode").await, "wal");
        // 2 = FULL.
        assert_eq!(pragma("PRAGMA synchronous").await, "2");
        assert_eq!(pragma("PRAGMA foreign_keys").await, "1");
        assert!(db.ping().await.is_ok());
    }

    #[tokio::test]
    async fn unknown_scheme_is_a_clear_error() {
        let err = Database::connect(&DatabaseSettings::new("mysql://x/y"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("expected sqlite://"), "{err}");
    }
}
