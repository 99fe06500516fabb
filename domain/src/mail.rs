//! Sending mail: SMTP through lettre when `PENGUIN_SMTP_URL` is set, otherwise a
//! development outbox (the server log and a file) so a fresh `make run` can still sign
//! in with e-mail codes. The outbox is loudly marked as not sent.

use crate::error::DomainError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How mail leaves the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://host:port` (STARTTLS when offered), `smtp://host:port?tls=required`,
    /// `smtps://user:password@host:465`; `None`: the development outbox.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Penguin <penguin@school.example>`.
    pub from: String,
    /// Where the development outbox appends mail when there is no SMTP server.
    pub dev_outbox: PathBuf,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Penguin <penguin@localhost>".to_owned(),
            dev_outbox: PathBuf::from("data/dev-outbox.txt"),
        }
    }
}

#[derive(Clone)]
pub(crate) enum Mailer {
    Smtp {
        // Boxed: the transport is large and the enum is cloned into every Core.
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    DevOutbox {
        path: PathBuf,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
            Self::DevOutbox { path } => write!(f, "Mailer::DevOutbox({})", path.display()),
        }
    }
}

impl Mailer {
    pub(crate) fn new(settings: &MailSettings) -> Result<Self, DomainError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| DomainError::InvalidSetting {
                name: "mail sender (--mail-from)",
                reason: format!("{e}"),
            })?;
        let Some(url) = &settings.smtp_url else {
            tracing::warn!(
                outbox = %settings.dev_outbox.display(),
                "no SMTP server configured: e-mail codes go to the DEVELOPMENT outbox, not to anyone's mailbox"
            );
            return Ok(Self::DevOutbox {
                path: settings.dev_outbox.clone(),
            });
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| DomainError::InvalidSetting {
                name: "SMTP URL (--smtp-url)",
                reason: e.to_string(),
            })?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        Ok(Self::Smtp {
            transport: Box::new(transport),
            from,
        })
    }

    pub(crate) async fn send(
        &self,
        to: &str,
        subject: &str,
        text: &str,
    ) -> Result<(), DomainError> {
        match self {
            Self::Smtp { transport, from } => {
                let to: Mailbox = to
                    .parse()
                    .map_err(|_| DomainError::Refused(penguin_protocol::ErrorCode::InvalidEmail))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(text.to_owned())
                    .map_err(|e| DomainError::Mail(e.to_string()))?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| DomainError::Mail(e.to_string()))?;
                tracing::info!(subject, "mail sent");
                Ok(())
            }
            Self::DevOutbox { path } => {
                let entry = format!(
                    "==== DEVELOPMENT OUTBOX: NOT SENT (set PENGUIN_SMTP_URL to send mail) ====\n\
                     Date: {}\nTo: {to}\nSubject: {subject}\n\n{text}\n\n",
                    chrono::Utc::now().to_rfc3339()
                );
                tracing::warn!(%to, subject, text, "DEVELOPMENT OUTBOX (not sent)");
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| DomainError::Mail(e.to_string()))?;
                }
                let mut file = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await
                    .map_err(|e| DomainError::Mail(format!("{}: {e}", path.display())))?;
                file.write_all(entry.as_bytes())
                    .await
                    .map_err(|e| DomainError::Mail(e.to_string()))?;
                file.flush()
                    .await
                    .map_err(|e| DomainError::Mail(e.to_string()))
            }
        }
    }
}
