//! Reading: catch-up after a sequence number, older history before one (keyset pages on
//! the `(conversation_id, seq)` index), read positions and unread counts.

use super::MAX_PAGE;
use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{conversation, group_member, message, read_position};
use crate::error::DomainError;
use penguin_protocol::{ConversationId, ConversationSummary, Destination, Message, Seq, Unread};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::collections::HashMap;

impl Core {
    /// Messages with `seq > after`, oldest first, at most `limit` (capped at
    /// [`MAX_PAGE`]): what a client that has seen up to `after` missed. Ask again from
    /// the last one until a page comes back short.
    pub async fn messages_after(
        &self,
        caller: &Caller,
        conversation_id: ConversationId,
        after: Seq,
        limit: u64,
    ) -> Result<Vec<Message>, DomainError> {
        self.readable_conversation(caller, conversation_id).await?;
        let page = message::Entity::find()
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Seq.gt(after))
            .order_by_asc(message::Column::Seq)
            .limit(limit.clamp(1, MAX_PAGE))
            .all(&self.db.conn)
            .await?;
        Ok(page.into_iter().map(Message::from).collect())
    }

    /// The page of history just before `before` (the newest page when `None`), oldest
    /// first.
    pub async fn messages_before(
        &self,
        caller: &Caller,
        conversation_id: ConversationId,
        before: Option<Seq>,
        limit: u64,
    ) -> Result<Vec<Message>, DomainError> {
        self.readable_conversation(caller, conversation_id).await?;
        let mut query =
            message::Entity::find().filter(message::Column::ConversationId.eq(conversation_id));
        if let Some(before) = before {
            query = query.filter(message::Column::Seq.lt(before));
        }
        let mut page = query
            .order_by_desc(message::Column::Seq)
            .limit(limit.clamp(1, MAX_PAGE))
            .all(&self.db.conn)
            .await?;
        page.reverse();
        Ok(page.into_iter().map(Message::from).collect())
    }

    /// Records that the caller has read up to `seq` (never moves backwards, never past
    /// the newest message), and tells every device of the caller. Returns the stored
    /// position.
    pub async fn mark_read(
        &self,
        caller: &Caller,
        conversation_id: ConversationId,
        seq: Seq,
    ) -> Result<Seq, DomainError> {
        let conversation = self.readable_conversation(caller, conversation_id).await?;
        let seq = seq.clamp(0, conversation.last_seq);
        let me = caller.id();
        let txn = self.begin_write().await?;
        let advance = || {
            read_position::Entity::update_many()
                .col_expr(read_position::Column::LastReadSeq, Expr::value(seq))
                .filter(read_position::Column::UserId.eq(me))
                .filter(read_position::Column::ConversationId.eq(conversation_id))
                .filter(read_position::Column::LastReadSeq.lt(seq))
        };
        if advance().exec(&*txn).await?.rows_affected == 0 {
            read_position::Entity::insert(read_position::ActiveModel {
                user_id: Set(me),
                conversation_id: Set(conversation_id),
                last_read_seq: Set(seq),
            })
            .on_conflict_do_nothing_on([
                read_position::Column::UserId,
                read_position::Column::ConversationId,
            ])
            .exec(&*txn)
            .await?;
            // A row that appeared meanwhile (another tab) may hold a smaller value.
            advance().exec(&*txn).await?;
        }
        let stored = read_position::Entity::find_by_id((me, conversation_id))
            .one(&*txn)
            .await?
            .map_or(seq, |p| p.last_read_seq);
        txn.commit().await?;
        self.hub.publish(
            &[me],
            penguin_protocol::ServerFrame::Read {
                conversation_id,
                seq: stored,
            },
        );
        Ok(stored)
    }

    /// Every conversation of the caller with unread messages.
    pub async fn unread_counts(&self, caller: &Caller) -> Result<Vec<Unread>, DomainError> {
        let conversations = self.my_conversations(caller).await?;
        let read = self.my_read_positions(caller).await?;
        let mut unread: Vec<Unread> = conversations
            .into_iter()
            .filter_map(|c| {
                let count = c.last_seq - read.get(&c.id).copied().unwrap_or(0);
                (count > 0).then_some(Unread {
                    conversation_id: c.id,
                    last_seq: c.last_seq,
                    count,
                })
            })
            .collect();
        unread.sort_by_key(|u| u.conversation_id);
        Ok(unread)
    }
}

