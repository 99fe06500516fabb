//! Tunables of the domain, set by the server's configuration. Defaults suit a school or
//! club on one machine.

use crate::error::DomainError;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSettings {
    /// Member limit of a new group when its creator does not choose one.
    pub group_member_limit: u32,
    /// The highest member limit a group may have on this server.
    pub max_group_member_limit: u32,
    /// How long a session lives without being used (each use extends it).
    pub session_idle_lifetime: Duration,
    pub sign_in_limits: SignInLimits,
    /// The longest message, in characters.
    pub max_message_chars: usize,
    /// How fast one user may send messages (WebSocket and HTTP together).
    pub sends: crate::messaging::SendLimits,
    /// How mail is sent (SMTP or the development outbox).
    pub mail: crate::mail::MailSettings,
    /// Codes mailed for one address (and, separately, requested from one client
    /// address) per `sign_in_limits.window`.
    pub email_codes_per_address: u32,
    pub email_codes_per_client: u32,
    /// Argon2id hashes computed at once; each takes 19 MiB, so this bounds memory.
    pub password_hash_concurrency: usize,
    /// Redis, when this node is one of several sharing a PostgreSQL database.
    pub cluster: Option<crate::cluster::ClusterSettings>,
}

/// Brute-force brakes. Counted per server process (see the README for the multi-node
/// caveat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failed sign-ins for one username within `window` before it is locked until the
    /// window ends.
    pub failures_per_account: u32,
    /// Sign-in attempts (right or wrong) from one client address within `window`.
    pub attempts_per_address: u32,
    /// Accounts created from one client address within `window`.
    pub registrations_per_address: u32,
    pub window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            failures_per_account: 5,
            attempts_per_address: 30,
            registrations_per_address: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl Default for CoreSettings {
    fn default() -> Self {
        Self {
            group_member_limit: 200,
            max_group_member_limit: 2000,
            session_idle_lifetime: Duration::from_secs(30 * 24 * 3600),
            sign_in_limits: SignInLimits::default(),
            max_message_chars: penguin_protocol::messages::DEFAULT_MAX_MESSAGE_CHARS,
            sends: crate::messaging::SendLimits::default(),
            mail: crate::mail::MailSettings::default(),
            email_codes_per_address: 5,
            email_codes_per_client: 20,
            password_hash_concurrency: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            cluster: None,
        }
    }
}

impl CoreSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        let invalid = |name, reason: &str| {
            Err(DomainError::InvalidSetting {
                name,
                reason: reason.to_owned(),
            })
        };
        if self.group_member_limit < 2 {
            return invalid("group member limit", "must be at least 2");
        }
        if self.max_group_member_limit < self.group_member_limit {
            return invalid(
                "maximum group member limit",
                "must not be below the default group member limit",
            );
        }
        if i32::try_from(self.max_group_member_limit).is_err() {
            return invalid("maximum group member limit", "is too large");
        }
        if self.max_message_chars == 0 {
            return invalid("maximum message length", "must be at least 1");
        }
        if self.sends.per_second == 0 || self.sends.burst == 0 {
            return invalid("send limits", "must be at least 1 message");
        }
        if self.password_hash_concurrency == 0 {
            return invalid("password hash concurrency", "must be at least 1");
        }
        if let Some(cluster) = &self.cluster {
            cluster.validate()?;
        }
        Ok(())
    }
}
