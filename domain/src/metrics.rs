//! The server's own measurements, kept as atomics so recording costs a few nanoseconds
//! and never waits: connections, messages in and out, delivery and database latency.
//! `penguin-server` renders them for Prometheus at `/metrics`.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds (Prometheus' usual spread, from 1 ms).
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// A cumulative histogram over [`LATENCY_BUCKETS`].
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations at or below each bound (not cumulative here; summed when read).
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    /// Observations above the last bound.
    over: AtomicU64,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// A histogram as read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    /// `(upper bound, observations ≤ bound)`, cumulative, for each finite bound.
    pub buckets: Vec<(f64, u64)>,
    pub count: u64,
    pub sum_seconds: f64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        match LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound) {
            Some(index) => self.buckets[index].fetch_add(1, Ordering::Relaxed),
            None => self.over.fetch_add(1, Ordering::Relaxed),
        };
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut running = 0;
        let buckets = LATENCY_BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(bound, count)| {
                running += count.load(Ordering::Relaxed);
                (*bound, running)
            })
            .collect();
        // `count` is read last and at least the buckets' total, so the +Inf bucket a
        // reader derives from it never falls below a finite one.
        let count = self
            .count
            .load(Ordering::Relaxed)
            .max(running + self.over.load(Ordering::Relaxed));
        HistogramSnapshot {
            buckets,
            count,
            sum_seconds: self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections on this node.
    ws_connections: AtomicI64,
    /// WebSocket connections accepted since start.
    pub ws_connections_total: AtomicU64,
    /// Messages sent by clients and stored (new ones, not idempotent repeats).
    pub messages_received: AtomicU64,
    /// Message frames written to clients' sockets (live and catch-up).
    pub messages_delivered: AtomicU64,
    /// From a message's commit to its frame being written to a recipient's socket.
    pub delivery_latency: Histogram,
    /// One group-commit transaction, from BEGIN to COMMIT.
    pub commit_latency: Histogram,
}

impl Metrics {
    /// Counts a connection while the returned guard lives.
    pub fn connection(self: &std::sync::Arc<Self>) -> ConnectionGuard {
        self.ws_connections.fetch_add(1, Ordering::Relaxed);
        self.ws_connections_total.fetch_add(1, Ordering::Relaxed);
        ConnectionGuard {
            metrics: self.clone(),
        }
    }

    pub fn connections(&self) -> u64 {
        u64::try_from(self.ws_connections.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

/// One open connection, for the gauge.
#[derive(Debug)]
pub struct ConnectionGuard {
    metrics: std::sync::Arc<Metrics>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.metrics.ws_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(500));
        histogram.observe(Duration::from_millis(3));
        histogram.observe(Duration::from_secs(60));
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.count, 3);
        assert_eq!(snapshot.buckets[0], (0.001, 1));
        assert_eq!(snapshot.buckets[2], (0.005, 2));
        assert_eq!(snapshot.buckets.last(), Some(&(5.0, 2)));
        assert!((snapshot.sum_seconds - 60.0035).abs() < 1e-9);
    }
}
