//! Penguin's server-side core. Everything that touches the database or holds server
//! state lives here; `penguin-app` server functions and `penguin-server` handlers are thin
//! calls into it. Never compiled to wasm.

pub mod accounts;
pub mod admin;
pub mod backup;
pub mod cluster;
pub mod core;
pub mod db;
pub mod entity;
pub mod error;
pub mod hub;
pub mod mail;
pub mod messaging;
pub mod metrics;
pub mod migration;
pub mod presence;
pub mod server_info;
pub mod settings;
pub mod social;

pub use crate::cluster::ClusterSettings;
pub use crate::core::Core;
pub use accounts::{Caller, NewSession, Registration};
pub use admin::Admin;
pub use db::{Database, DatabaseSettings};
pub use error::DomainError;
pub use mail::MailSettings;
pub use messaging::SendLimits;
pub use settings::{CoreSettings, SignInLimits};
pub use social::NewGroup;
