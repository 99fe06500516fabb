//! Older-history pages on a conversation with 1,000,000 messages. Seeding that many
//! through the API would take hours of durable sends, so the conversation is made
//! through the API (two friends, one message), the server is stopped cleanly, and the
//! rest are bulk-inserted into the SQLite file in one transaction with the `sqlite3`
//! command-line tool (rows exactly as the server writes them: consecutive `seq`, the
//! conversation's `last_seq` moved to the end). Then the server starts again on that
//! file and pages of 50 before random positions are fetched one after another.
//! PostgreSQL runs skip it (the seeding is SQLite-specific).

use super::Ctx;
use crate::client::Api;
use crate::error::{BenchError, Result};
use crate::server::Servers;
use crate::stats::{self, Percentiles};
use penguin_protocol::Destination;
use serde::Serialize;
use serde_json::json;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct HistoryResult {
    pub messages: u64,
    pub pages: usize,
    pub page_size: u64,
    pub seed_secs: f64,
    pub page: Percentiles,
    pub problems: Vec<String>,
}

const PAGE: u64 = 50;

pub async fn run(ctx: &Ctx) -> Result<HistoryResult> {
    let total = ctx.sizes.history_messages.max(PAGE + 1);
    let mut servers = Servers::start(&ctx.options, "history", &[]).await?;
    let Some(db) = servers.sqlite_path().map(ToOwned::to_owned) else {
        return Err(BenchError::Failed(
            "needs the SQLite backend (it seeds the file directly)".into(),
        ));
    };
    let api = Api::new(&servers.bases()[0]);
    let users = api.register_many("h", 2).await?;
    api.befriend(&users[0], &users[1]).await?;
    let to = Destination::Direct {
        user_id: users[1].id,
    };
    api.post(
        "send_message",
        Some(&users[0].session),
        json!({"client_id": "seed-1", "to": to, "body": "history message 1"}),
    )
    .await?;
    let conversation = api.conversation_with(&users[0], to).await?;
    servers.stop().await?;
    eprintln!("  seeding {total} messages into {}", db.display());
    let started = Instant::now();
    let sql = format!(
        "PRAGMA synchronous=OFF;
         BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {total})
         INSERT INTO messages (conversation_id, seq, sender_id, client_id, body, sent_at)
           SELECT m.conversation_id, n.i, m.sender_id, 'seed-' || n.i,
                  'history message ' || n.i, m.sent_at
           FROM n, (SELECT * FROM messages WHERE conversation_id = {conversation} AND seq = 1) m;
         UPDATE conversations SET last_seq = {total} WHERE id = {conversation};
         COMMIT;
         PRAGMA wal_checkpoint(TRUNCATE);"
    );
    let output = tokio::process::Command::new("sqlite3")
        .arg(&db)
        .arg(&sql)
        .output()
        .await
        .map_err(|source| BenchError::Spawn {
            what: "sqlite3 (the SQLite command-line tool)".into(),
            source,
        })?;
    if !output.status.success() {
        return Err(BenchError::Failed(format!(
            "sqlite3 seeding failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let seed_secs = started.elapsed().as_secs_f64();
    servers.start_again().await?;
    let api = Api::new(&servers.bases()[0]);
    let pages = ctx.sizes.history_pages.max(1);
    let mut hist = stats::histogram();
    let mut problems = Vec::new();
    // A fixed pseudo-random walk (xorshift): the same positions on every run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let warmup = 20;
    for i in 0..pages + warmup {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let before = PAGE + 1 + x % (total - PAGE);
        let query = format!("history?conversation_id={conversation}&before={before}&limit={PAGE}");
        let t = Instant::now();
        let page = api.get(&query, &users[1].session).await?;
        let took = t.elapsed();
        if i >= warmup {
            hist.saturating_record(took.as_micros() as u64);
        }
        let seqs: Vec<i64> = page
            .as_array()
            .map(|a| a.iter().filter_map(|m| m["seq"].as_i64()).collect())
            .unwrap_or_default();
        let want: Vec<i64> = ((before - PAGE) as i64..before as i64).collect();
        if seqs != want && problems.len() < 20 {
            problems.push(format!(
                "page before {before}: {} messages, seq {:?}..{:?}",
                seqs.len(),
                seqs.first(),
                seqs.last()
            ));
        }
    }
    servers.stop().await?;
    Ok(HistoryResult {
        messages: total,
        pages,
        page_size: PAGE,
        seed_secs,
        page: Percentiles::of(&hist),
        problems,
    })
}
