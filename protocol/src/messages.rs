//! Conversations and messages as they travel to clients. The WebSocket frames that carry
//! them (issue #5) wrap these types.

use crate::social::{GroupId, UnixMillis, UserId};
use serde::{Deserialize, Serialize};

pub type ConversationId = i64;
/// A message's place in its conversation: 1, 2, 3, … with no gaps, assigned by the
/// server at commit. Every member sees the same order.
pub type Seq = i64;

/// The largest message, in characters, unless the server is configured otherwise.
pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 4000;
/// The longest client message id (clients use a UUID or similar).
pub const MAX_CLIENT_ID_CHARS: usize = 64;

/// Where a message goes, as the sender names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// The one-to-one conversation with a friend.
    Direct { user_id: UserId },
    /// A QQ group's conversation.
    Group { group_id: GroupId },
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub conversation_id: ConversationId,
    pub seq: Seq,
    pub sender_id: UserId,
    /// The id the sending client chose: lets it match the acknowledgement and its
    /// optimistic copy.
    pub client_id: String,
    pub body: String,
    /// The server's clock at commit.
    pub sent_at: UnixMillis,
}

/// The server's answer to a send: the message is durable. Sending the same client id
/// again returns the same acknowledgement and stores nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAck {
    pub client_id: String,
    pub conversation_id: ConversationId,
    pub seq: Seq,
    pub sent_at: UnixMillis,
}

/// A conversation with messages the user has not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub conversation_id: ConversationId,
    /// The newest message's sequence number.
    pub last_seq: Seq,
    /// How many messages after the user's read position.
    pub count: i64,
}

/// One of the user's conversations, for the contact panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: ConversationId,
    /// The friend or group it is with, as a `send` would name it.
    pub with: Destination,
    pub last_seq: Seq,
    /// The user's read position (unread = `last_seq - read_seq`).
    pub read_seq: Seq,
    pub last_message: Option<Message>,
}
