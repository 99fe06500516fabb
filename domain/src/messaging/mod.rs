//! Conversations and messages: who may post where, durable idempotent sends with a
//! gap-free per-conversation sequence, catch-up, history pages and read positions.
//! The WebSocket hub (issue #5) sits on top of this.

mod access;
pub(crate) mod group_commit;
mod poll;
mod reading;
mod send_limit;
mod sending;

pub use poll::MAX_POLL_WAIT;
pub(crate) use send_limit::SendLimiter;
pub use send_limit::SendLimits;
pub use sending::{QueuedSend, Sent};

use crate::entity::message;
use penguin_protocol::Message;

/// The most messages one page of history or catch-up returns.
pub const MAX_PAGE: u64 = 200;

impl From<message::Model> for Message {
    fn from(m: message::Model) -> Self {
        Self {
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender_id: m.sender_id,
            client_id: m.client_id,
            body: m.body,
            sent_at: crate::social::millis(m.sent_at),
        }
    }
}
