//! Who is online, on this node or (on a cluster) any node, and telling friends when
//! someone goes offline. Presence goes to friends only.

use crate::core::Core;
use crate::entity::friendship;
use crate::error::DomainError;
use penguin_protocol::{ServerFrame, UserId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use tokio::sync::mpsc;

impl Core {
    /// Which of `users` have a device connected to any node.
    pub async fn online_among(&self, users: &[UserId]) -> HashSet<UserId> {
        let mut online: HashSet<UserId> = users
            .iter()
            .copied()
            .filter(|user| self.hub.is_online(*user))
            .collect();
        if let Some(cluster) = &self.cluster {
            let elsewhere: Vec<UserId> = users
                .iter()
                .copied()
                .filter(|user| !online.contains(user))
                .collect();
            online.extend(cluster.online_elsewhere(&elsewhere).await);
        }
        online
    }

    /// The ids of `user`'s friends.
    pub async fn friend_ids_of(&self, user: UserId) -> Result<Vec<UserId>, DomainError> {
        Ok(friendship::Entity::find()
            .select_only()
            .column(friendship::Column::FriendId)
            .filter(friendship::Column::UserId.eq(user))
            .into_tuple()
            .all(&self.db.conn)
            .await?)
    }

    /// Tells `user`'s friends they went offline, unless a device of theirs is still
    /// connected somewhere. Called when their last device on this node left.
    ///
    /// Two last devices leaving two nodes at once would each still see the other: when
    /// another node says the user is online, look again once its heartbeat has had time
    /// to catch up, and announce then if they are gone (a repeated "offline" is harmless).
    pub async fn announce_if_offline(&self, user: UserId) {
        if self.hub.is_online(user) {
            return;
        }
        if !self.online_among(&[user]).await.contains(&user) {
            self.announce_offline(user).await;
            return;
        }
        let Some(cluster) = &self.cluster else { return };
        let again = cluster.settings_heartbeat() * 3;
        let core = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(again).await;
            if !core.online_among(&[user]).await.contains(&user) {
                core.announce_offline(user).await;
            }
        });
    }

    async fn announce_offline(&self, user: UserId) {
        match self.friend_ids_of(user).await {
            Ok(friends) => self.hub.publish(
                &friends,
                ServerFrame::Presence {
                    user_id: user,
                    online: false,
                },
            ),
            Err(error) => tracing::warn!(%error, "presence: could not list friends"),
        }
    }

    /// The users of nodes that went silent: announce those not connected elsewhere.
    pub(crate) async fn announce_reaped(self, mut reaped: mpsc::UnboundedReceiver<Vec<UserId>>) {
        while let Some(users) = reaped.recv().await {
            let online = self.online_among(&users).await;
            for user in users.into_iter().filter(|user| !online.contains(user)) {
                self.announce_offline(user).await;
            }
        }
    }
}
