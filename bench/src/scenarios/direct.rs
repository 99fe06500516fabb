//! 1:1 delivery latency at fixed rates: `pairs` friendships, the first of each pair
//! sending to the second, the rate spread evenly over the pairs. Every send is durable
//! (acknowledged after it is stored); latency runs from the intended send time to the
//! recipient's receipt (and, separately, to the ack).

use super::{Ctx, PhaseResult, Senders, close_all, open_many, run_phase};
use crate::client::{Api, Conn, Counters};
use crate::error::{BenchError, Result};
use crate::server::Servers;
use penguin_protocol::Destination;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct RatesResult {
    pub pairs: usize,
    pub step_secs: f64,
    pub phases: Vec<PhaseResult>,
}

/// The pairs, befriended and connected (user `i` on node `i % nodes`, so on two nodes
/// every message crosses Redis).
pub struct Pairs {
    pub servers: Servers,
    pub conns: Vec<Conn>,
    pub senders: Senders,
    pub counters: Arc<Counters>,
}

pub async fn pairs(ctx: &Ctx, label: &str) -> Result<Pairs> {
    let servers = Servers::start(&ctx.options, label, &[]).await?;
    let bases = servers.bases();
    let addrs = servers.addrs();
    let api = Api::new(&bases[0]);
    let users = api.register_many("p", ctx.sizes.pairs * 2).await?;
    for pair in users.chunks(2) {
        api.befriend(&pair[0], &pair[1]).await?;
    }
    let counters = Arc::new(Counters::default());
    let plan = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.clone(), addrs[i % addrs.len()], Vec::new()))
        .collect();
    let (opened, failed) = open_many(ctx, plan, &counters, 32).await;
    if let Some(e) = failed {
        return Err(BenchError::Failed(format!(
            "opening the pairs' sockets: {e}"
        )));
    }
    let conns: Vec<Conn> = opened.into_iter().map(|o| o.conn).collect();
    let senders = (0..ctx.sizes.pairs)
        .map(|p| {
            (
                2 * p,
                Destination::Direct {
                    user_id: users[2 * p + 1].id,
                },
            )
        })
        .collect();
    Ok(Pairs {
        servers,
        conns,
        senders,
        counters,
    })
}

impl Pairs {
    /// Runs the 1:1 workload at each of `rates` in turn (`step_secs` each, then a
    /// drain), stopping after the first phase for which `enough` is true; then closes
    /// the sockets and stops the servers.
    pub async fn sweep(
        mut self,
        ctx: &Ctx,
        label: &str,
        rates: &[f64],
        enough: impl Fn(&PhaseResult) -> bool,
    ) -> Result<Vec<PhaseResult>> {
        let mut phases = Vec::new();
        let mut n = 0;
        for &rate in rates {
            eprintln!("  {label} at {rate} msgs/s");
            let phase = run_phase(
                &self.conns,
                &self.senders,
                &self.counters,
                rate,
                Duration::from_secs_f64(ctx.sizes.step_secs),
                2,
                Duration::from_secs_f64(ctx.sizes.drain_secs),
                &mut n,
            )
            .await;
            let stop = enough(&phase);
            phases.push(phase);
            if stop {
                break;
            }
        }
        close_all(std::mem::take(&mut self.conns)).await;
        self.servers.stop().await?;
        Ok(phases)
    }
}

pub async fn run(ctx: &Ctx) -> Result<RatesResult> {
    let p = pairs(ctx, "direct").await?;
    // A server that fell behind closes slow sockets (1013): later rates would measure a
    // broken setup, not the server.
    let phases = p
        .sweep(ctx, "1:1", &ctx.sizes.direct_rates, |phase| {
            let behind = !phase.clean();
            if behind {
                eprintln!(
                    "  stopping: the server fell behind at {} msgs/s",
                    phase.rate
                );
            }
            behind
        })
        .await?;
    Ok(RatesResult {
        pairs: ctx.sizes.pairs,
        step_secs: ctx.sizes.step_secs,
        phases,
    })
}
