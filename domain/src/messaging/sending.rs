//! Sending: validate, check the right to post, then in one transaction allocate the next
//! sequence number of the conversation and store the message. The commit is the
//! acknowledgement: on SQLite with `synchronous=FULL` it has reached the disk.

use super::access::get_or_create;
use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{conversation, message};
use crate::error::{DomainError, refuse};
use chrono::Utc;
use penguin_protocol::{Destination, ErrorCode, Message, SendAck, UserId, rules};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// A stored message and who should receive it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub ack: SendAck,
    pub message: Message,
    /// Every member of the conversation, the sender included (their other devices).
    pub recipients: Vec<UserId>,
    /// True when this client id had been sent before: nothing new was stored, and the
    /// original acknowledgement is returned.
    pub duplicate: bool,
}

fn ack_of(message: &Message) -> SendAck {
    SendAck {
        client_id: message.client_id.clone(),
        conversation_id: message.conversation_id,
        seq: message.seq,
        sent_at: message.sent_at,
    }
}

impl Core {
    /// Stores a message from `caller` to `to`. Sending the same `client_id` again (a
    /// retry after a lost acknowledgement) returns the first acknowledgement and stores
    /// nothing.
    pub async fn send_message(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<Sent, DomainError> {
        rules::client_id(client_id)?;
        rules::message_body(body, self.settings.max_message_chars)?;
        if let Some(sent) = self.already_sent(caller.id(), client_id).await? {
            return Ok(sent);
        }
        self.check_may_post(caller, to).await?;

        let txn = self.begin_write().await?;
        let conversation = get_or_create(&txn, caller.id(), to).await?;
        let bumped = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::LastSeq,
                Expr::col(conversation::Column::LastSeq).add(1),
            )
            .filter(conversation::Column::Id.eq(conversation.id))
            .exec_with_returning(&*txn)
            .await?;
        let Some(seq) = bumped.first().map(|c| c.last_seq) else {
            return refuse(ErrorCode::NotFound);
        };
        let stored = message::ActiveModel {
            conversation_id: Set(conversation.id),
            seq: Set(seq),
            sender_id: Set(caller.id()),
            client_id: Set(client_id.to_owned()),
            body: Set(body.to_owned()),
            sent_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await;
        let stored = match stored {
            Ok(stored) => stored,
            Err(error)
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                // The same client id raced in on another connection and won.
                drop(txn);
                return self
                    .already_sent(caller.id(), client_id)
                    .await?
                    .ok_or(DomainError::Database(error));
            }
            Err(error) => return Err(error.into()),
        };
        txn.commit().await?;
        let message = Message::from(stored);
        Ok(Sent {
            ack: ack_of(&message),
            recipients: self.conversation_members(&conversation).await?,
            message,
            duplicate: false,
        })
    }

    /// [`Core::send_message`], then live delivery of a new message to every connected
    /// device of every member (the sender's other devices included).
    pub async fn post_message(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<SendAck, DomainError> {
        let sent = self.send_message(caller, to, client_id, body).await?;
        if !sent.duplicate {
            self.hub.publish(
                &sent.recipients,
                penguin_protocol::ServerFrame::Message {
                    message: sent.message,
                },
            );
        }
        Ok(sent.ack)
    }

    async fn already_sent(
        &self,
        sender: UserId,
        client_id: &str,
    ) -> Result<Option<Sent>, DomainError> {
        let Some(found) = message::Entity::find()
            .filter(message::Column::SenderId.eq(sender))
            .filter(message::Column::ClientId.eq(client_id))
            .one(&self.db.conn)
            .await?
        else {
            return Ok(None);
        };
        let message = Message::from(found);
        Ok(Some(Sent {
            ack: ack_of(&message),
            message,
            recipients: Vec::new(),
            duplicate: true,
        }))
    }
}
