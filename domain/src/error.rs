//! The domain's error type. Edges (server functions, HTTP handlers, WebSocket frames) map
//! it to a [`penguin_protocol::ErrorCode`] with [`DomainError::code`], once.

use penguin_protocol::ErrorCode;
use sea_orm::DbErr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Something the user did or asked for that the rules refuse (name taken, group full,
    /// not a member, …). Expected; logged quietly.
    #[error("refused: {0}")]
    Refused(ErrorCode),

    /// An administrator named an account that does not exist.
    #[error("no user named `{0}`")]
    NoSuchUser(String),

    #[error("invalid setting {name}: {reason}")]
    InvalidSetting { name: &'static str, reason: String },

    #[error("invalid database URL `{url}`: {reason}")]
    InvalidDatabaseUrl { url: String, reason: String },

    #[error("cannot create the database directory `{}`: {source}", path.display())]
    CreateDataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the database `{}` cannot be used now: {reason}", path.display())]
    DatabaseInUse { path: PathBuf, reason: String },

    /// Built through `From<DbErr>`, which notes storage faults for the pool (see there).
    #[error("database: {0}")]
    Database(DbErr),

    /// The database cannot take writes right now (unreachable, disk full, file read-only
    /// or failing): worth retrying, and nothing of the request was stored.
    #[error("the database cannot store this now: {0}")]
    StorageUnavailable(String),

    #[error("mail: {0}")]
    Mail(String),

    #[error("password hashing: {0}")]
    PasswordHash(String),

    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<DbErr> for DomainError {
    /// Every database error of the domain passes here (`?`), so this is where a storage
    /// fault is noted: the pool then replaces the connections opened before it
    /// ([`crate::db::note_storage_fault`]).
    fn from(error: DbErr) -> Self {
        if storage_unavailable(&error) {
            crate::db::note_storage_fault();
        }
        Self::Database(error)
    }
}

impl From<ErrorCode> for DomainError {
    fn from(code: ErrorCode) -> Self {
        Self::Refused(code)
    }
}

impl DomainError {
    /// The code a client sees. Connection-level database failures are "unavailable"
    /// (worth retrying); everything else the user cannot fix is "internal".
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused(code) => *code,
            Self::NoSuchUser(_) => ErrorCode::NotFound,
            Self::Database(error) if storage_unavailable(error) => ErrorCode::Unavailable,
            Self::StorageUnavailable(_) => ErrorCode::Unavailable,
            Self::Mail(_) => ErrorCode::MailUnavailable,
            Self::InvalidSetting { .. }
            | Self::InvalidDatabaseUrl { .. }
            | Self::CreateDataDir { .. }
            | Self::DatabaseInUse { .. }
            | Self::Database(_)
            | Self::PasswordHash(_)
            | Self::Task(_) => ErrorCode::Internal,
        }
    }

    /// True for refusals the user caused: not worth an error-level log line.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused(_) | Self::NoSuchUser(_))
    }
}

/// True for database failures of the moment rather than of the request: the connection or
/// pool is gone, or the storage refuses writes (SQLite: read-only, I/O error, disk full,
/// cannot open; PostgreSQL: connection exceptions, shutdown, out of disk or memory).
pub(crate) fn storage_unavailable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match error {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            error
        }
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(database) => database.code().is_some_and(|code| {
            // PostgreSQL's SQLSTATEs have five characters; SQLite's (extended) result
            // codes have at most four digits, and their low byte is the primary code.
            if code.len() == 5 {
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
            } else {
                const READONLY: i64 = 8;
                const IOERR: i64 = 10;
                const FULL: i64 = 13;
                const CANTOPEN: i64 = 14;
                code.parse::<i64>()
                    .is_ok_and(|code| matches!(code & 0xff, READONLY | IOERR | FULL | CANTOPEN))
            }
        }),
        _ => false,
    }
}

/// Shorthand for `Err(DomainError::Refused(code))`.
pub(crate) fn refuse<T>(code: ErrorCode) -> Result<T, DomainError> {
    Err(DomainError::Refused(code))
}

/// Maps a unique-constraint violation to `code`, leaves other errors as they are: the
/// database, not a read-then-write check, decides races such as two sign-ups for one name.
pub(crate) fn on_unique_violation(error: DbErr, code: ErrorCode) -> DomainError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => DomainError::Refused(code),
        _ => DomainError::from(error),
    }
}
