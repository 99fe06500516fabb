//! Sending: validate, check the right to post, then hand the message to the group-commit
//! writer, which allocates the next sequence number of the conversation and stores it in
//! a transaction shared with the other sends waiting at that moment. The commit is the
//! acknowledgement: on SQLite with `synchronous=FULL` it has reached the disk.

use super::group_commit::{Job, Stored};
use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::message;
use crate::error::DomainError;
use penguin_protocol::{Destination, ErrorCode, Message, SendAck, UserId, rules};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

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

        let (reply, answer) = tokio::sync::oneshot::channel();
        self.committer
            .store(Job {
                sender: caller.id(),
                to,
                client_id: client_id.to_owned(),
                body: body.to_owned(),
                reply,
            })
            .await?;
        let stored = answer
            .await
            .map_err(|_| DomainError::Refused(ErrorCode::Unavailable))??;
        let (stored, conversation) = match stored {
            Stored::New(stored, conversation) => (stored, conversation),
            // The same client id raced in (another tab, a retry) and won.
            Stored::Duplicate => {
                return self
                    .already_sent(caller.id(), client_id)
                    .await?
                    .ok_or(DomainError::Refused(ErrorCode::Internal));
            }
        };
        let message = Message::from(stored);
        Ok(Sent {
            ack: ack_of(&message),
            recipients: self.conversation_members(&conversation).await?,
            message,
            duplicate: false,
        })
    }

    /// A user's send, over either transport: within the user's send budget (else
    /// `rate_limited`, before anything is read or stored), [`Core::send_message`], then
    /// live delivery of a new message to every connected device of every member (the
    /// sender's other devices included).
    pub async fn post_message(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<SendAck, DomainError> {
        self.send_limiter.admit(caller.id())?;
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

    /// (transactions, messages) committed by the group-commit writer so far.
    pub fn commit_stats(&self) -> (u64, u64) {
        self.committer.stats()
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
