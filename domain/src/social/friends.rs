//! Friend requests and friendships. A friendship is mutual by construction: it is
//! created by the addressee accepting (or by two users asking each other) and stored as
//! two rows written in one transaction.

use super::blocks::pair_condition;
use super::millis;
use crate::accounts::Caller;
use crate::core::{Core, WriteTxn};
use crate::entity::{friend_request, friendship};
use crate::error::{DomainError, refuse};
use chrono::Utc;
use penguin_protocol::DatabaseBackend;
use penguin_protocol::{
    ErrorCode, Friend, FriendRequest, FriendRequestId, FriendRequestOutcome, FriendRequests, UserId,
};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

impl Core {
    /// Asks `to` to be friends. Asking again while pending is harmless; if `to` had
    /// already asked the caller, they become friends at once.
    pub async fn send_friend_request(
        &self,
        caller: &Caller,
        to: UserId,
    ) -> Result<FriendRequestOutcome, DomainError> {
        let me = caller.id();
        if to == me {
            return refuse(ErrorCode::CannotFriendYourself);
        }
        self.user_summary(to).await?;
        if self.is_blocked_between(me, to).await? {
            return refuse(ErrorCode::Blocked);
        }
        let txn = self.begin_write().await?;
        self.lock_pair(&txn, me, to).await?;
        if are_friends(&txn, me, to).await? {
            return refuse(ErrorCode::AlreadyFriends);
        }
        let reverse = friend_request::Entity::find()
            .filter(friend_request::Column::FromUserId.eq(to))
            .filter(friend_request::Column::ToUserId.eq(me))
            .one(&*txn)
            .await?;
        if reverse.is_some() {
            befriend(&txn, me, to).await?;
            txn.commit().await?;
            tracing::info!(user_id = me, friend = to, "mutual requests: now friends");
            return Ok(FriendRequestOutcome::BecameFriends);
        }
        friend_request::Entity::insert(friend_request::ActiveModel {
            from_user_id: Set(me),
            to_user_id: Set(to),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([
            friend_request::Column::FromUserId,
            friend_request::Column::ToUserId,
        ])
        .exec(&*txn)
        .await?;
        txn.commit().await?;
        Ok(FriendRequestOutcome::Sent)
    }

    /// Accepts or declines a request addressed to the caller. Anyone else's request id
    /// (or an answered one) is "not found".
    pub async fn answer_friend_request(
        &self,
        caller: &Caller,
        request: FriendRequestId,
        accept: bool,
    ) -> Result<(), DomainError> {
        let me = caller.id();
        let txn = self.begin_write().await?;
        let Some(found) = friend_request::Entity::find_by_id(request)
            .filter(friend_request::Column::ToUserId.eq(me))
            .one(&*txn)
            .await?
        else {
            return refuse(ErrorCode::NotFound);
        };
        if accept {
            // A block placed after the request was sent wins over it.
            let blocked = crate::entity::block::Entity::find()
                .filter(pair_condition(
                    crate::entity::block::Column::BlockerId,
                    crate::entity::block::Column::BlockedId,
                    me,
                    found.from_user_id,
                ))
                .one(&*txn)
                .await?
                .is_some();
            if blocked {
                return refuse(ErrorCode::Blocked);
            }
            befriend(&txn, me, found.from_user_id).await?;
        } else {
            friend_request::Entity::delete_by_id(found.id)
                .exec(&*txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Withdraws a request the caller sent.
    pub async fn cancel_friend_request(
        &self,
        caller: &Caller,
        request: FriendRequestId,
    ) -> Result<(), DomainError> {
        let result = friend_request::Entity::delete_many()
            .filter(friend_request::Column::Id.eq(request))
            .filter(friend_request::Column::FromUserId.eq(caller.id()))
            .exec(&self.db.conn)
            .await?;
        if result.rows_affected == 0 {
            return refuse(ErrorCode::NotFound);
        }
        Ok(())
    }

    /// Pending requests to and from the caller, newest first.
    pub async fn friend_requests(&self, caller: &Caller) -> Result<FriendRequests, DomainError> {
        let me = caller.id();
        let pending = friend_request::Entity::find()
            .filter(
                friend_request::Column::FromUserId
                    .eq(me)
                    .or(friend_request::Column::ToUserId.eq(me)),
            )
            .order_by_desc(friend_request::Column::CreatedAt)
            .order_by_desc(friend_request::Column::Id)
            .all(&self.db.conn)
            .await?;
        let others: Vec<UserId> = pending
            .iter()
            .map(|r| {
                if r.from_user_id == me {
                    r.to_user_id
                } else {
                    r.from_user_id
                }
            })
            .collect();
        let users: std::collections::HashMap<_, _> = self
            .user_summaries(&others)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let mut requests = FriendRequests::default();
        for request in pending {
            let outgoing = request.from_user_id == me;
            let other = if outgoing {
                request.to_user_id
            } else {
                request.from_user_id
            };
            let Some(user) = users.get(&other).cloned() else {
                continue;
            };
            let entry = FriendRequest {
                id: request.id,
                user,
                created_at: millis(request.created_at),
            };
            if outgoing {
                requests.outgoing.push(entry);
            } else {
                requests.incoming.push(entry);
            }
        }
        Ok(requests)
    }

    /// The caller's friends, by display name.
    pub async fn friends(&self, caller: &Caller) -> Result<Vec<Friend>, DomainError> {
        let rows = friendship::Entity::find()
            .filter(friendship::Column::UserId.eq(caller.id()))
            .all(&self.db.conn)
            .await?;
        let ids: Vec<UserId> = rows.iter().map(|r| r.friend_id).collect();
        let since: std::collections::HashMap<_, _> =
            rows.iter().map(|r| (r.friend_id, r.created_at)).collect();
        let mut friends: Vec<Friend> = self
            .user_summaries(&ids)
            .await?
            .into_iter()
            .map(|user| Friend {
                since: since.get(&user.id).map_or(0, |t| millis(*t)),
                user,
            })
            .collect();
        friends.sort_by(|a, b| {
            a.user
                .display_name
                .to_lowercase()
                .cmp(&b.user.display_name.to_lowercase())
                .then(a.user.id.cmp(&b.user.id))
        });
        Ok(friends)
    }

    /// Ends a friendship, for both sides. Someone who is not a friend is "not found".
    pub async fn remove_friend(&self, caller: &Caller, other: UserId) -> Result<(), DomainError> {
        let result = friendship::Entity::delete_many()
            .filter(pair_condition(
                friendship::Column::UserId,
                friendship::Column::FriendId,
                caller.id(),
                other,
            ))
            .exec(&self.db.conn)
            .await?;
        if result.rows_affected == 0 {
            return refuse(ErrorCode::NotFound);
        }
        tracing::info!(user_id = caller.id(), friend = other, "friend removed");
        Ok(())
    }

    /// True when `a` and `b` are friends (for the messaging core and group invitations).
    pub async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, DomainError> {
        Ok(friendship::Entity::find_by_id((a, b))
            .one(&self.db.conn)
            .await?
            .is_some())
    }
}

impl Core {
    /// Serializes changes between two users: A asking B while B asks A must end as
    /// friends, not as two pending requests. On PostgreSQL the two user rows are locked
    /// (in id order, so two such transactions cannot deadlock); on SQLite the write gate
    /// already lets one transaction write at a time.
    async fn lock_pair(&self, txn: &WriteTxn, a: UserId, b: UserId) -> Result<(), DomainError> {
        if self.db.backend == DatabaseBackend::Postgres {
            crate::entity::user::Entity::find()
                .filter(crate::entity::user::Column::Id.is_in([Ord::min(a, b), Ord::max(a, b)]))
                .order_by_asc(crate::entity::user::Column::Id)
                .lock_exclusive()
                .all(&**txn)
                .await?;
        }
        Ok(())
    }
}

async fn are_friends(txn: &WriteTxn, a: UserId, b: UserId) -> Result<bool, DomainError> {
    Ok(friendship::Entity::find_by_id((a, b))
        .one(&**txn)
        .await?
        .is_some())
}

/// Both rows of the friendship, and no pending request left either way.
async fn befriend(txn: &WriteTxn, a: UserId, b: UserId) -> Result<(), DomainError> {
    let now = Utc::now();
    let row = |user_id, friend_id| friendship::ActiveModel {
        user_id: Set(user_id),
        friend_id: Set(friend_id),
        created_at: Set(now),
    };
    friendship::Entity::insert_many([row(a, b), row(b, a)])
        .on_conflict_do_nothing_on([friendship::Column::UserId, friendship::Column::FriendId])
        .exec(&**txn)
        .await?;
    friend_request::Entity::delete_many()
        .filter(pair_condition(
            friend_request::Column::FromUserId,
            friend_request::Column::ToUserId,
            a,
            b,
        ))
        .exec(&**txn)
        .await?;
    Ok(())
}
