//! Group commit: concurrent sends share one transaction, so one disk sync acknowledges
//! many messages. One writer task takes the first waiting send, adds whatever else is
//! already waiting (up to [`MAX_BATCH`]), stores each in a savepoint of its own (one bad
//! send does not sink the others), commits once, then answers every sender. Under low
//! load a batch is a single send and nothing waits; under load the syncs per second
//! stay flat while the messages per second grow.
//!
//! [`Committer::flush`] waits until everything queued before it is committed: graceful
//! shutdown calls it after the last connection has ended, so no send that reached the
//! writer is lost to the exit.

use super::access::next_seq;
use crate::core::Writes;
use crate::entity::{conversation, message};
use crate::error::DomainError;
use crate::metrics::Metrics;
use chrono::Utc;
use penguin_protocol::{Destination, ErrorCode, UserId};
use sea_orm::{ActiveModelTrait, DbErr, Set, TransactionTrait};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// The most sends one transaction takes.
pub const MAX_BATCH: usize = 256;

/// What a send became: stored, or a duplicate of an earlier send with the same client
/// id (the caller reads that one back).
pub(crate) enum Stored {
    New(message::Model, conversation::Model),
    Duplicate,
}

pub(crate) struct Job {
    pub sender: UserId,
    pub to: Destination,
    pub client_id: String,
    pub body: String,
    pub reply: oneshot::Sender<Result<Stored, DomainError>>,
}

/// What the writer is asked to do, in order.
pub(crate) enum Work {
    Store(Job),
    /// Answered once everything queued before it is committed (or failed).
    Flush(oneshot::Sender<()>),
}

#[derive(Debug, Clone)]
pub(crate) struct Committer {
    jobs: mpsc::Sender<Work>,
    stats: Arc<CommitStats>,
}

/// Counters of the writer: how many transactions stored how many messages.
#[derive(Debug, Default)]
pub struct CommitStats {
    pub batches: AtomicU64,
    pub messages: AtomicU64,
}

impl Committer {
    /// Starts the writer task; it ends when the last `Committer` is dropped.
    pub(crate) fn start(writes: Writes, metrics: Arc<Metrics>) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let stats = Arc::new(CommitStats::default());
        tokio::spawn(run(writes, queue, stats.clone(), metrics));
        Self { jobs, stats }
    }

    /// Sends waiting for the writer right now.
    pub(crate) fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Waits until every send queued before this call is committed.
    pub(crate) async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.jobs.send(Work::Flush(done)).await.is_ok() {
            let _ = flushed.await;
        }
    }

    pub(crate) fn stats(&self) -> (u64, u64) {
        (
            self.stats.batches.load(Ordering::Relaxed),
            self.stats.messages.load(Ordering::Relaxed),
        )
    }

    pub(crate) async fn store(&self, job: Job) -> Result<(), DomainError> {
        self.jobs
            .send(Work::Store(job))
            .await
            .map_err(|_| DomainError::Refused(ErrorCode::Unavailable))
    }
}

async fn run(
    writes: Writes,
    mut queue: mpsc::Receiver<Work>,
    stats: Arc<CommitStats>,
    metrics: Arc<Metrics>,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = Vec::new();
        let mut flush = None;
        match first {
            Work::Store(job) => batch.push(job),
            Work::Flush(done) => flush = Some(done),
        }
        while flush.is_none() && batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Work::Store(job)) => batch.push(job),
                // What came before the flush is this batch; what comes after waits.
                Ok(Work::Flush(done)) => flush = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit(&writes, batch, &stats, &metrics).await;
        }
        if let Some(done) = flush {
            let _ = done.send(());
        }
    }
}

