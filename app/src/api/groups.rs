//! QQ groups under `/api/`. The domain answers "not found" to anyone outside a group and
//! "forbidden" to members without the right role.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::{GroupDetails, GroupId, GroupMember, GroupSummary, UserId};

/// Creates a group owned by the caller. `member_limit` defaults to the server's (200).
#[server(name = CreateGroupCall, prefix = "/api", endpoint = "create_group", input = Json)]
pub async fn create_group(
    name: String,
    #[server(default)] description: String,
    #[server(default)] member_limit: Option<u32>,
) -> Result<GroupDetails, AppError> {
    let (core, caller) = super::request::caller().await?;
    let input = penguin_domain::NewGroup {
        name,
        description,
        member_limit,
    };
    Ok(core.create_group(&caller, input).await?)
}

#[server(name = MyGroupsCall, prefix = "/api", endpoint = "my_groups", input = GetUrl)]
pub async fn my_groups() -> Result<Vec<GroupSummary>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.my_groups(&caller).await?)
}

/// A group with its members (and its invite code for the owner and admins).
#[server(name = GroupCall, prefix = "/api", endpoint = "group", input = GetUrl)]
pub async fn group(group_id: GroupId) -> Result<GroupDetails, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.group_details(&caller, group_id).await?)
}

#[server(name = GroupMembersCall, prefix = "/api", endpoint = "group_members", input = GetUrl)]
pub async fn group_members(group_id: GroupId) -> Result<Vec<GroupMember>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.group_members(&caller, group_id).await?)
}

/// Adds one of the caller's friends to a group the caller is in.
#[server(name = InviteToGroupCall, prefix = "/api", endpoint = "invite_to_group", input = Json)]
pub async fn invite_to_group(group_id: GroupId, user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.invite_to_group(&caller, group_id, user_id).await?)
}

#[server(name = JoinGroupCall, prefix = "/api", endpoint = "join_group", input = Json)]
pub async fn join_group(invite_code: String) -> Result<GroupSummary, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.join_group(&caller, &invite_code).await?)
}

#[server(name = LeaveGroupCall, prefix = "/api", endpoint = "leave_group", input = Json)]
pub async fn leave_group(group_id: GroupId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.leave_group(&caller, group_id).await?)
}

#[server(name = RemoveGroupMemberCall, prefix = "/api", endpoint = "remove_group_member", input = Json)]
pub async fn remove_group_member(group_id: GroupId, user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.remove_group_member(&caller, group_id, user_id).await?)
}

/// The owner promotes (`admin: true`) or demotes an admin.
#[server(name = SetGroupAdminCall, prefix = "/api", endpoint = "set_group_admin", input = Json)]
pub async fn set_group_admin(
    group_id: GroupId,
    user_id: UserId,
    admin: bool,
) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core
        .set_group_admin(&caller, group_id, user_id, admin)
        .await?)
}

#[server(name = TransferGroupCall, prefix = "/api", endpoint = "transfer_group", input = Json)]
pub async fn transfer_group(group_id: GroupId, user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.transfer_group(&caller, group_id, user_id).await?)
}

#[server(name = DisbandGroupCall, prefix = "/api", endpoint = "disband_group", input = Json)]
pub async fn disband_group(group_id: GroupId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.disband_group(&caller, group_id).await?)
}

/// A fresh invite code (owner and admins); the old one stops working.
#[server(name = ResetInviteCodeCall, prefix = "/api", endpoint = "reset_invite_code", input = Json)]
pub async fn reset_invite_code(group_id: GroupId) -> Result<String, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.reset_invite_code(&caller, group_id).await?)
}
