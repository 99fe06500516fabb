//! QQ groups: one owner, admins, members, a member limit.
//!
//! Who may do what:
//! - anyone signed in: create a group, join one with its invite code;
//! - a member: see the group and its members, invite their friends, leave (not the owner);
//! - an admin: also remove plain members, see and reset the invite code;
//! - the owner: also remove admins, promote and demote admins, transfer ownership,
//!   disband.
//!
//! Anyone who is not a member gets "not found" for the group's id. The member limit is
//! enforced by one conditional `UPDATE … SET member_count = member_count + 1 WHERE
//! member_count < member_limit`, so concurrent joins cannot overshoot it (the row lock on
//! PostgreSQL, the single writer on SQLite, and a CHECK constraint behind both).

use super::millis;
use crate::accounts::Caller;
use crate::core::{Core, WriteTxn};
use crate::entity::{group, group_member};
use crate::error::{DomainError, on_unique_violation, refuse};
use chrono::Utc;
use penguin_protocol::{
    ErrorCode, GroupDetails, GroupId, GroupMember, GroupRole, GroupSummary, UserId, rules,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// Invite codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
const INVITE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const INVITE_LEN: usize = 10;

fn new_invite_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..INVITE_LEN)
        .map(|_| INVITE_ALPHABET[rng.random_range(0..INVITE_ALPHABET.len())] as char)
        .collect()
}

/// Normalizes what people type or paste: case, spaces and dashes do not matter.
fn normalize_invite_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What a group's creator chooses.
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub name: String,
    pub description: String,
    /// `None`: the server's default (200 unless configured).
    pub member_limit: Option<u32>,
}

fn role_of(member: &group_member::Model) -> GroupRole {
    GroupRole::parse(&member.role).unwrap_or(GroupRole::Member)
}

fn summary(group: group::Model, my_role: GroupRole) -> GroupSummary {
    GroupSummary {
        id: group.id,
        name: group.name,
        description: group.description,
        owner_id: group.owner_id,
        member_count: u32::try_from(group.member_count).unwrap_or(0),
        member_limit: u32::try_from(group.member_limit).unwrap_or(0),
        my_role,
    }
}

