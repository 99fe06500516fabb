//! The node's two bus tasks: one publishes what the hub hands it (and beats the
//! heartbeat), one listens and hands what other nodes published to the hub. Each
//! reconnects on its own with a capped backoff; while either is down the node is
//! isolated (see `/healthz`) and keeps serving its own devices.

use super::envelope::{self, Incoming};
use super::{Outgoing, Shared, presence};
use crate::hub::{Delivery, Hub};
use futures_util::StreamExt;
use penguin_protocol::UserId;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep, timeout};

/// Items sent to Redis in one pipeline at most.
const PIPELINE: usize = 128;
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How long one Redis request may take before the connection counts as broken.
fn request_timeout(shared: &Shared) -> Duration {
    (shared.settings.heartbeat * 2).max(Duration::from_secs(1))
}

pub(super) async fn publish(
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Outgoing>,
    hub: Hub,
    reaped: mpsc::UnboundedSender<Vec<UserId>>,
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let connected = connect(&shared).await;
        let mut connection = match connected {
            Ok(connection) => connection,
            Err(error) => {
                tracing::debug!(%error, "cluster: Redis unreachable for publishing");
                // Keep taking what the hub hands over, as missed, until the next try.
                let until = Instant::now() + backoff;
                while let Ok(Some(item)) = tokio::time::timeout_at(until, queue.recv()).await {
                    shared.missed().record(&item);
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        if let Err(error) = rejoin(&shared, &mut connection, &hub).await {
            tracing::warn!(%error, "cluster: rejoining failed");
            sleep(backoff).await;
            continue;
        }
        backoff = MIN_BACKOFF;
        *super::lock(&shared.connection) = Some(connection.clone());
        shared.publishing.store(true, Ordering::Relaxed);
        tracing::info!(node_id = %shared.settings.node_id, "cluster: publishing on Redis");

        let ended = serve(&shared, &mut connection, &mut queue, &hub, &reaped).await;
        shared.publishing.store(false, Ordering::Relaxed);
        *super::lock(&shared.connection) = None;
        match ended {
            Ok(()) => return, // the hub is gone
            Err(error) => tracing::warn!(%error, "cluster: lost Redis (publishing); isolated"),
        }
    }
}

async fn connect(shared: &Shared) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(request_timeout(shared)))
        .set_response_timeout(Some(request_timeout(shared)));
    shared
        .client
        .get_multiplexed_async_connection_with_config(&config)
        .await
}

/// After (re)connecting: rewrite this node's presence and tell the other nodes whom
/// they should resync because their frames did not get out.
async fn rejoin(
    shared: &Shared,
    connection: &mut redis::aio::MultiplexedConnection,
    hub: &Hub,
) -> redis::RedisResult<()> {
    // Read, not taken: if Redis fails again before the resync is out, it stays owed.
    let (everyone, users): (bool, Vec<UserId>) = {
        let missed = shared.missed();
        (missed.everyone, missed.users.iter().copied().collect())
    };
    shared.missed().presence = false;
    presence::write_all(shared, connection, &hub.local_users()).await?;
    if everyone || !users.is_empty() {
        let resync = envelope::Outgoing::Resync {
            node: &shared.settings.node_id,
            users: (!everyone).then_some(users.as_slice()),
        };
        redis::cmd("PUBLISH")
            .arg(&shared.keys.bus)
            .arg(envelope::encode(&resync))
            .exec_async(connection)
            .await?;
        let mut missed = shared.missed();
        missed.everyone &= !everyone;
        for user in &users {
            missed.users.remove(user);
        }
        tracing::info!(
            everyone,
            users = users.len(),
            "cluster: asked the other nodes to resync what this node could not publish"
        );
    }
    Ok(())
}

