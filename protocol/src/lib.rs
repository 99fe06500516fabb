//! Penguin's wire protocol: everything a client and the server exchange, as plain serde
//! types. This crate has no I/O and no server dependencies so that the browser (wasm),
//! the server and third-party clients (bots, the benchmark) share one definition.

pub mod admin;
pub mod error;
pub mod frames;
pub mod health;
pub mod messages;
pub mod rules;
pub mod social;

pub use error::{ErrorBody, ErrorCode, Locale};
pub use frames::{ClientFrame, Cursor, ServerFrame};
pub use health::{DatabaseBackend, HealthReport, ServerInfo};
pub use messages::{
    ConversationId, ConversationSummary, Destination, Message, SendAck, Seq, Unread,
};
pub use social::*;

/// The version of the protocol described in `docs/PROTOCOL.md`. Bumped on any change a
/// client must know about.
pub const PROTOCOL_VERSION: u32 = 1;
