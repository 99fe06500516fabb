//! The scenarios, and what they share: the sizes they run at, opening many sockets,
//! and driving one open-loop phase of sends with its checks.

pub mod direct;
pub mod fanout;
pub mod history;
pub mod idle;
pub mod knee;
pub mod spa;
pub mod storm;

use crate::client::{Conn, Counters, Opened, Sources, User, send_frame};
use crate::schedule::{self, Schedule};
use crate::server::ServerOptions;
use crate::stats::{self, Percentiles};
use futures_util::StreamExt;
use penguin_protocol::{Cursor, Destination};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How big each scenario is (`--smoke` picks tiny ones; flags override either).
#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    pub idle_connections: usize,
    pub idle_users: usize,
    pub idle_steps: usize,
    pub direct_rates: Vec<f64>,
    pub pairs: usize,
    pub step_secs: f64,
    pub fanout_sizes: Vec<usize>,
    /// Messages per second for the first group size; larger groups get the same
    /// deliveries per second (rate × first size / size).
    pub fanout_rates: Vec<f64>,
    pub knee_rates: Vec<f64>,
    pub knee_p99_ms: f64,
    pub storm_clients: usize,
    pub storm_users: usize,
    pub storm_missed: usize,
    pub history_messages: u64,
    pub history_pages: usize,
    pub drain_secs: f64,
    pub sources: u8,
    pub site: PathBuf,
}

impl Sizes {
    pub fn full(open_files: u64) -> Self {
        Self {
            // Each socket costs a descriptor on both sides; leave room for the rest.
            idle_connections: open_files.saturating_sub(1000).clamp(100, 100_000) as usize,
            idle_users: 100,
            idle_steps: 10,
            direct_rates: vec![100.0, 1000.0, 5000.0, 10000.0],
            pairs: 100,
            step_secs: 10.0,
            fanout_sizes: vec![200, 2000],
            fanout_rates: vec![100.0, 500.0],
            knee_rates: vec![
                1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 30000.0, 50000.0, 75000.0, 100000.0,
            ],
            knee_p99_ms: 100.0,
            storm_clients: 10_000,
            storm_users: 100,
            storm_missed: 20,
            history_messages: 1_000_000,
            history_pages: 2000,
            drain_secs: 60.0,
            sources: 8,
            site: PathBuf::from("target/site"),
        }
    }

    pub fn smoke() -> Self {
        Self {
            idle_connections: 200,
            idle_users: 4,
            idle_steps: 2,
            // Low rates: a debug server on a busy CI machine must keep up; the smoke
            // run checks counts and order, not speed.
            direct_rates: vec![20.0, 50.0],
            pairs: 4,
            step_secs: 2.0,
            fanout_sizes: vec![5, 20],
            fanout_rates: vec![10.0, 20.0],
            knee_rates: vec![50.0, 100.0],
            knee_p99_ms: 100.0,
            storm_clients: 40,
            storm_users: 4,
            storm_missed: 5,
            history_messages: 2000,
            history_pages: 50,
            drain_secs: 30.0,
            sources: 2,
            site: PathBuf::from("target/site"),
        }
    }
}

/// What every scenario needs.
pub struct Ctx {
    pub options: ServerOptions,
    pub sizes: Sizes,
    pub sources: Arc<Sources>,
}

/// Opens one socket per `(user, node)` with at most `parallel` handshakes in flight;
/// stops at the first failure (returning what it opened and the error).
pub async fn open_many(
    ctx: &Ctx,
    plan: Vec<(User, SocketAddr, Vec<Cursor>)>,
    counters: &Arc<Counters>,
    parallel: usize,
) -> (Vec<Opened>, Option<String>) {
    let mut opening = futures_util::stream::iter(plan.into_iter().map(|(user, node, cursors)| {
        let sources = ctx.sources.clone();
        let counters = counters.clone();
        async move { Conn::open(&sources, node, &user, cursors, counters).await }
    }))
    .buffered(parallel);
    let mut opened = Vec::new();
    while let Some(result) = opening.next().await {
        match result {
            Ok(o) => opened.push(o),
            Err(e) => return (opened, Some(e.to_string())),
        }
    }
    (opened, None)
}

