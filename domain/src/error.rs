//! The domain's error type. Edges (server functions, HTTP handlers, WebSocket frames) map
//! it to a [`penguin_protocol::ErrorCode`] with [`DomainError::code`], once.

use penguin_protocol::ErrorCode;
use sea_orm::DbErr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidDatabaseUrl { url: String, reason: String },

    #[error("cannot create the database directory `{}`: {source}", path.display())]
    CreateDataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl DomainError {
    /// The code a client sees. Connection-level database failures are "unavailable"
    /// (worth retrying); everything else the user cannot fix is "internal".
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Database(DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) => ErrorCode::Unavailable,
            Self::InvalidDatabaseUrl { .. } | Self::CreateDataDir { .. } | Self::Database(_) => {
                ErrorCode::Internal
            }
        }
    }
}
