//! Backups of the SQLite database, taken while the server runs, and their restore.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is the database exactly
//! as of one commit (WAL readers never block the writer, and the writer never blocks
//! them), compacted, in a file of its own that needs no `-wal`. It is written next to
//! its destination under a temporary name, synced, checked (`PRAGMA integrity_check`) and
//! only then renamed into place, so a file at the destination is always a whole backup.
//!
//! A restore needs the server stopped: it takes the database file's exclusive `flock`,
//! which every open Penguin holds shared (see `db::Database`). The current database (and
//! its `-wal` / `-shm`) is kept beside it as `*.before-restore`; a stale WAL must never
//! meet the restored file, or SQLite would replay the old database's pages onto it.
//!
//! PostgreSQL has its own tools for this (`pg_dump`, `pg_restore`): see the README.

use crate::db::DatabaseSettings;
use crate::error::DomainError;
use penguin_protocol::DatabaseBackend;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sea_orm::sqlx::{ConnectOptions as _, Connection as _, Row as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a backup or restore contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub users: i64,
    pub messages: i64,
    /// The newest migration in it.
    pub schema_version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups of PostgreSQL are taken with pg_dump and restored with pg_restore (see the README, \"Backups\")"
    )]
    Postgres,
    #[error("{0}")]
    Database(#[from] DomainError),
    #[error("{} already exists; choose a new file (a backup never overwrites)", .0.display())]
    Exists(PathBuf),
    #[error("there is no database at {}", .0.display())]
    NoDatabase(PathBuf),
    #[error(
        "the database {} is in use by a running Penguin (server or admin command); stop it first",
        .0.display()
    )]
    InUse(PathBuf),
    #[error("{} is not a usable Penguin backup: {reason}", path.display())]
    NotABackup { path: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] sea_orm::sqlx::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The SQLite file of `settings`, or why there is none to back up.
fn sqlite_file(settings: &DatabaseSettings) -> Result<PathBuf, BackupError> {
    if settings.backend()? != DatabaseBackend::Sqlite {
        return Err(BackupError::Postgres);
    }
    let options = SqliteConnectOptions::from_str(&settings.url).map_err(|e| {
        DomainError::InvalidDatabaseUrl {
            url: settings.url.clone(),
            reason: e.to_string(),
        }
    })?;
    Ok(options.get_filename().to_owned())
}

/// Copies the database at `settings` into the new file `to`, consistently, while the
/// server may keep writing.
pub async fn backup(settings: &DatabaseSettings, to: &Path) -> Result<BackupReport, BackupError> {
    let source = sqlite_file(settings)?;
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let partial = sibling(to, "partial");
    let _ = std::fs::remove_file(&partial);
    // The server's own settings (WAL, busy timeout): this is one more reader.
    let mut conn = SqliteConnectOptions::new()
        .filename(&source)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await?;
    let target = partial.to_str().ok_or_else(|| BackupError::NotABackup {
        path: to.to_owned(),
        reason: "the path is not UTF-8".into(),
    })?;
    sea_orm::sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    sync_file(&partial)?;
    let report = match inspect(&partial).await {
        Ok(report) => report,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, to).map_err(io(to))?;
    sync_dir(to)?;
    tracing::info!(file = %to.display(), messages = report.messages, "backup written");
    Ok(BackupReport {
        file: to.to_owned(),
        ..report
    })
}

/// Replaces the database at `settings` with the backup `from`. The server must be
/// stopped; the database it replaces is kept as `<file>.before-restore`.
pub async fn restore(
    settings: &DatabaseSettings,
    from: &Path,
) -> Result<BackupReport, BackupError> {
    let target = sqlite_file(settings)?;
    let report = inspect(from).await?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    // Held until the new file is in place: no Penguin can open the old one meanwhile.
    let _exclusive = match std::fs::File::open(&target) {
        Ok(file) => {
            file.try_lock().map_err(|e| match e {
                std::fs::TryLockError::WouldBlock => BackupError::InUse(target.clone()),
                std::fs::TryLockError::Error(e) => io(&target)(e),
            })?;
            Some(file)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&target)(e)),
    };
    let incoming = sibling(&target, "restoring");
    std::fs::copy(from, &incoming).map_err(io(&incoming))?;
    sync_file(&incoming)?;
    for suffix in ["", "-wal", "-shm"] {
        let current = PathBuf::from(format!("{}{suffix}", target.display()));
        if current.exists() {
            let kept = PathBuf::from(format!("{}.before-restore{suffix}", target.display()));
            std::fs::rename(&current, &kept).map_err(io(&current))?;
        }
    }
    std::fs::rename(&incoming, &target).map_err(io(&target))?;
    sync_dir(&target)?;
    tracing::info!(file = %target.display(), messages = report.messages, "database restored");
    Ok(BackupReport {
        file: target,
        ..report
    })
}

/// Opens a backup and checks it is a whole Penguin database. (Not `read_only`: a WAL-mode
/// file cannot be opened read-only before its `-shm` exists; nothing here writes.)
async fn inspect(file: &Path) -> Result<BackupReport, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: file.to_owned(),
        reason,
    };
    if !file.is_file() {
        return Err(not_a_backup("no such file".into()));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .connect()
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    let check: String = sea_orm::sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_a_backup(e.to_string()))?
        .try_get(0)?;
    if check != "ok" {
        return Err(not_a_backup(format!("integrity check: {check}")));
    }
    let count = |sql: &'static str| sea_orm::sqlx::query_scalar::<_, i64>(sql);
    let schema_version: String =
        sea_orm::sqlx::query_scalar("SELECT version FROM seaql_migrations ORDER BY version DESC")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| not_a_backup("it has no Penguin schema".into()))?;
    let users = count("SELECT COUNT(*) FROM users")
        .fetch_one(&mut conn)
        .await?;
    let messages = count("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    conn.close().await?;
    let bytes = std::fs::metadata(file).map_err(io(file))?.len();
    Ok(BackupReport {
        file: file.to_owned(),
        bytes,
        users,
        messages,
        schema_version,
    })
}

/// `<file>.<suffix>` in the same directory (so a rename is atomic).
fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    file.with_file_name(name)
}

fn sync_file(file: &Path) -> Result<(), BackupError> {
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io(file))
}

/// Makes a rename in `file`'s directory durable.
fn sync_dir(file: &Path) -> Result<(), BackupError> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}
