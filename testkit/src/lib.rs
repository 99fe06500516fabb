//! Shared by Penguin's integration tests: real databases, a fresh one for each test.
//! SQLite in a temp directory; PostgreSQL in a schema of its own, dropped afterwards.

pub mod proxy;
pub mod redis;
pub mod smtp;

use penguin_domain::{Core, DatabaseSettings};
use sea_orm::ConnectionTrait;
use std::sync::atomic::{AtomicU32, Ordering};

/// The URL of a test service from `variable`, or `None` when it is not set. When
/// `PENGUIN_REQUIRE_SERVICES` is set (CI does), a missing URL fails the test instead.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("PENGUIN_REQUIRE_SERVICES").is_none(),
                "PENGUIN_REQUIRE_SERVICES is set but {variable} is not"
            );
            eprintln!("skipped: {variable} is not set");
            None
        }
    }
}

/// A name part no other test of this run uses: process, counter and clock, joined by
/// `separator`.
pub fn unique_suffix(separator: char) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}{separator}{count}{separator}{nanos}", std::process::id())
}

/// A throw-away database of one backend. The SQLite file goes with the value; call
/// [`TestDb::cleanup`] to drop a PostgreSQL schema.
pub struct TestDb {
    pub settings: DatabaseSettings,
    /// Keeps the SQLite file's directory alive as long as the value.
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("penguin.db").display());
        Self {
            settings: DatabaseSettings::new(url),
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A fresh schema in the test PostgreSQL, or `None` when no server was given. When
    /// `PENGUIN_REQUIRE_SERVICES` is set (CI does), a missing URL fails the test instead.
    pub fn postgres() -> Option<Self> {
        let url = service_url("PENGUIN_TEST_POSTGRES_URL")?;
        let schema = format!("penguin_test_{}", unique_suffix('_'));
        let mut settings = DatabaseSettings::new(url.clone());
        settings.schema = Some(schema.clone());
        settings.max_connections = 4;
        Some(Self {
            settings,
            _dir: None,
            pg_schema: Some((url, schema)),
        })
    }

    /// The database URL, for a server started with `--database-url`.
    pub fn url(&self) -> &str {
        &self.settings.url
    }

    /// The PostgreSQL schema, for a server started with `--database-schema`.
    pub fn schema(&self) -> Option<&str> {
        self.settings.schema.as_deref()
    }

    pub async fn open(&self) -> Core {
        Core::open(&self.settings).await.expect("open core")
    }

    /// Drops the PostgreSQL schema (SQLite files go with the temp dir).
    pub async fn cleanup(self) {
        if let Some((url, schema)) = &self.pg_schema {
            let admin = sea_orm::Database::connect(url.as_str())
                .await
                .expect("admin");
            admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await
                .expect("drop schema");
            admin.close().await.ok();
        }
    }
}