/// One rate step: what was offered, what came back, and how fast.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseResult {
    pub rate: f64,
    pub sent: u64,
    pub acked: u64,
    pub delivered: u64,
    pub expected_deliveries: u64,
    /// Intended send time to receipt by the last recipient of each message.
    pub delivery: Percentiles,
    /// Intended send time to the durable `ack`.
    pub ack: Percentiles,
    /// Messages per second from the first intended send to the last delivery.
    pub achieved_msgs_per_s: f64,
    pub deliveries_per_s: f64,
    pub lost: u64,
    pub duplicated: u64,
    pub problems: Vec<String>,
}

impl PhaseResult {
    pub fn clean(&self) -> bool {
        self.problems.is_empty() && self.lost == 0 && self.duplicated == 0
    }
}

/// Who sends in a phase: the index of a connection and where it sends, taken in turn.
pub type Senders = Vec<(usize, Destination)>;

/// Runs `rate` sends per second for `duration`, spread over `senders`, each message
/// expected `fanout` times on the phase's connections (the sender's echo included);
/// waits for every ack and delivery (at most `drain` after the last send) and checks
/// counts and order. `next_n` numbers sends across phases (client ids stay unique).
#[allow(clippy::too_many_arguments)]
pub async fn run_phase(
    conns: &[Conn],
    senders: &[(usize, Destination)],
    counters: &Counters,
    rate: f64,
    duration: Duration,
    fanout: u64,
    drain: Duration,
    next_n: &mut u64,
) -> PhaseResult {
    let acked_before = counters.acked.load(Ordering::Relaxed);
    let delivered_before = counters.delivered.load(Ordering::Relaxed);
    let schedule = Schedule::new(rate, duration);
    for i in 0..schedule.count {
        let due = schedule.due(i);
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let (conn, to) = senders[(i as usize) % senders.len()];
        conns[conn].send(send_frame(*next_n, schedule::micros_since_epoch(due), to));
        *next_n += 1;
    }
    let sent = schedule.count;
    let expected = sent * fanout;
    let deadline = Instant::now() + drain;
    loop {
        let acked = counters.acked.load(Ordering::Relaxed) - acked_before;
        let delivered = counters.delivered.load(Ordering::Relaxed) - delivered_before;
        if (acked >= sent && delivered >= expected) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A moment for anything extra (a duplicate) to show up before counting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    summarize(conns, schedule, rate, fanout).await
}

async fn summarize(conns: &[Conn], schedule: Schedule, rate: f64, fanout: u64) -> PhaseResult {
    let reports = futures_util::future::join_all(conns.iter().map(Conn::report)).await;
    let mut ack = stats::histogram();
    let mut last_member: HashMap<(i64, i64), u64> = HashMap::new();
    let mut problems = Vec::new();
    let (mut acked, mut delivered, mut last_us) = (0, 0, 0);
    for r in reports {
        acked += r.acks;
        delivered += r.deliveries;
        let _ = ack.add(&r.ack_latency);
        last_us = last_us.max(r.last_ack_us);
        for got in &r.received {
            let slot = last_member
                .entry((got.conversation_id, got.seq))
                .or_default();
            *slot = (*slot).max(got.latency_us);
            last_us = last_us.max(got.at_us);
        }
        problems.extend(r.problems.into_iter().take(20 - problems.len().min(20)));
    }
    let mut delivery = stats::histogram();
    for latency in last_member.values() {
        delivery.saturating_record((*latency).max(1));
    }
    let sent = schedule.count;
    let expected = sent * fanout;
    let span_s = (last_us.saturating_sub(schedule::micros_since_epoch(schedule.start)) as f64
        / 1e6)
        .max(schedule.duration().as_secs_f64());
    let mut result = PhaseResult {
        rate,
        sent,
        acked,
        delivered,
        expected_deliveries: expected,
        delivery: Percentiles::of(&delivery),
        ack: Percentiles::of(&ack),
        achieved_msgs_per_s: acked as f64 / span_s,
        deliveries_per_s: delivered as f64 / span_s,
        lost: expected.saturating_sub(delivered) + sent.saturating_sub(acked),
        duplicated: delivered.saturating_sub(expected),
        problems,
    };
    if acked < sent {
        result.problems.push(format!(
            "{} of {sent} sends never acknowledged",
            sent - acked
        ));
    }
    if delivered != expected {
        result
            .problems
            .push(format!("{delivered} deliveries where {expected} were due"));
    }
    result
}

/// Closes every connection (politely: a close frame each).
pub async fn close_all(conns: Vec<Conn>) {
    futures_util::future::join_all(conns.into_iter().map(Conn::close)).await;
}
