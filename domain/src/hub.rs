//! The in-process delivery hub: every connected device of every user, each with a
//! bounded queue. Publishing never waits: a device whose queue is full is dropped (its
//! connection closes, and the client catches up from the database when it reconnects),
//! so one slow reader cannot grow the server's memory or hold up anyone else.

use penguin_protocol::{ServerFrame, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Frames waiting for one device before it counts as too slow.
pub const DEVICE_QUEUE: usize = 256;

type Senders = HashMap<UserId, HashMap<u64, mpsc::Sender<Arc<ServerFrame>>>>;

#[derive(Debug, Clone, Default)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Debug, Default)]
struct HubInner {
    devices: Mutex<Senders>,
    next_id: AtomicU64,
}

/// One connected device: frames for it arrive on `frames`. Dropping it disconnects it
/// from the hub.
#[derive(Debug)]
pub struct Device {
    pub frames: mpsc::Receiver<Arc<ServerFrame>>,
    user: UserId,
    id: u64,
    hub: Hub,
}

impl Hub {
    /// Connects a device of `user`; `true` when it is the user's only one (they just
    /// came online).
    pub fn connect(&self, user: UserId) -> (Device, bool) {
        let (sender, frames) = mpsc::channel(DEVICE_QUEUE);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let first = {
            let mut devices = self.lock();
            let of_user = devices.entry(user).or_default();
            of_user.insert(id, sender);
            of_user.len() == 1
        };
        let device = Device {
            frames,
            user,
            id,
            hub: self.clone(),
        };
        (device, first)
    }

    /// Whether `user` has a device connected.
    pub fn is_online(&self, user: UserId) -> bool {
        self.devices_of(user) > 0
    }

    /// Queues `frame` for every device of every user in `users`.
    pub fn publish(&self, users: &[UserId], frame: ServerFrame) {
        let frame = Arc::new(frame);
        let mut devices = self.lock();
        for user in users {
            let Some(of_user) = devices.get_mut(user) else {
                continue;
            };
            of_user.retain(|id, sender| match sender.try_send(frame.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(user_id = user, device = id, "slow device disconnected");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
            if of_user.is_empty() {
                devices.remove(user);
            }
        }
    }

    /// How many devices `user` has connected.
    pub fn devices_of(&self, user: UserId) -> usize {
        self.lock().get(&user).map_or(0, HashMap::len)
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
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(*device.frames.recv().await.unwrap(), ServerFrame::CaughtUp);
        }
        // b stops reading: after DEVICE_QUEUE frames it is dropped, a1 and a2 are not.
        for _ in 0..=DEVICE_QUEUE {
            hub.publish(&[2], ServerFrame::CaughtUp);
        }
        assert_eq!(hub.devices_of(2), 0);
        assert_eq!(hub.devices_of(1), 2);
        drop(a1);
        assert_eq!(hub.devices_of(1), 1);
    }
}