async fn serve(
    shared: &Shared,
    connection: &mut redis::aio::MultiplexedConnection,
    queue: &mut mpsc::Receiver<Outgoing>,
    hub: &Hub,
    reaped: &mpsc::UnboundedSender<Vec<UserId>>,
) -> redis::RedisResult<()> {
    let mut beat = interval(shared.settings.heartbeat);
    let presence_key = shared.keys.presence(&shared.settings.node_id);
    loop {
        tokio::select! {
            item = queue.recv() => {
                let Some(item) = item else { return Ok(()) };
                let mut batch = vec![item];
                while batch.len() < PIPELINE {
                    match queue.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let mut pipe = redis::pipe();
                for item in &batch {
                    match item {
                        Outgoing::Frame { users, frame } => {
                            let envelope = envelope::Outgoing::Frame {
                                node: &shared.settings.node_id,
                                users,
                                frame,
                            };
                            pipe.cmd("PUBLISH").arg(&shared.keys.bus).arg(envelope::encode(&envelope)).ignore();
                        }
                        Outgoing::Presence { user, online: true } => {
                            pipe.cmd("HSET").arg(&presence_key).arg(*user).arg(1).ignore();
                        }
                        Outgoing::Presence { user, online: false } => {
                            pipe.cmd("HDEL").arg(&presence_key).arg(*user).ignore();
                        }
                    }
                }
                if let Err(error) = pipe.exec_async(connection).await {
                    let mut missed = shared.missed();
                    for item in &batch {
                        missed.record(item);
                    }
                    return Err(error);
                }
            }
            _ = beat.tick() => {
                if std::mem::take(&mut shared.missed().presence) {
                    presence::write_all(shared, connection, &hub.local_users()).await?;
                }
                let gone = presence::beat(shared, connection).await?;
                if !gone.is_empty() {
                    let _ = reaped.send(gone);
                }
            }
        }
    }
}

pub(super) async fn listen(shared: Arc<Shared>, hub: Hub) {
    let mut backoff = MIN_BACKOFF;
    loop {
        match subscribe(&shared).await {
            Ok(pubsub) => {
                backoff = MIN_BACKOFF;
                shared.listening.store(true, Ordering::Relaxed);
                tracing::info!(node_id = %shared.settings.node_id, "cluster: listening on Redis");
                // Whatever was published while this node was not listening is lost to
                // it: every device here reads from the database what it may have missed.
                hub.resync_all();
                let error = receive(&shared, pubsub, &hub).await;
                shared.listening.store(false, Ordering::Relaxed);
                tracing::warn!(%error, "cluster: lost Redis (listening); isolated");
            }
            Err(error) => tracing::debug!(%error, "cluster: Redis unreachable for listening"),
        }
        sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn subscribe(shared: &Shared) -> redis::RedisResult<redis::aio::PubSub> {
    let wait = request_timeout(shared);
    let mut pubsub = timeout(wait, shared.client.get_async_pubsub())
        .await
        .map_err(|_| timed_out())??;
    timeout(wait, pubsub.subscribe(&shared.keys.bus))
        .await
        .map_err(|_| timed_out())??;
    Ok(pubsub)
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "Redis did not answer in time",
    ))
}

/// Hands what arrives to the hub until the connection breaks; the error says why.
async fn receive(shared: &Shared, pubsub: redis::aio::PubSub, hub: &Hub) -> redis::RedisError {
    let (mut sink, mut stream) = pubsub.split();
    // A silent network drop leaves the stream open forever: ping to find out.
    let mut ping = interval(shared.settings.heartbeat * 2);
    ping.reset();
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else {
                    return redis::RedisError::from(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "the subscription ended",
                    ));
                };
                match serde_json::from_slice::<Incoming>(message.get_payload_bytes()) {
                    Ok(incoming) if incoming.node() == shared.settings.node_id => {}
                    Ok(incoming) => hand_over(incoming, hub),
                    Err(error) => tracing::warn!(%error, "cluster: unreadable envelope skipped"),
                }
            }
            _ = ping.tick() => {
                match timeout(request_timeout(shared), sink.ping::<redis::Value>()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => return error,
                    Err(_) => return timed_out(),
                }
            }
        }
    }
}

fn hand_over(incoming: Incoming, hub: &Hub) {
    match incoming {
        Incoming::Frame { users, frame, .. } => {
            hub.deliver_local(&users, &Delivery::Frame(Arc::new(frame)));
        }
        Incoming::Resync { users: None, .. } => hub.resync_all(),
        Incoming::Resync {
            users: Some(users), ..
        } => hub.deliver_local(&users, &Delivery::Resync),
    }
}