impl Core {
    /// Every conversation of the caller with their read position in it: where catch-up
    /// starts for conversations a client has no cursor for.
    pub async fn conversation_positions(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(ConversationId, Seq)>, DomainError> {
        let read = self.my_read_positions(caller).await?;
        Ok(self
            .my_conversations(caller)
            .await?
            .into_iter()
            .map(|c| (c.id, read.get(&c.id).copied().unwrap_or(0)))
            .collect())
    }

    /// The caller's conversations for the contact panel, the most recent first, each
    /// with its newest message.
    pub async fn conversations(
        &self,
        caller: &Caller,
    ) -> Result<Vec<ConversationSummary>, DomainError> {
        let me = caller.id();
        let conversations = self.my_conversations(caller).await?;
        let read = self.my_read_positions(caller).await?;
        let mut last_messages: HashMap<ConversationId, Message> = HashMap::new();
        if !conversations.is_empty() {
            let mut newest = Condition::any();
            for c in conversations.iter().filter(|c| c.last_seq > 0) {
                newest = newest.add(
                    Condition::all()
                        .add(message::Column::ConversationId.eq(c.id))
                        .add(message::Column::Seq.eq(c.last_seq)),
                );
            }
            if !newest.is_empty() {
                last_messages = message::Entity::find()
                    .filter(newest)
                    .all(&self.db.conn)
                    .await?
                    .into_iter()
                    .map(|m| (m.conversation_id, Message::from(m)))
                    .collect();
            }
        }
        let mut summaries: Vec<ConversationSummary> = conversations
            .into_iter()
            .filter_map(|c| {
                let with = match (c.group_id, c.user_low, c.user_high) {
                    (Some(group_id), _, _) => Destination::Group { group_id },
                    (None, Some(low), Some(high)) => Destination::Direct {
                        user_id: if low == me { high } else { low },
                    },
                    _ => return None,
                };
                Some(ConversationSummary {
                    id: c.id,
                    with,
                    last_seq: c.last_seq,
                    read_seq: read.get(&c.id).copied().unwrap_or(0),
                    last_message: last_messages.remove(&c.id),
                })
            })
            .collect();
        summaries
            .sort_by_key(|s| std::cmp::Reverse(s.last_message.as_ref().map_or(0, |m| m.sent_at)));
        Ok(summaries)
    }

    /// Direct conversations of the caller and those of the groups they are in.
    async fn my_conversations(
        &self,
        caller: &Caller,
    ) -> Result<Vec<conversation::Model>, DomainError> {
        let me = caller.id();
        let my_groups = group_member::Entity::find()
            .filter(group_member::Column::UserId.eq(me))
            .select_only()
            .column(group_member::Column::GroupId)
            .into_query();
        Ok(conversation::Entity::find()
            .filter(
                Condition::any()
                    .add(conversation::Column::UserLow.eq(me))
                    .add(conversation::Column::UserHigh.eq(me))
                    .add(conversation::Column::GroupId.in_subquery(my_groups)),
            )
            .all(&self.db.conn)
            .await?)
    }

    async fn my_read_positions(
        &self,
        caller: &Caller,
    ) -> Result<HashMap<ConversationId, Seq>, DomainError> {
        Ok(read_position::Entity::find()
            .filter(read_position::Column::UserId.eq(caller.id()))
            .all(&self.db.conn)
            .await?
            .into_iter()
            .map(|p| (p.conversation_id, p.last_read_seq))
            .collect())
    }

    /// The caller's read position in one conversation they may read (0: nothing read).
    pub async fn read_position(
        &self,
        caller: &Caller,
        conversation_id: ConversationId,
    ) -> Result<Seq, DomainError> {
        self.readable_conversation(caller, conversation_id).await?;
        Ok(
            read_position::Entity::find_by_id((caller.id(), conversation_id))
                .one(&self.db.conn)
                .await?
                .map_or(0, |p| p.last_read_seq),
        )
    }
}
