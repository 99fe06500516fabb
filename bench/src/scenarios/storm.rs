//! Reconnect storm: M sockets (a few users with many devices each, all in one group)
//! hold a known cursor; they all drop at once, messages are sent meanwhile (over HTTP),
//! and they all reconnect with their cursors. Measured: the time from the start of the
//! reconnect until the last one is caught up. Checked: every socket got exactly the
//! messages it missed (none lost, none twice).

use super::{Ctx, open_many};
use crate::client::{Api, Conn, Counters};
use crate::error::{BenchError, Result};
use crate::server::Servers;
use crate::stats::{self, Percentiles};
use penguin_protocol::{Cursor, Destination};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct StormResult {
    pub clients: usize,
    pub users: usize,
    pub missed_per_client: usize,
    /// From the first reconnect until the last `caught_up`.
    pub all_caught_up_secs: f64,
    /// Per client, from the start of the storm until its `caught_up`.
    pub caught_up: Percentiles,
    pub reconnected: usize,
    pub lost: u64,
    pub duplicated: u64,
    pub problems: Vec<String>,
}

/// Messages sent before the storm: every socket resumes from this seq.
const WARM: usize = 2;

pub async fn run(ctx: &Ctx) -> Result<StormResult> {
    let mut servers = Servers::start(&ctx.options, "storm", &[]).await?;
    let addrs = servers.addrs();
    let api = Api::new(&servers.bases()[0]);
    let users = api.register_many("s", ctx.sizes.storm_users.max(2)).await?;
    let group_id = api.group_of("storm", &users[0], &users[1..]).await?;
    let to = Destination::Group { group_id };
    let send = |n: usize| {
        let api = api.clone();
        let session = users[0].session.clone();
        async move {
            api.post(
                "send_message",
                Some(&session),
                json!({"client_id": format!("storm-{n}"), "to": to, "body": format!("storm {n}")}),
            )
            .await
        }
    };
    for n in 0..WARM {
        send(n).await?;
    }
    let conversation = api.conversation_with(&users[0], to).await?;
    // Everyone connects with cursor 0 (not the read position: the sender's own sends may
    // count as read): catch-up brings seq 1..=WARM, the cursor they will resume from.
    let m = ctx.sizes.storm_clients.max(1);
    let counters = Arc::new(Counters::default());
    let plan = |cursors: Vec<Cursor>| {
        (0..m)
            .map(|i| {
                (
                    users[i % users.len()].clone(),
                    addrs[i % addrs.len()],
                    cursors.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let start = vec![Cursor {
        conversation_id: conversation,
        seq: 0,
    }];
    let (opened, failed) = open_many(ctx, plan(start), &counters, 128).await;
    if let Some(e) = failed {
        return Err(BenchError::Failed(format!(
            "opening the first {m} sockets (got {}): {e}",
            opened.len()
        )));
    }
    let mut problems = Vec::new();
    for o in &opened {
        if o.caught_up.len() != WARM {
            problems.push(format!(
                "first catch-up brought {} messages, not {WARM}",
                o.caught_up.len()
            ));
            break;
        }
    }
    eprintln!("  {m} sockets connected; dropping them all");
    for o in opened {
        o.conn.drop_now();
    }
    let missed = ctx.sizes.storm_missed;
    for n in WARM..WARM + missed {
        send(n).await?;
    }
    let cursor = vec![Cursor {
        conversation_id: conversation,
        seq: WARM as i64,
    }];
    let started = Instant::now();
    let mut times = stats::histogram();
    let mut lost = 0u64;
    let mut duplicated = 0u64;
    // Each reconnect's catch-up ends at its own `caught_up`; the time is taken as each
    // finishes, so the order of completion does not skew it.
    let plan = plan(cursor);
    let reconnects = plan.into_iter().map(|(user, node, cursors)| {
        let sources = ctx.sources.clone();
        let counters = counters.clone();
        async move {
            let opened = Conn::open(&sources, node, &user, cursors, counters).await;
            (opened, started.elapsed())
        }
    });
    use futures_util::StreamExt;
    let mut stream = futures_util::stream::iter(reconnects).buffer_unordered(1024);
    let mut conns = Vec::with_capacity(m);
    let mut last = 0.0f64;
    while let Some((opened, took)) = stream.next().await {
        match opened {
            Ok(o) => {
                let seqs: Vec<i64> = o
                    .caught_up
                    .iter()
                    .filter(|msg| msg.conversation_id == conversation)
                    .map(|msg| msg.seq)
                    .collect();
                let want: Vec<i64> = (WARM as i64 + 1..=(WARM + missed) as i64).collect();
                let got_unique: std::collections::BTreeSet<i64> = seqs.iter().copied().collect();
                lost += want.iter().filter(|s| !got_unique.contains(s)).count() as u64;
                duplicated += (seqs.len() - got_unique.len()) as u64
                    + got_unique.iter().filter(|s| !want.contains(s)).count() as u64;
                times.saturating_record(took.as_micros() as u64);
                last = last.max(took.as_secs_f64());
                conns.push(o.conn);
            }
            Err(e) => {
                if problems.len() < 20 {
                    problems.push(format!("reconnect failed: {e}"));
                }
            }
        }
    }
    drop(stream);
    let reconnected = conns.len();
    if reconnected < m {
        lost += ((m - reconnected) * missed) as u64;
        problems.push(format!(
            "{} of {m} clients did not reconnect",
            m - reconnected
        ));
    }
    if lost > 0 || duplicated > 0 {
        problems.push(format!("{lost} messages lost, {duplicated} duplicated"));
    }
    super::close_all(conns).await;
    servers.stop().await?;
    Ok(StormResult {
        clients: m,
        users: users.len(),
        missed_per_client: missed,
        all_caught_up_secs: last,
        caught_up: Percentiles::of(&times),
        reconnected,
        lost,
        duplicated,
        problems,
    })
}
