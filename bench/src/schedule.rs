//! Open-loop scheduling: every send has an intended time fixed in advance by the rate,
//! and latency is measured from that time, not from when the send actually left. A
//! server (or a load generator) that falls behind therefore shows up as latency instead
//! of quietly lowering the offered rate (coordinated omission).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The bench's clock origin: bodies and client ids carry intended times as microseconds
/// since this instant, so a receiver computes latency without any shared table.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Microseconds since [`epoch`].
pub fn now_us() -> u64 {
    micros_since_epoch(Instant::now())
}

pub fn micros_since_epoch(at: Instant) -> u64 {
    at.saturating_duration_since(epoch()).as_micros() as u64
}

/// `count` sends at `rate` per second from `start`: send `i` is due at `start + i/rate`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub start: Instant,
    pub rate: f64,
    pub count: u64,
}

impl Schedule {
    /// A schedule of `rate` sends per second lasting `duration`, starting a little in the
    /// future so the first sends are not already late.
    pub fn new(rate: f64, duration: Duration) -> Self {
        let count = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
        Self {
            start: Instant::now() + Duration::from_millis(50),
            rate,
            count,
        }
    }

    /// When send `i` is due.
    pub fn due(&self, i: u64) -> Instant {
        self.start + Duration::from_secs_f64(i as f64 / self.rate)
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.count as f64 / self.rate)
    }
}

/// A body that carries the intended send time, so any recipient can compute latency.
pub fn body_for(intended_us: u64) -> String {
    format!("bench:{intended_us}")
}

/// The intended send time in a body from [`body_for`].
pub fn intended_from_body(body: &str) -> Option<u64> {
    body.strip_prefix("bench:")?.parse().ok()
}

/// A client id (`A-Z a-z 0-9 - _`) that names the send (`n`, unique in the run) and its
/// intended time, so the `ack` alone gives the durable latency.
pub fn client_id_for(n: u64, intended_us: u64) -> String {
    format!("b{n}-{intended_us}")
}

/// `(n, intended_us)` from a client id made by [`client_id_for`].
pub fn parse_client_id(id: &str) -> Option<(u64, u64)> {
    let (n, t) = id.strip_prefix('b')?.split_once('-')?;
    Some((n.parse().ok()?, t.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_spread_evenly_over_the_duration() {
        let s = Schedule::new(1000.0, Duration::from_secs(2));
        assert_eq!(s.count, 2000);
        assert_eq!(s.due(0), s.start);
        assert_eq!(s.due(1000) - s.start, Duration::from_secs(1));
        assert_eq!(s.duration(), Duration::from_secs(2));
        // A tiny rate still sends once.
        assert_eq!(Schedule::new(0.1, Duration::from_secs(1)).count, 1);
    }

    #[test]
    fn intended_times_round_trip_through_bodies_and_client_ids() {
        assert_eq!(intended_from_body(&body_for(123_456)), Some(123_456));
        assert_eq!(intended_from_body("hello"), None);
        let id = client_id_for(42, 987);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(parse_client_id(&id), Some((42, 987)));
        assert_eq!(parse_client_id("x1-2"), None);
    }
}