async fn commit(writes: &Writes, batch: Vec<Job>, stats: &CommitStats, metrics: &Metrics) {
    let size = batch.len();
    let started = Instant::now();
    let mut results = store_batch(writes, &batch).await;
    // Batches of two nodes lock conversations in one order (see `lock_order`), so a
    // deadlock needs a third party; should one happen, PostgreSQL aborted the whole
    // transaction and it is safe to try again.
    for _ in 0..3 {
        match &results {
            Err(error) if is_deadlock(error) => {
                tracing::warn!(%error, size, "group commit deadlocked; retrying");
                results = store_batch(writes, &batch).await;
            }
            _ => break,
        }
    }
    metrics.commit_latency.observe(started.elapsed());
    if size > 1 {
        tracing::debug!(size, "group commit");
    }
    match results {
        Ok(results) => {
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.messages.fetch_add(size as u64, Ordering::Relaxed);
            let stored = results
                .iter()
                .filter(|r| matches!(r, Ok(Stored::New(..))))
                .count();
            metrics
                .messages_received
                .fetch_add(stored as u64, Ordering::Relaxed);
            for (job, result) in batch.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(error) => {
            tracing::error!(%error, size, "a batch of messages could not be committed");
            // Each waiting send learns whether retrying can help (the disk is full, the
            // database unreachable) or not.
            let message = error.to_string();
            let unavailable = error.code() == penguin_protocol::ErrorCode::Unavailable;
            for job in batch {
                let error = if unavailable {
                    DomainError::StorageUnavailable(message.clone())
                } else {
                    DomainError::Database(DbErr::Custom(message.clone()))
                };
                let _ = job.reply.send(Err(error));
            }
        }
    }
}

/// One transaction for the batch; per send, its result. `Err` when the commit failed
/// (then nothing of the batch is stored).
///
/// The common case, every send new and allowed, costs two statements per send (bump
/// `last_seq`, insert) between one BEGIN and one COMMIT. Only when a send of a larger
/// batch does not go through (a retried client id, a group deleted meanwhile) is the
/// batch rolled back and stored again with a savepoint per send, so the others still
/// land: PostgreSQL aborts the whole transaction at a failed statement, and a savepoint
/// per send on every batch would double the statements of the common case.
async fn store_batch(
    writes: &Writes,
    batch: &[Job],
) -> Result<Vec<Result<Stored, DomainError>>, DomainError> {
    let txn = writes.begin().await?;
    let mut stored = Vec::with_capacity(batch.len());
    for index in lock_ordered(batch) {
        match store_one(&txn, &batch[index]).await {
            Ok(new @ Stored::New(..)) => stored.push((index, Ok(new))),
            // PostgreSQL aborted the transaction; `commit` tries the batch again.
            Err(error) if is_deadlock(&error) => {
                txn.rollback().await?;
                return Err(error);
            }
            // Alone in its batch, the send's own outcome is the batch's.
            other if batch.len() == 1 => {
                txn.rollback().await?;
                return Ok(vec![other]);
            }
            _ => {
                txn.rollback().await?;
                return store_isolated(writes, batch).await;
            }
        }
    }
    txn.commit().await?;
    Ok(in_batch_order(batch.len(), stored))
}

/// The batch again, each send in a savepoint of its own: one that fails is rolled back
/// alone.
async fn store_isolated(
    writes: &Writes,
    batch: &[Job],
) -> Result<Vec<Result<Stored, DomainError>>, DomainError> {
    let txn = writes.begin().await?;
    let mut results = Vec::with_capacity(batch.len());
    for index in lock_ordered(batch) {
        let savepoint = txn.begin().await?;
        let result = store_one(&savepoint, &batch[index]).await;
        match &result {
            Ok(Stored::New(..)) => savepoint.commit().await?,
            _ => savepoint.rollback().await?,
        }
        results.push((index, result));
    }
    txn.commit().await?;
    Ok(in_batch_order(batch.len(), results))
}

/// Indexes of `batch` in [`lock_order`].
fn lock_ordered(batch: &[Job]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|index| lock_order(&batch[*index]));
    order
}

/// Results by their job's index in the batch.
fn in_batch_order(
    size: usize,
    results: Vec<(usize, Result<Stored, DomainError>)>,
) -> Vec<Result<Stored, DomainError>> {
    let mut ordered: Vec<Option<Result<Stored, DomainError>>> =
        std::iter::repeat_with(|| None).take(size).collect();
    for (index, result) in results {
        ordered[index] = Some(result);
    }
    ordered
        .into_iter()
        .map(|result| result.unwrap_or(Err(DomainError::Refused(ErrorCode::Internal))))
        .collect()
}

/// The order in which a batch takes the conversations' row locks: the same on every
/// node, so two nodes' batches on PostgreSQL wait for each other instead of
/// deadlocking. Within one conversation the batch keeps the order sends arrived in
/// (the sort is stable).
fn lock_order(job: &Job) -> (u8, i64, i64) {
    match job.to {
        Destination::Group { group_id } => (0, group_id, 0),
        Destination::Direct { user_id } => (
            1,
            Ord::min(job.sender, user_id),
            Ord::max(job.sender, user_id),
        ),
    }
}

fn is_deadlock(error: &DomainError) -> bool {
    let text = error.to_string();
    text.contains("40P01") || text.contains("deadlock detected")
}

async fn store_one(txn: &sea_orm::DatabaseTransaction, job: &Job) -> Result<Stored, DomainError> {
    let conversation = next_seq(txn, job.sender, job.to).await?;
    let seq = conversation.last_seq;
    let stored = message::ActiveModel {
        conversation_id: Set(conversation.id),
        seq: Set(seq),
        sender_id: Set(job.sender),
        client_id: Set(job.client_id.clone()),
        body: Set(job.body.clone()),
        sent_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match stored {
        Ok(stored) => Ok(Stored::New(stored, conversation)),
        Err(error)
            if matches!(
                error.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Ok(Stored::Duplicate)
        }
        Err(error) => Err(error.into()),
    }
}
