//! Idle connections: ramp to N authenticated WebSockets (a modest number of users, each
//! with many sockets: registration is the costly part), sampling the server's resident
//! memory after each step. The cost of a connection is the least-squares slope of RSS
//! over the ramp from the first step on, which ignores the fixed start-up memory. The
//! sample before any socket is left out of the fit: the allocator is still returning
//! the registrations' memory then (argon2id takes 19 MiB per hash), which once pulled
//! the slope down to a third of the steps' own growth. The median growth per step is
//! reported beside it, as it does not move when the allocator trims in mid-ramp.

use super::{Ctx, close_all, open_many};
use crate::client::{Api, Conn, Counters};
use crate::error::Result;
use crate::server::Servers;
use crate::stats::linear_fit;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct IdleResult {
    pub requested: usize,
    pub opened: usize,
    pub still_open: usize,
    pub users: usize,
    /// (connections, server RSS bytes) along the ramp, the first before any socket.
    pub samples: Vec<(usize, u64)>,
    /// Least-squares slope of RSS over the samples from the first step on, and its
    /// intercept.
    pub bytes_per_connection: Option<f64>,
    pub fit_intercept: Option<f64>,
    /// Median of each step's RSS growth divided by the sockets it added.
    pub median_step_bytes_per_connection: Option<f64>,
    pub projected_100k_mib: Option<f64>,
    pub ramp_secs: f64,
    pub problems: Vec<String>,
}

pub async fn run(ctx: &Ctx) -> Result<IdleResult> {
    let mut servers = Servers::start(&ctx.options, "idle", &[]).await?;
    let addrs = servers.addrs();
    let api = Api::new(&servers.bases()[0]);
    let users = api.register_many("i", ctx.sizes.idle_users.max(1)).await?;
    let n = ctx.sizes.idle_connections;
    let steps = ctx.sizes.idle_steps.max(1);
    let settle = Duration::from_millis(if n > 1000 { 1500 } else { 300 });
    let counters = Arc::new(Counters::default());
    let mut conns: Vec<Conn> = Vec::with_capacity(n);
    let mut problems = Vec::new();
    tokio::time::sleep(settle).await;
    let mut samples = vec![(0, servers.rss_bytes()?)];
    let started = Instant::now();
    for step in 1..=steps {
        let target = n * step / steps;
        let plan = (conns.len()..target)
            .map(|i| {
                let user = users[i % users.len()].clone();
                (user, addrs[i % addrs.len()], Vec::new())
            })
            .collect();
        let (opened, failed) = open_many(ctx, plan, &counters, 128).await;
        conns.extend(opened.into_iter().map(|o| o.conn));
        tokio::time::sleep(settle).await;
        samples.push((conns.len(), servers.rss_bytes()?));
        eprintln!(
            "  {} connections, server RSS {:.1} MiB",
            conns.len(),
            samples.last().map_or(0, |s| s.1) as f64 / 1048576.0
        );
        if let Some(e) = failed {
            problems.push(format!("stopped at {} connections: {e}", conns.len()));
            break;
        }
    }
    let ramp_secs = started.elapsed().as_secs_f64();
    // Every socket must still be open and have seen nothing it should not.
    let mut still_open = 0;
    for conn in &conns {
        let report = conn.report().await;
        if report.open {
            still_open += 1;
        }
        for p in report.problems {
            if problems.len() < 20 {
                problems.push(p);
            }
        }
    }
    if still_open < conns.len() {
        problems.push(format!("{} connections closed", conns.len() - still_open));
    }
    let opened = conns.len();
    close_all(conns).await;
    servers.stop().await?;
    let points: Vec<(f64, f64)> = samples
        .iter()
        .skip(1)
        .map(|&(c, r)| (c as f64, r as f64))
        .collect();
    let fit = linear_fit(&points);
    let mut per_step: Vec<f64> = points
        .windows(2)
        .filter(|w| w[1].0 > w[0].0)
        .map(|w| (w[1].1 - w[0].1) / (w[1].0 - w[0].0))
        .collect();
    per_step.sort_by(f64::total_cmp);
    let median_step = (!per_step.is_empty()).then(|| per_step[per_step.len() / 2]);
    Ok(IdleResult {
        requested: n,
        opened,
        still_open,
        users: users.len(),
        bytes_per_connection: fit.map(|f| f.0),
        fit_intercept: fit.map(|f| f.1),
        median_step_bytes_per_connection: median_step,
        projected_100k_mib: fit.map(|(slope, intercept)| (intercept + slope * 1e5) / 1048576.0),
        samples,
        ramp_secs,
        problems,
    })
}
