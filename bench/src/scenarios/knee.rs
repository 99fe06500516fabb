//! Sustained durable messages per second: the 1:1 workload at rising rates until the
//! p99 delivery latency passes the threshold (100 ms), sends go unacknowledged, or the
//! server cannot keep up. The knee is the highest rate that still met the threshold.

use super::{Ctx, PhaseResult, direct};
use crate::error::Result;
use serde::Serialize;

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
    let threshold = ctx.sizes.knee_p99_ms;
    let phases = direct::pairs(ctx, "knee")
        .await?
        .sweep(ctx, "durable", &ctx.sizes.knee_rates, |phase| {
            phase.delivery.p99_ms > threshold || !phase.clean()
        })
        .await?;
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
