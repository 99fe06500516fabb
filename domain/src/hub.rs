//! The in-process delivery hub: every connected device of every user, each with a
//! bounded queue. Publishing never waits: a device whose queue is full is dropped (its
//! connection closes, and the client catches up from the database when it reconnects),
//! so one slow reader cannot grow the server's memory or hold up anyone else.
//!
//! On a cluster (see [`crate::cluster`]) the hub also hands every published frame to the
//! cluster's outbox, and frames from the other nodes come in through
//! [`Hub::deliver_local`]. When the node may have missed frames (Redis was unreachable),
//! the cluster asks the affected devices to [`Delivery::Resync`] from the database.

use crate::cluster::Outbox;
use penguin_protocol::{ServerFrame, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::mpsc;

/// Frames waiting for one device before it counts as too slow.
pub const DEVICE_QUEUE: usize = 256;

/// What a device is handed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Frame(Arc<ServerFrame>),
    /// Frames may have been lost on the way to this device (the cluster's bus was down):
    /// read everything after the device's cursors from the database again.
    Resync,
}

type Senders = HashMap<UserId, HashMap<u64, mpsc::Sender<Delivery>>>;

#[derive(Debug, Clone, Default)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Debug, Default)]
struct HubInner {
    devices: Mutex<Senders>,
    next_id: AtomicU64,
    /// Set once when the node joins a cluster.
    outbox: OnceLock<Outbox>,
}

/// One connected device: deliveries for it arrive on `frames`. Dropping it disconnects
/// it from the hub.
#[derive(Debug)]
pub struct Device {
    pub frames: mpsc::Receiver<Delivery>,
    user: UserId,
    id: u64,
    hub: Hub,
}

impl Hub {
    /// Connects a device of `user`; `true` when it is the user's only one on this node
    /// (they just came online here).
    pub fn connect(&self, user: UserId) -> (Device, bool) {
        let (sender, frames) = mpsc::channel(DEVICE_QUEUE);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let first = {
            let mut devices = self.lock();
            let of_user = devices.entry(user).or_default();
            of_user.insert(id, sender);
            let first = of_user.len() == 1;
            // Under the lock, so the cluster hears comings and goings in their order.
            if first {
                self.tell_cluster(&[user], true);
            }
            first
        };
        let device = Device {
            frames,
            user,
            id,
            hub: self.clone(),
        };
        (device, first)
    }

    /// Whether `user` has a device connected to this node.
    pub fn is_online(&self, user: UserId) -> bool {
        self.devices_of(user) > 0
    }

    /// Queues `frame` for every device of every user in `users`, on this node and, on a
    /// cluster, on every other node.
    pub fn publish(&self, users: &[UserId], frame: ServerFrame) {
        let frame = Arc::new(frame);
        if let Some(outbox) = self.inner.outbox.get() {
            outbox.forward(users, &frame);
        }
        self.deliver_local(users, &Delivery::Frame(frame));
    }

    /// Queues `delivery` for the devices of `users` connected to this node only.
    pub fn deliver_local(&self, users: &[UserId], delivery: &Delivery) {
        let mut gone = Vec::new();
        let mut devices = self.lock();
        for user in users {
            let Some(of_user) = devices.get_mut(user) else {
                continue;
            };
            of_user.retain(|id, sender| match sender.try_send(delivery.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(user_id = user, device = id, "slow device disconnected");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
            if of_user.is_empty() {
                devices.remove(user);
                gone.push(*user);
            }
        }
        self.tell_cluster(&gone, false);
    }

    /// Asks every device on this node to read what it may have missed from the database.
    pub fn resync_all(&self) {
        let users = self.local_users();
        self.deliver_local(&users, &Delivery::Resync);
    }

    /// Every user with a device on this node.
    pub fn local_users(&self) -> Vec<UserId> {
        self.lock().keys().copied().collect()
    }

    /// How many devices `user` has connected to this node.
    pub fn devices_of(&self, user: UserId) -> usize {
        self.lock().get(&user).map_or(0, HashMap::len)
    }

    /// How many devices are connected to this node.
    pub fn device_count(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    /// Routes published frames to the other nodes too; once, when the node joins.
    pub(crate) fn join_cluster(&self, outbox: Outbox) {
        if self.inner.outbox.set(outbox).is_err() {
            tracing::warn!("the hub had joined a cluster already");
        }
    }

    /// Hands the cluster a change of who is connected here; called under the lock.
    fn tell_cluster(&self, users: &[UserId], online: bool) {
        if let Some(outbox) = self.inner.outbox.get() {
            for user in users {
                outbox.online(*user, online);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Senders> {
        self.inner
            .devices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let mut devices = self.hub.lock();
        if let Some(of_user) = devices.get_mut(&self.user) {
            of_user.remove(&self.id);
            if of_user.is_empty() {
                devices.remove(&self.user);
                self.hub.tell_cluster(&[self.user], false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(delivery: Option<Delivery>) -> ServerFrame {
        match delivery {
            Some(Delivery::Frame(frame)) => (*frame).clone(),
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn frames_reach_every_device_and_a_full_queue_drops_only_that_device() {
        let hub = Hub::default();
        let (mut a1, first) = hub.connect(1);
        assert!(first);
        let (mut a2, first) = hub.connect(1);
        assert!(!first);
        let (mut b, _) = hub.connect(2);
        hub.publish(&[1, 2], ServerFrame::CaughtUp);
        for device in [&mut a1, &mut a2, &mut b] {
            assert_eq!(frame(device.frames.recv().await), ServerFrame::CaughtUp);
        }
        // b stops reading: after DEVICE_QUEUE frames it is dropped, a1 and a2 are not.
        for _ in 0..=DEVICE_QUEUE {
            hub.publish(&[2], ServerFrame::CaughtUp);
        }
        assert_eq!(hub.devices_of(2), 0);
        assert_eq!(hub.devices_of(1), 2);
        assert_eq!(hub.device_count(), 2);
        drop(a1);
        assert_eq!(hub.devices_of(1), 1);
    }

    #[tokio::test]
    async fn resync_reaches_every_local_device() {
        let hub = Hub::default();
        let (mut a, _) = hub.connect(1);
        let (mut b, _) = hub.connect(2);
        hub.resync_all();
        assert_eq!(a.frames.recv().await, Some(Delivery::Resync));
        assert_eq!(b.frames.recv().await, Some(Delivery::Resync));
        let mut users = hub.local_users();
        users.sort_unstable();
        assert_eq!(users, [1, 2]);
    }
}
