//! Accounts, friends and QQ groups as they travel between the server and its clients.
//!
//! Ids are the server's database ids (JSON numbers, well inside the 2^53 that JavaScript
//! represents exactly). Times are milliseconds since the Unix epoch, UTC, from the
//! server's clock.

use serde::{Deserialize, Serialize};

pub type UserId = i64;
pub type GroupId = i64;
pub type FriendRequestId = i64;
/// Milliseconds since 1970-01-01T00:00:00Z.
pub type UnixMillis = i64;

/// A user as anyone signed in may see them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    /// Lower-case, unique, what people search for and sign in with.
    pub username: String,
    pub display_name: String,
}

/// The signed-in user's own account, with what only they see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub user: UserSummary,
    /// The verified e-mail address, if any (for signing in with a code).
    pub email: Option<String>,
}

/// What the caller is to another user, shown next to search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The caller themself.
    Me,
    None,
    Friend,
    /// The caller asked; the other has not answered.
    RequestSent,
    /// The other asked the caller.
    RequestReceived,
    /// The caller blocked them.
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCard {
    pub user: UserSummary,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Friend {
    pub user: UserSummary,
    pub since: UnixMillis,
}

/// A pending request; `user` is the other party (the sender for incoming requests, the
/// addressee for outgoing ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendRequest {
    pub id: FriendRequestId,
    pub user: UserSummary,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendRequests {
    pub incoming: Vec<FriendRequest>,
    pub outgoing: Vec<FriendRequest>,
}

/// What sending a friend request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FriendRequestOutcome {
    /// A request is now pending (sending it twice is harmless).
    Sent,
    /// The other user had already asked the caller: they are friends now.
    BecameFriends,
}

/// A member's role in a QQ group. Exactly one owner per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    Owner,
    Admin,
    Member,
}

impl GroupRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Member]
            .into_iter()
            .find(|role| role.as_str() == value)
    }

    /// Owners and admins manage members.
    pub fn manages_members(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

/// A group as its members see it in their list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub owner_id: UserId,
    pub member_count: u32,
    pub member_limit: u32,
    /// The caller's role.
    pub my_role: GroupRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user: UserSummary,
    pub role: GroupRole,
    pub joined_at: UnixMillis,
}

/// A group with its members, for one of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetails {
    pub group: GroupSummary,
    /// Owner first, then admins, then members, each by join time.
    pub members: Vec<GroupMember>,
    /// Present for the owner and admins, who may share and reset it.
    pub invite_code: Option<String>,
}
