//! The binary's commands besides serving: `penguin admin …`, `penguin backup`,
//! `penguin restore`, `penguin config`. They use the same settings as the server (flags
//! before the command, `PENGUIN_*` variables, the TOML file), so they reach the same
//! database.

pub mod admin;

use crate::config_file::Loaded;
use clap::Subcommand;
use penguin_domain::backup::{self, BackupError, BackupReport};
use std::path::PathBuf;

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Administer accounts and groups. Works on the database directly, also while the
    /// server runs.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Write an online, consistent copy of the SQLite database to a new file while the
    /// server keeps running (PostgreSQL: use pg_dump, see the README).
    Backup {
        /// The backup file to create (never overwritten).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup. Stop the server first; the replaced
    /// database is kept as `<file>.before-restore`.
    Restore {
        /// The backup file, from `penguin backup`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Print the effective settings as TOML, each with where it came from (flag,
    /// environment, file, default), and exit. Secrets are masked.
    Config,
}

/// Why a command failed; printed as `penguin: <message>`, exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Domain(String),
    #[error("{0}")]
    Backup(#[from] BackupError),
    #[error("{0}")]
    Input(String),
}

/// A refusal reads as its English message (`This username is already taken.`), anything
/// else as the error itself.
impl From<penguin_domain::DomainError> for CommandError {
    fn from(error: penguin_domain::DomainError) -> Self {
        match error {
            penguin_domain::DomainError::Refused(code) => Self::Domain(format!(
                "{} ({})",
                code.message(penguin_protocol::Locale::En),
                code.as_str()
            )),
            other => Self::Domain(other.to_string()),
        }
    }
}

/// Runs `command`; what it prints goes to stdout.
pub async fn run(command: &Command, loaded: &Loaded) -> Result<(), CommandError> {
    let config = &loaded.config;
    match command {
        Command::Admin(admin) => admin::run(admin, config).await,
        Command::Backup { to } => {
            let report = backup::backup(&config.database(), to).await?;
            print_report("backup written", &report);
            Ok(())
        }
        Command::Restore { from } => {
            let report = backup::restore(&config.database(), from).await?;
            print_report("database restored", &report);
            Ok(())
        }
        Command::Config => {
            print!("{}", loaded.describe());
            Ok(())
        }
    }
}

fn print_report(what: &str, report: &BackupReport) {
    println!(
        "{what}: {} ({} bytes, schema {}, {} users, {} messages)",
        report.file.display(),
        report.bytes,
        report.schema_version,
        report.users,
        report.messages
    );
}
