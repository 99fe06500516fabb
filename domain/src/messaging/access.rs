//! Who may read and post in a conversation.
//!
//! Direct: the two users read their history for as long as both accounts exist; posting
//! needs them to be friends with no block either way. Group: members read and post;
//! anyone else (a stranger, a removed member) gets "not found".

use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{conversation, group_member};
use crate::error::{DomainError, refuse};
use chrono::Utc;
use penguin_protocol::{ConversationId, Destination, ErrorCode, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub(super) const DIRECT: &str = "direct";
pub(super) const GROUP: &str = "group";

impl Core {
    /// The conversation `caller` may read, or "not found".
    pub(crate) async fn readable_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<conversation::Model, DomainError> {
        let Some(found) = conversation::Entity::find_by_id(id)
            .one(&self.db.conn)
            .await?
        else {
            return refuse(ErrorCode::NotFound);
        };
        let me = caller.id();
        let allowed = match found.group_id {
            Some(group_id) => self.is_group_member(group_id, me).await?,
            None => found.user_low == Some(me) || found.user_high == Some(me),
        };
        if allowed {
            Ok(found)
        } else {
            refuse(ErrorCode::NotFound)
        }
    }

    /// Checks that `caller` may post to `to` (before any write).
    pub(super) async fn check_may_post(
        &self,
        caller: &Caller,
        to: Destination,
    ) -> Result<(), DomainError> {
        let me = caller.id();
        match to {
            // One query when the send is allowed; the reason is looked up only when not.
            Destination::Direct { user_id } => {
                if !self.may_message(me, user_id).await? {
                    self.user_summary(user_id).await?;
                    if self.is_blocked_between(me, user_id).await? {
                        return refuse(ErrorCode::Blocked);
                    }
                    return refuse(ErrorCode::NotFriends);
                }
            }
            Destination::Group { group_id } => {
                if !self.is_group_member(group_id, me).await? {
                    return refuse(ErrorCode::NotFound);
                }
            }
        }
        Ok(())
    }

    /// Everyone who receives what is posted in `conversation` (for delivery).
    pub async fn conversation_members(
        &self,
        conversation: &conversation::Model,
    ) -> Result<Vec<UserId>, DomainError> {
        Ok(match conversation.group_id {
            Some(group_id) => group_member::Entity::find()
                .filter(group_member::Column::GroupId.eq(group_id))
                .all(&self.db.conn)
                .await?
                .into_iter()
                .map(|m| m.user_id)
                .collect(),
            None => conversation
                .user_low
                .into_iter()
                .chain(conversation.user_high)
                .collect(),
        })
    }
}

/// Takes the next sequence number of the conversation for `to` (created on first use)
/// and returns the conversation as updated: its `last_seq` is the new message's seq.
/// One statement when the conversation exists, which is every send but the first.
pub(super) async fn next_seq(
    txn: &impl ConnectionTrait,
    me: UserId,
    to: Destination,
) -> Result<conversation::Model, DomainError> {
    let (kind, low, high, group) = match to {
        Destination::Direct { user_id } => (
            DIRECT,
            Some(Ord::min(me, user_id)),
            Some(Ord::max(me, user_id)),
            None,
        ),
        Destination::Group { group_id } => (GROUP, None, None, Some(group_id)),
    };
    let bump = || async {
        let update = conversation::Entity::update_many().col_expr(
            conversation::Column::LastSeq,
            Expr::col(conversation::Column::LastSeq).add(1),
        );
        let update = match group {
            Some(group_id) => update.filter(conversation::Column::GroupId.eq(group_id)),
            None => update
                .filter(conversation::Column::UserLow.eq(low))
                .filter(conversation::Column::UserHigh.eq(high)),
        };
        Ok::<_, DomainError>(update.exec_with_returning(txn).await?.into_iter().next())
    };
    if let Some(bumped) = bump().await? {
        return Ok(bumped);
    }
    let conflict_columns = if group.is_some() {
        vec![conversation::Column::GroupId]
    } else {
        vec![
            conversation::Column::UserLow,
            conversation::Column::UserHigh,
        ]
    };
    conversation::Entity::insert(conversation::ActiveModel {
        kind: Set(kind.to_owned()),
        user_low: Set(low),
        user_high: Set(high),
        group_id: Set(group),
        last_seq: Set(0),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on(conflict_columns)
    .exec(txn)
    .await?;
    match bump().await? {
        Some(bumped) => Ok(bumped),
        None => refuse(ErrorCode::NotFound),
    }
}
