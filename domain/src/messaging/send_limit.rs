//! How fast one user may send: a burst, refilled at a sustained rate (GCRA, from
//! `governor`). Per user, not per connection, and shared by the WebSocket and the HTTP
//! `send_message`, so opening more sockets or switching transport buys a flooder
//! nothing. Counted per server process (on a cluster, each node has its own budget).

use crate::error::DomainError;
use governor::{DefaultKeyedRateLimiter, Quota};
use penguin_protocol::{ErrorCode, UserId};
use std::num::NonZeroU32;

/// Beyond this many users tracked, the ones whose budget is full again are forgotten.
const FORGET_ABOVE: usize = 10_000;

/// Sends per user: `burst` at once, then `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for SendLimits {
    fn default() -> Self {
        Self {
            per_second: 10,
            burst: 20,
        }
    }
}

pub(crate) struct SendLimiter {
    limiter: DefaultKeyedRateLimiter<UserId>,
}

impl std::fmt::Debug for SendLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendLimiter")
            .field("users", &self.limiter.len())
            .finish()
    }
}

impl SendLimiter {
    /// `None` when a limit is zero (refused by `CoreSettings::validate`).
    pub(crate) fn new(limits: SendLimits) -> Option<Self> {
        let quota = Quota::per_second(NonZeroU32::new(limits.per_second)?)
            .allow_burst(NonZeroU32::new(limits.burst)?);
        Some(Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
        })
    }

    /// Takes one send from `user`'s budget, or refuses with `rate_limited`.
    pub(crate) fn admit(&self, user: UserId) -> Result<(), DomainError> {
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&user).map_err(|_| {
            tracing::debug!(user_id = user, "send refused: rate limited");
            DomainError::Refused(ErrorCode::RateLimited)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_and_users_do_not_share_a_budget() {
        let limiter = SendLimiter::new(SendLimits {
            per_second: 1,
            burst: 3,
        })
        .unwrap();
        for _ in 0..3 {
            limiter.admit(1).unwrap();
        }
        assert!(matches!(
            limiter.admit(1),
            Err(DomainError::Refused(ErrorCode::RateLimited))
        ));
        limiter.admit(2).unwrap();
    }

    #[test]
    fn a_zero_limit_is_not_a_limiter() {
        assert!(
            SendLimiter::new(SendLimits {
                per_second: 0,
                burst: 1
            })
            .is_none()
        );
    }
}