impl Core {
    pub async fn create_group(
        &self,
        caller: &Caller,
        input: NewGroup,
    ) -> Result<GroupDetails, DomainError> {
        let name = rules::group_name(&input.name)?;
        let description = rules::group_description(&input.description)?;
        let limit = input
            .member_limit
            .unwrap_or(self.settings.group_member_limit);
        if !(2..=self.settings.max_group_member_limit).contains(&limit) {
            return refuse(ErrorCode::InvalidMemberLimit);
        }
        let limit = i32::try_from(limit)
            .map_err(|_| DomainError::Refused(ErrorCode::InvalidMemberLimit))?;
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let created = group::ActiveModel {
            name_key: Set(name.to_lowercase()),
            name: Set(name),
            description: Set(description),
            owner_id: Set(caller.id()),
            member_limit: Set(limit),
            member_count: Set(1),
            invite_code: Set(new_invite_code()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await
        .map_err(|e| on_unique_violation(e, ErrorCode::GroupNameTaken))?;
        group_member::ActiveModel {
            group_id: Set(created.id),
            user_id: Set(caller.id()),
            role: Set(GroupRole::Owner.as_str().to_owned()),
            joined_at: Set(now),
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        tracing::info!(
            user_id = caller.id(),
            group_id = created.id,
            "group created"
        );
        self.group_details(caller, created.id).await
    }

    /// The caller's groups, by name.
    pub async fn my_groups(&self, caller: &Caller) -> Result<Vec<GroupSummary>, DomainError> {
        let rows = group_member::Entity::find()
            .filter(group_member::Column::UserId.eq(caller.id()))
            .find_also_related(group::Entity)
            .order_by_asc(group::Column::NameKey)
            .all(&self.db.conn)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(member, group)| Some(summary(group?, role_of(&member))))
            .collect())
    }

    /// A group with its members, for a member; "not found" for anyone else.
    pub async fn group_details(
        &self,
        caller: &Caller,
        group_id: GroupId,
    ) -> Result<GroupDetails, DomainError> {
        let conn = &self.db.conn;
        let me = membership(conn, group_id, caller.id()).await?;
        let my_role = role_of(&me);
        let Some(group) = group::Entity::find_by_id(group_id).one(conn).await? else {
            return refuse(ErrorCode::NotFound);
        };
        let members = self.members_of(group_id).await?;
        let invite_code = my_role.manages_members().then(|| group.invite_code.clone());
        Ok(GroupDetails {
            group: summary(group, my_role),
            members,
            invite_code,
        })
    }

    /// Members of a group the caller belongs to.
    pub async fn group_members(
        &self,
        caller: &Caller,
        group_id: GroupId,
    ) -> Result<Vec<GroupMember>, DomainError> {
        membership(&self.db.conn, group_id, caller.id()).await?;
        self.members_of(group_id).await
    }

    /// True when `user` is in the group (for the messaging core).
    pub async fn is_group_member(
        &self,
        group_id: GroupId,
        user: UserId,
    ) -> Result<bool, DomainError> {
        Ok(group_member::Entity::find_by_id((group_id, user))
            .one(&self.db.conn)
            .await?
            .is_some())
    }

    async fn members_of(&self, group_id: GroupId) -> Result<Vec<GroupMember>, DomainError> {
        let mut rows = group_member::Entity::find()
            .filter(group_member::Column::GroupId.eq(group_id))
            .order_by_asc(group_member::Column::JoinedAt)
            .order_by_asc(group_member::Column::UserId)
            .all(&self.db.conn)
            .await?;
        rows.sort_by_key(role_of);
        let ids: Vec<UserId> = rows.iter().map(|m| m.user_id).collect();
        let users: std::collections::HashMap<_, _> = self
            .user_summaries(&ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                Some(GroupMember {
                    user: users.get(&m.user_id)?.clone(),
                    role: role_of(&m),
                    joined_at: millis(m.joined_at),
                })
            })
            .collect())
    }

    /// Adds a friend of the caller to a group the caller is in.
    pub async fn invite_to_group(
        &self,
        caller: &Caller,
        group_id: GroupId,
        friend: UserId,
    ) -> Result<(), DomainError> {
        membership(&self.db.conn, group_id, caller.id()).await?;
        if !self.are_friends(caller.id(), friend).await? {
            return refuse(ErrorCode::NotFriends);
        }
        let txn = self.begin_write().await?;
        add_member(&txn, group_id, friend).await?;
        txn.commit().await?;
        tracing::info!(
            user_id = caller.id(),
            group_id,
            invited = friend,
            "member invited"
        );
        Ok(())
    }

    /// Joins the group whose invite code this is.
    pub async fn join_group(
        &self,
        caller: &Caller,
        invite_code: &str,
    ) -> Result<GroupSummary, DomainError> {
        let code = normalize_invite_code(invite_code);
        if code.len() != INVITE_LEN {
            return refuse(ErrorCode::InvalidInviteCode);
        }
        let Some(found) = group::Entity::find()
            .filter(group::Column::InviteCode.eq(code))
            .one(&self.db.conn)
            .await?
        else {
            return refuse(ErrorCode::InvalidInviteCode);
        };
        let txn = self.begin_write().await?;
        add_member(&txn, found.id, caller.id()).await?;
        txn.commit().await?;
        tracing::info!(user_id = caller.id(), group_id = found.id, "joined a group");
        let group = group::Entity::find_by_id(found.id)
            .one(&self.db.conn)
            .await?
            .ok_or(DomainError::Refused(ErrorCode::NotFound))?;
        Ok(summary(group, GroupRole::Member))
    }

    pub async fn leave_group(&self, caller: &Caller, group_id: GroupId) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        if role_of(&me) == GroupRole::Owner {
            return refuse(ErrorCode::OwnerCannotLeave);
        }
        remove_member(&txn, group_id, caller.id()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The owner removes anyone else; an admin removes plain members.
    pub async fn remove_group_member(
        &self,
        caller: &Caller,
        group_id: GroupId,
        user: UserId,
    ) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        let target = membership(&*txn, group_id, user).await?;
        let allowed = user != caller.id()
            && match role_of(&me) {
                GroupRole::Owner => true,
                GroupRole::Admin => role_of(&target) == GroupRole::Member,
                GroupRole::Member => false,
            };
        if !allowed {
            return refuse(ErrorCode::Forbidden);
        }
        remove_member(&txn, group_id, user).await?;
        txn.commit().await?;
        tracing::info!(
            user_id = caller.id(),
            group_id,
            removed = user,
            "member removed"
        );
        Ok(())
    }

    /// The owner makes a member an admin (`admin = true`) or an admin a member again.
    pub async fn set_group_admin(
        &self,
        caller: &Caller,
        group_id: GroupId,
        user: UserId,
        admin: bool,
    ) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        let target = membership(&*txn, group_id, user).await?;
        if role_of(&me) != GroupRole::Owner || role_of(&target) == GroupRole::Owner {
            return refuse(ErrorCode::Forbidden);
        }
        let role = if admin {
            GroupRole::Admin
        } else {
            GroupRole::Member
        };
        set_role(&txn, group_id, user, role).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The owner hands the group to another member and becomes an admin.
    pub async fn transfer_group(
        &self,
        caller: &Caller,
        group_id: GroupId,
        new_owner: UserId,
    ) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        membership(&*txn, group_id, new_owner).await?;
        if role_of(&me) != GroupRole::Owner || new_owner == caller.id() {
            return refuse(ErrorCode::Forbidden);
        }
        // Conditional on still being the owner: two concurrent transfers cannot both win.
        let demoted = group_member::Entity::update_many()
            .col_expr(
                group_member::Column::Role,
                Expr::value(GroupRole::Admin.as_str()),
            )
            .filter(group_member::Column::GroupId.eq(group_id))
            .filter(group_member::Column::UserId.eq(caller.id()))
            .filter(group_member::Column::Role.eq(GroupRole::Owner.as_str()))
            .exec(&*txn)
            .await?;
        if demoted.rows_affected != 1 {
            return refuse(ErrorCode::Forbidden);
        }
        set_role(&txn, group_id, new_owner, GroupRole::Owner).await?;
        group::Entity::update_many()
            .col_expr(group::Column::OwnerId, Expr::value(new_owner))
            .filter(group::Column::Id.eq(group_id))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        tracing::info!(
            user_id = caller.id(),
            group_id,
            new_owner,
            "group transferred"
        );
        Ok(())
    }

    /// The owner deletes the group and every membership.
    pub async fn disband_group(
        &self,
        caller: &Caller,
        group_id: GroupId,
    ) -> Result<(), DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        if role_of(&me) != GroupRole::Owner {
            return refuse(ErrorCode::Forbidden);
        }
        group::Entity::delete_by_id(group_id).exec(&*txn).await?;
        txn.commit().await?;
        tracing::info!(user_id = caller.id(), group_id, "group disbanded");
        Ok(())
    }

    /// A new invite code for the owner or an admin; the old one stops working.
    pub async fn reset_invite_code(
        &self,
        caller: &Caller,
        group_id: GroupId,
    ) -> Result<String, DomainError> {
        let txn = self.begin_write().await?;
        let me = membership(&*txn, group_id, caller.id()).await?;
        if !role_of(&me).manages_members() {
            return refuse(ErrorCode::Forbidden);
        }
        let code = new_invite_code();
        group::Entity::update_many()
            .col_expr(group::Column::InviteCode, Expr::value(code.clone()))
            .filter(group::Column::Id.eq(group_id))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(code)
    }
}

