//! Sustained durable messages per second: the 1:1 workload at rising rates until the
//! p99 delivery latency passes the threshold (100 ms), sends go unacknowledged, or the
//! server cannot keep up. The knee is the highest rate that still met the threshold.

use super::{Ctx, PhaseResult, close_all, direct, run_phase};
use crate::error::Result;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct KneeResult {
    pub pairs: usize,
    pub step_secs: f64,
    pub p99_threshold_ms: f64,
    pub phases: Vec<PhaseResult>,
    /// The highest offered rate whose p99 stayed within the threshold, with its
    /// achieved rate.
    pub knee_rate: Option<f64>,
    pub knee_achieved_msgs_per_s: Option<f64>,
}

pub async fn run(ctx: &Ctx) -> Result<KneeResult> {
    let mut p = direct::pairs(ctx, "knee").await?;
    let threshold = ctx.sizes.knee_p99_ms;
    let mut phases: Vec<PhaseResult> = Vec::new();
    let mut n = 0;
    for &rate in &ctx.sizes.knee_rates {
        eprintln!("  durable at {rate} msgs/s");
        let phase = run_phase(
            &p.conns,
            &p.senders,
            &p.counters,
            rate,
            Duration::from_secs_f64(ctx.sizes.step_secs),
            2,
            Duration::from_secs_f64(ctx.sizes.drain_secs),
            &mut n,
        )
        .await;
        let over = phase.delivery.p99_ms > threshold || !phase.clean();
        phases.push(phase);
        if over {
            break;
        }
    }
    close_all(std::mem::take(&mut p.conns)).await;
    p.servers.stop().await?;
    let knee = phases
        .iter()
        .rfind(|ph| ph.clean() && ph.delivery.p99_ms <= threshold);
    Ok(KneeResult {
        pairs: ctx.sizes.pairs,
        step_secs: ctx.sizes.step_secs,
        p99_threshold_ms: threshold,
        knee_rate: knee.map(|k| k.rate),
        knee_achieved_msgs_per_s: knee.map(|k| k.achieved_msgs_per_s),
        phases,
    })
}
