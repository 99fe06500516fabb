//! Blocking: a blocked user can neither send the blocker friend requests nor (with the
//! messaging core) messages. Blocking also ends the friendship and pending requests.

use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{block, friend_request, friendship, user};
use crate::error::{DomainError, refuse};
use chrono::Utc;
use penguin_protocol::{ErrorCode, UserId, UserSummary};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

impl Core {
    pub async fn block_user(&self, caller: &Caller, other: UserId) -> Result<(), DomainError> {
        if other == caller.id() {
            return refuse(ErrorCode::BadRequest);
        }
        self.user_summary(other).await?;
        let me = caller.id();
        let txn = self.begin_write().await?;
        block::Entity::insert(block::ActiveModel {
            blocker_id: sea_orm::Set(me),
            blocked_id: sea_orm::Set(other),
            created_at: sea_orm::Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([block::Column::BlockerId, block::Column::BlockedId])
        .exec(&*txn)
        .await?;
        friendship::Entity::delete_many()
            .filter(pair_condition(
                friendship::Column::UserId,
                friendship::Column::FriendId,
                me,
                other,
            ))
            .exec(&*txn)
            .await?;
        friend_request::Entity::delete_many()
            .filter(pair_condition(
                friend_request::Column::FromUserId,
                friend_request::Column::ToUserId,
                me,
                other,
            ))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        tracing::info!(user_id = me, blocked = other, "user blocked");
        Ok(())
    }

    /// Lifts a block. Unblocking someone not blocked is "not found".
    pub async fn unblock_user(&self, caller: &Caller, other: UserId) -> Result<(), DomainError> {
        let result = block::Entity::delete_many()
            .filter(block::Column::BlockerId.eq(caller.id()))
            .filter(block::Column::BlockedId.eq(other))
            .exec(&self.db.conn)
            .await?;
        if result.rows_affected == 0 {
            return refuse(ErrorCode::NotFound);
        }
        Ok(())
    }

    /// The users the caller blocked, most recent first.
    pub async fn blocked_users(&self, caller: &Caller) -> Result<Vec<UserSummary>, DomainError> {
        let blocked: Vec<UserId> = block::Entity::find()
            .filter(block::Column::BlockerId.eq(caller.id()))
            .order_by_desc(block::Column::CreatedAt)
            .select_only()
            .column(block::Column::BlockedId)
            .into_tuple()
            .all(&self.db.conn)
            .await?;
        self.user_summaries(&blocked).await
    }

    /// True when either user blocked the other.
    pub async fn is_blocked_between(&self, a: UserId, b: UserId) -> Result<bool, DomainError> {
        let found = block::Entity::find()
            .filter(pair_condition(
                block::Column::BlockerId,
                block::Column::BlockedId,
                a,
                b,
            ))
            .one(&self.db.conn)
            .await?;
        Ok(found.is_some())
    }

    /// True when `a` may message `b`: they are friends and neither blocked the other.
    /// One query, as it runs before every direct send. (Blocking ends the friendship, but
    /// on PostgreSQL a block and an acceptance that race could leave both rows: the
    /// block wins.)
    pub(crate) async fn may_message(&self, a: UserId, b: UserId) -> Result<bool, DomainError> {
        let blocks = block::Entity::find()
            .select_only()
            .expr(Expr::val(1))
            .filter(pair_condition(
                block::Column::BlockerId,
                block::Column::BlockedId,
                a,
                b,
            ))
            .into_query();
        let found = friendship::Entity::find_by_id((a, b))
            .filter(Expr::not_exists(blocks))
            .one(&self.db.conn)
            .await?;
        Ok(found.is_some())
    }

    /// Summaries of `ids`, in the order given; ids of deleted users are skipped.
    pub(crate) async fn user_summaries(
        &self,
        ids: &[UserId],
    ) -> Result<Vec<UserSummary>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut users: std::collections::HashMap<UserId, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db.conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| users.remove(id).map(UserSummary::from))
            .collect())
    }
}

/// `(x = a AND y = b) OR (x = b AND y = a)`: a relation between two users either way.
pub(crate) fn pair_condition<C: ColumnTrait>(x: C, y: C, a: UserId, b: UserId) -> Condition {
    Condition::any()
        .add(Condition::all().add(x.eq(a)).add(y.eq(b)))
        .add(Condition::all().add(x.eq(b)).add(y.eq(a)))
}
