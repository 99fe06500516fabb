//! The social graph: friends and requests, blocks, user search, QQ groups. Every
//! operation takes the [`Caller`](crate::accounts::Caller) and checks what they may see
//! and do; ids of things the caller may not know about answer "not found".

mod blocks;
mod friends;
pub(crate) mod groups;
mod search;

pub use groups::NewGroup;

use chrono::{DateTime, Utc};
use penguin_protocol::UnixMillis;

pub(crate) fn millis(time: DateTime<Utc>) -> UnixMillis {
    time.timestamp_millis()
}
