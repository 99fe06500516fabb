//! Friends, requests, blocks and user search under `/api/`. Every call needs a session;
//! each is a thin call into `penguin_domain`, which checks what the caller may do.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::{
    Friend, FriendRequestId, FriendRequestOutcome, FriendRequests, UserCard, UserId, UserSummary,
};

/// Users whose username starts with, or display name contains, `query` (at most 20).
#[server(name = SearchUsersCall, prefix = "/api", endpoint = "search_users", input = GetUrl)]
pub async fn search_users(query: String) -> Result<Vec<UserCard>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.search_users(&caller, &query).await?)
}

#[server(name = FriendsCall, prefix = "/api", endpoint = "friends", input = GetUrl)]
pub async fn friends() -> Result<Vec<Friend>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.friends(&caller).await?)
}

#[server(name = FriendRequestsCall, prefix = "/api", endpoint = "friend_requests", input = GetUrl)]
pub async fn friend_requests() -> Result<FriendRequests, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.friend_requests(&caller).await?)
}

#[server(name = SendFriendRequestCall, prefix = "/api", endpoint = "send_friend_request", input = Json)]
pub async fn send_friend_request(user_id: UserId) -> Result<FriendRequestOutcome, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.send_friend_request(&caller, user_id).await?)
}

/// Accepts (`accept: true`) or declines a request addressed to the caller.
#[server(name = AnswerFriendRequestCall, prefix = "/api", endpoint = "answer_friend_request", input = Json)]
pub async fn answer_friend_request(
    request_id: FriendRequestId,
    accept: bool,
) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core
        .answer_friend_request(&caller, request_id, accept)
        .await?)
}

#[server(name = CancelFriendRequestCall, prefix = "/api", endpoint = "cancel_friend_request", input = Json)]
pub async fn cancel_friend_request(request_id: FriendRequestId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.cancel_friend_request(&caller, request_id).await?)
}

#[server(name = RemoveFriendCall, prefix = "/api", endpoint = "remove_friend", input = Json)]
pub async fn remove_friend(user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.remove_friend(&caller, user_id).await?)
}

#[server(name = BlockUserCall, prefix = "/api", endpoint = "block_user", input = Json)]
pub async fn block_user(user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.block_user(&caller, user_id).await?)
}

#[server(name = UnblockUserCall, prefix = "/api", endpoint = "unblock_user", input = Json)]
pub async fn unblock_user(user_id: UserId) -> Result<(), AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.unblock_user(&caller, user_id).await?)
}

#[server(name = BlockedUsersCall, prefix = "/api", endpoint = "blocked_users", input = GetUrl)]
pub async fn blocked_users() -> Result<Vec<UserSummary>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.blocked_users(&caller).await?)
}
