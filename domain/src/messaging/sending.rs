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
use tokio::sync::oneshot;

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

/// A send the writer has queued (or an earlier send of the same client id), not yet
/// committed. Sends queued one after another from one place are stored in that order:
/// the writer takes them first in, first out. So a connection can queue its next send
/// before the previous one is committed, and one socket's sends share commits.
#[must_use = "a queued send is only acknowledged once awaited"]
pub struct QueuedSend {
    core: Core,
    sender: UserId,
    client_id: String,
    state: Queued,
}

enum Queued {
    /// Sent before: nothing new is stored.
    Known(Box<Sent>),
    Waiting(oneshot::Receiver<Result<Stored, DomainError>>),
}

impl QueuedSend {
    /// Waits for the commit: the message is durable when this returns `Ok`.
    pub async fn stored(self) -> Result<Sent, DomainError> {
        let answer = match self.state {
            Queued::Known(sent) => return Ok(*sent),
            Queued::Waiting(answer) => answer,
        };
        let stored = answer
            .await
            .map_err(|_| DomainError::Refused(ErrorCode::Unavailable))??;
        let (stored, conversation) = match stored {
            Stored::New(stored, conversation) => (stored, conversation),
            // A retry of this client id, or the same id raced in from another tab: the
            // first send's acknowledgement.
            Stored::Duplicate => {
                return self
                    .core
                    .already_sent(self.sender, &self.client_id)
                    .await?
                    .ok_or(DomainError::Refused(ErrorCode::Internal));
            }
        };
        let message = Message::from(stored);
        Ok(Sent {
            ack: ack_of(&message),
            recipients: self.core.conversation_members(&conversation).await?,
            message,
            duplicate: false,
        })
    }

    /// [`QueuedSend::stored`], then live delivery of a new message to every connected
    /// device of every member (the sender's other devices included).
    pub async fn published(self) -> Result<SendAck, DomainError> {
        let core = self.core.clone();
        let sent = self.stored().await?;
        if !sent.duplicate {
            core.hub.publish(
                &sent.recipients,
                penguin_protocol::ServerFrame::Message {
                    message: sent.message,
                },
            );
        }
        Ok(sent.ack)
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
        self.queue_message(caller, to, client_id, body)
            .await?
            .stored()
            .await
    }

    /// Validates the send and the right to post, then queues it for the writer.
    ///
    /// A retried client id is not looked up here: the writer finds it (the unique key
    /// of sender and client id) and [`QueuedSend::stored`] reads the first send back, so
    /// the common case costs no lookup. Only when posting is refused is it looked up
    /// first: a retry of a send that was stored before the refusal (unfriended since,
    /// say) still gets its acknowledgement.
    pub async fn queue_message(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<QueuedSend, DomainError> {
        rules::client_id(client_id)?;
        rules::message_body(body, self.settings.max_message_chars)?;
        let queued = |state| QueuedSend {
            core: self.clone(),
            sender: caller.id(),
            client_id: client_id.to_owned(),
            state,
        };
        if let Err(refused) = self.check_may_post(caller, to).await {
            if refused.is_refusal()
                && let Some(sent) = self.already_sent(caller.id(), client_id).await?
            {
                return Ok(queued(Queued::Known(Box::new(sent))));
            }
            return Err(refused);
        }
        let (reply, answer) = oneshot::channel();
        self.committer
            .store(Job {
                sender: caller.id(),
                to,
                client_id: client_id.to_owned(),
                body: body.to_owned(),
                reply,
            })
            .await?;
        Ok(queued(Queued::Waiting(answer)))
    }

    /// A user's send, over either transport: within the user's send budget (else
    /// `rate_limited`, before anything is read or stored), [`Core::queue_message`]. Await
    /// [`QueuedSend::published`] for the acknowledgement and live delivery.
    pub async fn queue_post(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<QueuedSend, DomainError> {
        self.send_limiter.admit(caller.id())?;
        self.queue_message(caller, to, client_id, body).await
    }

    /// [`Core::queue_post`] and [`QueuedSend::published`] in one.
    pub async fn post_message(
        &self,
        caller: &Caller,
        to: Destination,
        client_id: &str,
        body: &str,
    ) -> Result<SendAck, DomainError> {
        self.queue_post(caller, to, client_id, body)
            .await?
            .published()
            .await
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
