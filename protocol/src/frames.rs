//! WebSocket frames (`GET /ws`), JSON text messages tagged by `type`. docs/PROTOCOL.md
//! describes the conversation between a client and the server.

use crate::error::ErrorCode;
use crate::messages::{ConversationId, Destination, Message, SendAck, Seq};
use crate::social::{GroupId, UserId};
use serde::{Deserialize, Serialize};

/// The frame format's version, sent in `hello` and `welcome`.
pub const FRAME_VERSION: u32 = 1;

/// The largest frame the server reads, in bytes (a 4,000-character message in JSON
/// fits with room to spare).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// How far the client has seen one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub conversation_id: ConversationId,
    /// The newest sequence number the client holds (0: none).
    pub seq: Seq,
}

/// From the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// First frame of every connection: the frame version and where the client is.
    /// Conversations without a cursor catch up from the user's read position.
    Hello {
        v: u32,
        #[serde(default)]
        cursors: Vec<Cursor>,
    },
    /// A new message. `client_id` makes a resend after a lost `ack` harmless.
    Send {
        client_id: String,
        to: Destination,
        body: String,
    },
    /// The user is typing to `to`. Send it at most every few seconds while typing; the
    /// server drops repeats within 2 s and stores nothing.
    Typing { to: Destination },
    /// The user has read `conversation_id` up to `seq`.
    MarkRead {
        conversation_id: ConversationId,
        seq: Seq,
    },
}

/// From the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to `hello`.
    Welcome { v: u32, user_id: UserId },
    /// A message: missed ones during catch-up, then new ones live. Per conversation they
    /// arrive in `seq` order, without gaps or repeats on one connection.
    Message { message: Message },
    /// Catch-up for the `hello` is complete; everything after this is live.
    CaughtUp,
    /// The `send` with this `client_id` is stored durably.
    Ack { ack: SendAck },
    /// The user's read position of a conversation moved (on any of their devices).
    Read {
        conversation_id: ConversationId,
        seq: Seq,
    },
    /// A friend came online (first device) or went offline (last device). Right after
    /// `welcome`, one `presence` frame per friend online at that moment.
    Presence { user_id: UserId, online: bool },
    /// `user_id` is typing, to the receiving user (`group_id: null`) or in a group.
    Typing {
        user_id: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_id: Option<GroupId>,
    },
    /// A frame was refused; `client_id` names the `send` it answers, if any. The
    /// connection stays open.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_json() {
        let frame: ClientFrame = serde_json::from_str(
            r#"{"type":"send","client_id":"c1","to":{"kind":"direct","user_id":2},"body":"hi"}"#,
        )
        .unwrap();
        assert_eq!(
            frame,
            ClientFrame::Send {
                client_id: "c1".into(),
                to: Destination::Direct { user_id: 2 },
                body: "hi".into()
            }
        );
        let hello: ClientFrame = serde_json::from_str(r#"{"type":"hello","v":1}"#).unwrap();
        assert_eq!(
            hello,
            ClientFrame::Hello {
                v: 1,
                cursors: vec![]
            }
        );
        let json = serde_json::to_string(&ServerFrame::CaughtUp).unwrap();
        assert_eq!(json, r#"{"type":"caught_up"}"#);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"nope"}"#).is_err());
    }
}
