//! Several Penguin nodes on one PostgreSQL and one Redis.
//!
//! The database stays the only source of truth: messages, sequence numbers, sessions,
//! read positions. Redis only carries what is live, so losing it loses nothing:
//! - a bus (one pub/sub channel) over which every node hands the frames its hub
//!   publishes to every other node, which delivers them to the devices it holds;
//! - presence: a hash per node of the users connected to it, kept alive by a
//!   heartbeat, so "is this friend online?" has one answer across nodes.
//!
//! Pub/sub is at-most-once, which is enough because every message a client shows also
//! arrives by catch-up from the database: when a node could not publish (Redis down) it
//! tells the other nodes, once Redis is back, which users may have missed frames; when
//! a node was not listening it asks all its own devices to resync. The WebSocket turns
//! a [`crate::hub::Delivery::Resync`] into a catch-up from its cursors. Redis Streams
//! would give replay, but only within their retention, and would still need the same
//! database catch-up for a node that was away longer; plain pub/sub keeps Redis
//! stateless for Penguin (it may restart empty) and costs one PUBLISH per frame.

mod bus;
mod envelope;
mod presence;

use crate::error::DomainError;
use crate::hub::Hub;
use penguin_protocol::health::ClusterHealth;
use penguin_protocol::{ServerFrame, UserId};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How to join a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSettings {
    /// `redis://host:port[/db]` (or `rediss://` with TLS).
    pub redis_url: String,
    /// Prefix of every Redis key and channel, so several clusters can share one Redis.
    pub prefix: String,
    /// This node's name in the cluster: unique among the nodes sharing `prefix`.
    pub node_id: String,
    /// How often the node renews its presence in Redis; a node silent for
    /// [`DEAD_AFTER_BEATS`] beats counts as gone and its users as offline.
    pub heartbeat: Duration,
}

/// Missed heartbeats after which a node counts as gone.
pub const DEAD_AFTER_BEATS: u32 = 5;

/// Frames waiting for Redis before the node counts them as missed (and resyncs the
/// recipients later) instead of queueing more.
const OUTBOX_QUEUE: usize = 16 * 1024;

/// Users remembered by name as having missed frames; beyond this, every user resyncs.
const MISSED_USERS: usize = 10_000;

impl ClusterSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        let invalid = |name, reason: String| Err(DomainError::InvalidSetting { name, reason });
        if let Err(error) = redis::Client::open(self.redis_url.as_str()) {
            return invalid("redis url", error.to_string());
        }
        let fine = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !fine(&self.prefix) {
            return invalid("redis prefix", "1 to 64 of a-z A-Z 0-9 - _ .".into());
        }
        if !fine(&self.node_id) {
            return invalid("node id", "1 to 64 of a-z A-Z 0-9 - _ .".into());
        }
        if self.heartbeat < Duration::from_millis(50) || self.heartbeat > Duration::from_secs(60) {
            return invalid("cluster heartbeat", "between 50 ms and 60 s".into());
        }
        Ok(())
    }

    /// A node id for a node that was not given one: random, so two processes never
    /// share one by accident.
    pub fn random_node_id() -> String {
        format!("node-{}-{:08x}", std::process::id(), rand::random::<u32>())
    }

    fn dead_after(&self) -> Duration {
        self.heartbeat * DEAD_AFTER_BEATS
    }
}

/// Redis names, all under the prefix.
#[derive(Debug)]
struct Keys {
    bus: String,
    nodes: String,
    prefix: String,
}

impl Keys {
    fn new(prefix: &str) -> Self {
        Self {
            bus: format!("{prefix}:bus"),
            nodes: format!("{prefix}:nodes"),
            prefix: prefix.to_owned(),
        }
    }

    fn presence(&self, node: &str) -> String {
        format!("{}:presence:{node}", self.prefix)
    }
}

/// What the hub hands to the bus.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Frame {
        users: Vec<UserId>,
        frame: Arc<ServerFrame>,
    },
    Presence {
        user: UserId,
        online: bool,
    },
}

/// Who may have missed frames while Redis was unreachable.
#[derive(Debug, Default)]
struct Missed {
    users: HashSet<UserId>,
    everyone: bool,
    /// The presence hash may be out of date: rewrite it whole.
    presence: bool,
}

impl Missed {
    fn record(&mut self, item: &Outgoing) {
        match item {
            Outgoing::Frame { users, .. } if !self.everyone => {
                self.users.extend(users);
                if self.users.len() > MISSED_USERS {
                    self.users.clear();
                    self.everyone = true;
                }
            }
            Outgoing::Frame { .. } => {}
            Outgoing::Presence { .. } => self.presence = true,
        }
    }
}

