//! sea-orm entities, one module per table. The schema itself is defined by the
//! migrations in `crate::migration`; these mirror it.

pub mod block;
pub mod conversation;
pub mod email_code;
pub mod friend_request;
pub mod friendship;
pub mod group;
pub mod group_member;
pub mod message;
pub mod read_position;
pub mod session;
pub mod user;
