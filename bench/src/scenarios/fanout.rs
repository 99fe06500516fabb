//! Group fan-out: groups of each size (200 and 2,000 by default), one socket per member,
//! the owner sending. Latency is to the *last* member to receive each message;
//! deliveries per second count every member's copy.

use super::{Ctx, PhaseResult, close_all, open_many, run_phase};
use crate::client::{Api, Conn, Counters};
use crate::error::{BenchError, Result};
use crate::server::Servers;
use penguin_protocol::Destination;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct FanoutRow {
    pub members: usize,
    pub phase: PhaseResult,
}

#[derive(Debug, Clone, Serialize)]
pub struct FanoutResult {
    pub step_secs: f64,
    pub rows: Vec<FanoutRow>,
}

pub async fn run(ctx: &Ctx) -> Result<FanoutResult> {
    let sizes: Vec<usize> = ctx.sizes.fanout_sizes.iter().map(|&s| s.max(2)).collect();
    let total: usize = sizes.iter().sum();
    let mut servers = Servers::start(&ctx.options, "fanout", &[]).await?;
    let addrs = servers.addrs();
    let api = Api::new(&servers.bases()[0]);
    eprintln!("  registering {total} users");
    let users = api.register_many("g", total).await?;
    // Disjoint members per group, each group with sockets of its own: an overloaded
    // step (slow sockets closed by the server) cannot spoil the next group's.
    let first = sizes.first().copied().unwrap_or(2) as f64;
    let mut rows = Vec::new();
    let mut n = 0;
    let mut offset = 0;
    for &size in &sizes {
        let members = &users[offset..offset + size];
        offset += size;
        let group_id = api
            .group_of(&format!("fanout {size}"), &members[0], &members[1..])
            .await?;
        let counters = Arc::new(Counters::default());
        let plan = members
            .iter()
            .enumerate()
            .map(|(i, u)| (u.clone(), addrs[i % addrs.len()], Vec::new()))
            .collect();
        let (opened, failed) = open_many(ctx, plan, &counters, 64).await;
        if let Some(e) = failed {
            return Err(BenchError::Failed(format!("opening members' sockets: {e}")));
        }
        let conns: Vec<Conn> = opened.into_iter().map(|o| o.conn).collect();
        for &base_rate in &ctx.sizes.fanout_rates {
            let rate = base_rate * first / size as f64;
            eprintln!("  group of {size} at {rate} msgs/s");
            let phase = run_phase(
                &conns,
                &[(0, Destination::Group { group_id })],
                &counters,
                rate,
                Duration::from_secs_f64(ctx.sizes.step_secs),
                size as u64,
                Duration::from_secs_f64(ctx.sizes.drain_secs),
                &mut n,
            )
            .await;
            let clean = phase.clean();
            rows.push(FanoutRow {
                members: size,
                phase,
            });
            if !clean {
                eprintln!("  stopping this group: the server fell behind at {rate} msgs/s");
                break;
            }
        }
        close_all(conns).await;
    }
    servers.stop().await?;
    Ok(FanoutResult {
        step_secs: ctx.sizes.step_secs,
        rows,
    })
}