/// State shared by the node's cluster tasks and its request handlers.
#[derive(Debug)]
struct Shared {
    settings: ClusterSettings,
    client: redis::Client,
    keys: Keys,
    /// The publishing connection, while Redis answers (lookups share it).
    connection: Mutex<Option<redis::aio::MultiplexedConnection>>,
    publishing: AtomicBool,
    listening: AtomicBool,
    missed: Mutex<Missed>,
}

impl Shared {
    fn connection(&self) -> Option<redis::aio::MultiplexedConnection> {
        lock(&self.connection).clone()
    }

    fn missed(&self) -> std::sync::MutexGuard<'_, Missed> {
        lock(&self.missed)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The hub's way onto the bus: never waits; what does not fit is recorded as missed.
#[derive(Debug, Clone)]
pub struct Outbox {
    queue: mpsc::Sender<Outgoing>,
    shared: Arc<Shared>,
}

impl Outbox {
    pub(crate) fn forward(&self, users: &[UserId], frame: &Arc<ServerFrame>) {
        if users.is_empty() {
            return;
        }
        self.push(Outgoing::Frame {
            users: users.to_vec(),
            frame: frame.clone(),
        });
    }

    pub(crate) fn online(&self, user: UserId, online: bool) {
        self.push(Outgoing::Presence { user, online });
    }

    fn push(&self, item: Outgoing) {
        if let Err(error) = self.queue.try_send(item) {
            let item = match error {
                mpsc::error::TrySendError::Full(item) | mpsc::error::TrySendError::Closed(item) => {
                    item
                }
            };
            self.shared.missed().record(&item);
        }
    }
}

/// This node's membership of the cluster. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cluster {
    shared: Arc<Shared>,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cluster {
    /// Connects `hub` to the cluster and starts the node's bus tasks. Redis need not be
    /// up: the node serves its own users meanwhile and joins when Redis answers. Users
    /// of nodes found dead are sent on `reaped`.
    pub(crate) fn join(
        settings: ClusterSettings,
        hub: &Hub,
        reaped: mpsc::UnboundedSender<Vec<UserId>>,
    ) -> Result<Self, DomainError> {
        settings.validate()?;
        let client = redis::Client::open(settings.redis_url.as_str()).map_err(|error| {
            DomainError::InvalidSetting {
                name: "redis url",
                reason: error.to_string(),
            }
        })?;
        let shared = Arc::new(Shared {
            keys: Keys::new(&settings.prefix),
            settings,
            client,
            connection: Mutex::new(None),
            publishing: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            missed: Mutex::new(Missed::default()),
        });
        let (queue, outgoing) = mpsc::channel(OUTBOX_QUEUE);
        hub.join_cluster(Outbox {
            queue,
            shared: shared.clone(),
        });
        let tasks = vec![
            tokio::spawn(bus::publish(shared.clone(), outgoing, hub.clone(), reaped))
                .abort_handle(),
            tokio::spawn(bus::listen(shared.clone(), hub.clone())).abort_handle(),
        ];
        tracing::info!(node_id = %shared.settings.node_id, "joining the cluster");
        Ok(Self {
            shared,
            tasks: Arc::new(Mutex::new(tasks)),
        })
    }

    /// Ties a task of the domain's to the node's membership: [`Cluster::leave`] stops it.
    pub(crate) fn adopt(&self, task: tokio::task::AbortHandle) {
        lock(&self.tasks).push(task);
    }

    pub(crate) fn settings_heartbeat(&self) -> Duration {
        self.shared.settings.heartbeat
    }

    pub fn node_id(&self) -> &str {
        &self.shared.settings.node_id
    }

    /// Whether the node both publishes to and listens on the bus right now.
    pub fn connected(&self) -> bool {
        self.shared.publishing.load(Ordering::Relaxed)
            && self.shared.listening.load(Ordering::Relaxed)
    }

    pub fn health(&self) -> ClusterHealth {
        ClusterHealth {
            node_id: self.node_id().to_owned(),
            redis_reachable: self.connected(),
        }
    }

    /// Which of `users` have a device on another live node. Empty when Redis does not
    /// answer (the node then only knows its own devices).
    pub async fn online_elsewhere(&self, users: &[UserId]) -> HashSet<UserId> {
        if users.is_empty() {
            return HashSet::new();
        }
        presence::online_elsewhere(&self.shared, users)
            .await
            .unwrap_or_else(|error| {
                tracing::debug!(%error, "presence lookup failed");
                HashSet::new()
            })
    }

    /// Stops the node's bus tasks and tells the other nodes it is gone, so they announce
    /// its users as offline (unless they are connected elsewhere) at their next beat.
    pub async fn leave(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
        if let Err(error) = presence::leave(&self.shared).await {
            tracing::debug!(%error, "could not say goodbye to the cluster");
        }
        *lock(&self.shared.connection) = None;
        self.shared.publishing.store(false, Ordering::Relaxed);
        self.shared.listening.store(false, Ordering::Relaxed);
    }
}
