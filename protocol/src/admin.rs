//! What administrators see: the /admin page and `penguin admin list-*` (as `--json`).

use crate::{GroupId, UserId};
use serde::{Deserialize, Serialize};

/// One account, as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// One group, as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminGroup {
    pub id: GroupId,
    pub name: String,
    pub owner_username: String,
    pub member_count: u32,
    pub member_limit: u32,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The server at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerOverview {
    pub version: String,
    pub users: u64,
    pub disabled_users: u64,
    pub groups: u64,
    /// WebSocket connections (devices) on this node right now.
    pub connections: u64,
    /// Messages stored since midnight UTC.
    pub messages_today: u64,
}