/// The membership of `user`, or "not found": the same answer whether the group does not
/// exist or the user is not in it.
async fn membership(
    conn: &impl ConnectionTrait,
    group_id: GroupId,
    user: UserId,
) -> Result<group_member::Model, DomainError> {
    match group_member::Entity::find_by_id((group_id, user))
        .one(conn)
        .await?
    {
        Some(member) => Ok(member),
        None => refuse(ErrorCode::NotFound),
    }
}

/// Takes a seat (atomically, against the limit) and adds the member.
pub(crate) async fn add_member(
    txn: &WriteTxn,
    group_id: GroupId,
    user: UserId,
) -> Result<(), DomainError> {
    if group_member::Entity::find_by_id((group_id, user))
        .one(&**txn)
        .await?
        .is_some()
    {
        return refuse(ErrorCode::AlreadyMember);
    }
    let seat = group::Entity::update_many()
        .col_expr(
            group::Column::MemberCount,
            Expr::col(group::Column::MemberCount).add(1),
        )
        .filter(group::Column::Id.eq(group_id))
        .filter(Expr::col(group::Column::MemberCount).lt(Expr::col(group::Column::MemberLimit)))
        .exec(&**txn)
        .await?;
    if seat.rows_affected == 0 {
        let exists = group::Entity::find_by_id(group_id)
            .one(&**txn)
            .await?
            .is_some();
        return refuse(if exists {
            ErrorCode::GroupFull
        } else {
            ErrorCode::NotFound
        });
    }
    group_member::ActiveModel {
        group_id: Set(group_id),
        user_id: Set(user),
        role: Set(GroupRole::Member.as_str().to_owned()),
        joined_at: Set(Utc::now()),
    }
    .insert(&**txn)
    .await
    .map_err(|e| on_unique_violation(e, ErrorCode::AlreadyMember))?;
    // A new member starts "read" at the join point: the group's past is history they
    // may page through, not a backlog of unread messages to catch up on.
    let conversation = crate::entity::conversation::Entity::find()
        .filter(crate::entity::conversation::Column::GroupId.eq(group_id))
        .one(&**txn)
        .await?;
    if let Some(conversation) = conversation.filter(|c| c.last_seq > 0) {
        crate::entity::read_position::Entity::insert(crate::entity::read_position::ActiveModel {
            user_id: Set(user),
            conversation_id: Set(conversation.id),
            last_read_seq: Set(conversation.last_seq),
        })
        .on_conflict_do_nothing_on([
            crate::entity::read_position::Column::UserId,
            crate::entity::read_position::Column::ConversationId,
        ])
        .exec(&**txn)
        .await?;
    }
    Ok(())
}

async fn remove_member(txn: &WriteTxn, group_id: GroupId, user: UserId) -> Result<(), DomainError> {
    let removed = group_member::Entity::delete_by_id((group_id, user))
        .exec(&**txn)
        .await?;
    if removed.rows_affected == 0 {
        return refuse(ErrorCode::NotFound);
    }
    group::Entity::update_many()
        .col_expr(
            group::Column::MemberCount,
            Expr::col(group::Column::MemberCount).sub(1),
        )
        .filter(group::Column::Id.eq(group_id))
        .exec(&**txn)
        .await?;
    Ok(())
}

async fn set_role(
    txn: &WriteTxn,
    group_id: GroupId,
    user: UserId,
    role: GroupRole,
) -> Result<(), DomainError> {
    group_member::Entity::update_many()
        .col_expr(group_member::Column::Role, Expr::value(role.as_str()))
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(group_member::Column::UserId.eq(user))
        .exec(&**txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_are_typo_tolerant() {
        let code = new_invite_code();
        assert_eq!(code.len(), INVITE_LEN);
        assert_eq!(normalize_invite_code(&code.to_lowercase()), code);
        assert_eq!(normalize_invite_code(" abcd-efgh-jk "), "ABCDEFGHJK");
    }
}
