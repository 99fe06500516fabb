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

    #[error("database: {0}")]
    Database(#[from] DbErr),

    #[error("mail: {0}")]
    Mail(String),

    #[error("password hashing: {0}")]
    PasswordHash(String),

    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
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
            Self::Database(DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) => ErrorCode::Unavailable,
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

/// Shorthand for `Err(DomainError::Refused(code))`.
pub(crate) fn refuse<T>(code: ErrorCode) -> Result<T, DomainError> {
    Err(DomainError::Refused(code))
}

/// Maps a unique-constraint violation to `code`, leaves other errors as they are: the
/// database, not a read-then-write check, decides races such as two sign-ups for one name.
pub(crate) fn on_unique_violation(error: DbErr, code: ErrorCode) -> DomainError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => DomainError::Refused(code),
        _ => DomainError::Database(error),
    }
}
