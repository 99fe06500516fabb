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

pub async fn run(ctx: &Ctx) -> Result<RatesResult> {
    let mut p = pairs(ctx, "direct").await?;
    let mut phases = Vec::new();
    let mut n = 0;
    for &rate in &ctx.sizes.direct_rates {
        eprintln!("  1:1 at {rate} msgs/s");
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
        let clean = phase.clean();
        phases.push(phase);
        // A server that fell behind closes slow sockets (1013): later rates would
        // measure a broken setup, not the server.
        if !clean {
            eprintln!("  stopping: the server fell behind at {rate} msgs/s");
            break;
        }
    }
    close_all(std::mem::take(&mut p.conns)).await;
    p.servers.stop().await?;
    Ok(RatesResult {
        pairs: ctx.sizes.pairs,
        step_secs: ctx.sizes.step_secs,
        phases,
    })
}
