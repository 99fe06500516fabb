//! Fixed-window attempt counters keyed by account or client address.
//!
//! Hand-written rather than `governor`: sign-in needs "check now, count only if the
//! attempt fails" for accounts, which a GCRA limiter (consume on check) cannot express.

use crate::error::DomainError;
use penguin_protocol::ErrorCode;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many tracked keys, expired windows are swept on the next write.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug)]
pub(crate) struct Throttle {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl Throttle {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// True while `key` has used up its attempts in the current window.
    pub(crate) fn is_exhausted(&self, key: &str) -> bool {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows
            .get(key)
            .is_some_and(|w| w.started.elapsed() < self.window && w.count >= self.limit)
    }

    /// Counts one attempt for `key`.
    pub(crate) fn record(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| w.started.elapsed() < self.window);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started: Instant::now(),
            count: 0,
        });
        if window.started.elapsed() >= self.window {
            *window = Window {
                started: Instant::now(),
                count: 0,
            };
        }
        window.count = window.count.saturating_add(1);
    }

    /// Counts an attempt unless the key is exhausted; false when it is.
    pub(crate) fn try_acquire(&self, key: &str) -> bool {
        if self.is_exhausted(key) {
            return false;
        }
        self.record(key);
        true
    }

    /// Counts an attempt from `client`, or refuses with `too_many_attempts` when that
    /// address has used up its window. Without a known address there is nothing to count.
    pub(crate) fn admit(&self, client: Option<std::net::IpAddr>) -> Result<(), DomainError> {
        match client {
            Some(ip) if !self.try_acquire(&ip.to_string()) => {
                tracing::warn!(%ip, "refused: too many attempts from this address");
                Err(DomainError::Refused(ErrorCode::TooManyAttempts))
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn forget(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_reopens_after_the_window() {
        let throttle = Throttle::new(2, Duration::from_millis(50));
        assert!(throttle.try_acquire("a"));
        assert!(throttle.try_acquire("a"));
        assert!(!throttle.try_acquire("a"));
        assert!(throttle.try_acquire("b"), "keys are independent");
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.try_acquire("a"));
        throttle.record("a");
        throttle.forget("a");
        assert!(!throttle.is_exhausted("a"));
    }
}
