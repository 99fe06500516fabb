//! Conversations and messages over HTTP: the contact panel's list, history pages, unread
//! counts, read positions, and sending (for bots and scripts; the app sends over the
//! WebSocket, see docs/PROTOCOL.md). Both paths store and deliver the same way.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::{
    ConversationId, ConversationSummary, Cursor, Destination, Message, SendAck, Seq, ServerFrame,
    Unread,
};

/// The caller's conversations, most recent first, with the newest message of each.
#[server(name = ConversationsCall, prefix = "/api", endpoint = "conversations", input = GetUrl)]
pub async fn conversations() -> Result<Vec<ConversationSummary>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.conversations(&caller).await?)
}

/// A page of older messages: up to `limit` (at most 200) before `before` (the newest
/// page when absent), oldest first.
#[server(name = HistoryCall, prefix = "/api", endpoint = "history", input = GetUrl)]
pub async fn history(
    conversation_id: ConversationId,
    #[server(default)] before: Option<Seq>,
    #[server(default)] limit: Option<u64>,
) -> Result<Vec<Message>, AppError> {
    let (core, caller) = super::request::caller().await?;
    let limit = limit.unwrap_or(50);
    Ok(core
        .messages_before(&caller, conversation_id, before, limit)
        .await?)
}

/// Conversations with unread messages and how many.
#[server(name = UnreadCall, prefix = "/api", endpoint = "unread", input = GetUrl)]
pub async fn unread() -> Result<Vec<Unread>, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.unread_counts(&caller).await?)
}

/// Marks a conversation read up to `seq`; answers the stored position.
#[server(name = MarkReadCall, prefix = "/api", endpoint = "mark_read", input = Json)]
pub async fn mark_read(conversation_id: ConversationId, seq: Seq) -> Result<Seq, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.mark_read(&caller, conversation_id, seq).await?)
}

/// Sends a message (stored durably before the answer; delivered live to every connected
/// device). Resending the same `client_id` returns the first acknowledgement.
#[server(name = SendMessageCall, prefix = "/api", endpoint = "send_message", input = Json)]
pub async fn send_message(
    client_id: String,
    to: Destination,
    body: String,
) -> Result<SendAck, AppError> {
    let (core, caller) = super::request::caller().await?;
    Ok(core.post_message(&caller, to, &client_id, &body).await?)
}

/// Long polling, the fallback when a WebSocket cannot be opened: what the client missed
/// after `cursors`, or, when there is nothing, whatever happens within `wait_ms` (at
/// most 25,000). The same frames and the same guarantees as the socket (docs/PROTOCOL.md).
#[server(name = PollCall, prefix = "/api", endpoint = "poll", input = Json)]
pub async fn poll(
    #[server(default)] cursors: Vec<Cursor>,
    #[server(default)] wait_ms: Option<u64>,
) -> Result<Vec<ServerFrame>, AppError> {
    let (core, caller) = super::request::caller().await?;
    let wait = std::time::Duration::from_millis(wait_ms.unwrap_or(25_000));
    Ok(core.poll(&caller, &cursors, wait).await?)
}
