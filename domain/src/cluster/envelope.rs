//! What travels on the bus: JSON, tagged by `kind`, naming the node that sent it (every
//! node also receives its own publications and skips them).

use penguin_protocol::{ServerFrame, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Outgoing<'a> {
    /// Deliver `frame` to the devices of `users`.
    Frame {
        node: &'a str,
        users: &'a [UserId],
        frame: &'a ServerFrame,
    },
    /// `users` (everyone, when absent) may have missed frames: resync their devices.
    Resync {
        node: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        users: Option<&'a [UserId]>,
    },
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Incoming {
    Frame {
        node: String,
        users: Vec<UserId>,
        frame: ServerFrame,
    },
    Resync {
        node: String,
        #[serde(default)]
        users: Option<Vec<UserId>>,
    },
}

impl Incoming {
    pub(super) fn node(&self) -> &str {
        match self {
            Self::Frame { node, .. } | Self::Resync { node, .. } => node,
        }
    }
}

pub(super) fn encode(envelope: &Outgoing<'_>) -> Vec<u8> {
    // Serializing these types cannot fail: no maps with non-string keys, no I/O.
    serde_json::to_vec(envelope).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip() {
        let frame = ServerFrame::Presence {
            user_id: 7,
            online: true,
        };
        let bytes = encode(&Outgoing::Frame {
            node: "a",
            users: &[1, 2],
            frame: &frame,
        });
        let back: Incoming = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            back,
            Incoming::Frame {
                node: "a".into(),
                users: vec![1, 2],
                frame
            }
        );
        let bytes = encode(&Outgoing::Resync {
            node: "b",
            users: None,
        });
        let back: Incoming = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            back,
            Incoming::Resync {
                node: "b".into(),
                users: None
            }
        );
        assert_eq!(back.node(), "b");
    }
}
