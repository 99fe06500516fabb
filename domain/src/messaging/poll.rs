//! Long polling: the WebSocket's contract over plain HTTP, for networks that block
//! WebSockets (the technique of the original WebQQ). One poll returns what the client
//! missed after its cursors, or, when there is nothing, waits until something happens
//! (or the wait runs out) and then returns that.
//!
//! Messages always come from the database, read after the cursors, so they are in `seq`
//! order with no gap and no repeat, exactly as on the socket; the hub only wakes the
//! poll up. Presence, typing and read frames that arrive during the wait pass through.
//! The device joins the hub *before* the database is read, so a message committed
//! meanwhile wakes the poll instead of falling between the two.

use super::MAX_PAGE;
use crate::accounts::Caller;
use crate::core::Core;
use crate::error::DomainError;
use crate::hub::Delivery;
use penguin_protocol::{ConversationId, Cursor, Seq, ServerFrame};
use std::collections::HashMap;
use std::time::Duration;

/// The longest a poll waits (proxies commonly cut idle requests at 30 s or later).
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(25);

/// Messages one poll returns at most; the client polls again from its new cursors.
const MAX_POLL_MESSAGES: usize = 500;

/// After the first wake-up, how long to gather what else is arriving.
const GATHER: Duration = Duration::from_millis(20);

impl Core {
    /// One long poll. `cursors` are the newest `seq` the client holds per conversation;
    /// conversations without one start at the user's read position.
    pub async fn poll(
        &self,
        caller: &Caller,
        cursors: &[Cursor],
        wait: Duration,
    ) -> Result<Vec<ServerFrame>, DomainError> {
        let (mut device, _) = self.hub.connect(caller.id());
        let missed = self.missed(caller, cursors).await?;
        if !missed.is_empty() {
            return Ok(missed);
        }
        let wait = wait.min(MAX_POLL_WAIT);
        let mut passed = Vec::new();
        let mut woken = false;
        if let Ok(Some(frame)) = tokio::time::timeout(wait, device.frames.recv()).await {
            woken = true;
            passed.push(frame);
            let deadline = tokio::time::Instant::now() + GATHER;
            while let Ok(Some(frame)) =
                tokio::time::timeout_at(deadline, device.frames.recv()).await
            {
                passed.push(frame);
            }
        }
        drop(device);
        // Messages are read from the database below; a resync only wakes the poll up.
        let mut frames: Vec<ServerFrame> = passed
            .iter()
            .filter_map(|delivery| match delivery {
                Delivery::Frame(frame) if !matches!(**frame, ServerFrame::Message { .. }) => {
                    Some((**frame).clone())
                }
                _ => None,
            })
            .collect();
        if woken {
            frames.extend(self.missed(caller, cursors).await?);
        }
        Ok(frames)
    }

    /// Where a resuming client starts in each of the user's conversations: its cursor,
    /// else the user's read position. Cursors for conversations the user is not in are
    /// ignored.
    pub async fn resume_points(
        &self,
        caller: &Caller,
        cursors: &[Cursor],
    ) -> Result<Vec<(ConversationId, Seq)>, DomainError> {
        let mut from: HashMap<ConversationId, Seq> = self
            .conversation_positions(caller)
            .await?
            .into_iter()
            .collect();
        for cursor in cursors {
            if let Some(start) = from.get_mut(&cursor.conversation_id) {
                *start = cursor.seq.max(0);
            }
        }
        let mut starts: Vec<(ConversationId, Seq)> = from.into_iter().collect();
        starts.sort_unstable();
        Ok(starts)
    }

    /// Messages after the resume points, oldest first per conversation.
    async fn missed(
        &self,
        caller: &Caller,
        cursors: &[Cursor],
    ) -> Result<Vec<ServerFrame>, DomainError> {
        let mut frames = Vec::new();
        for (conversation, after) in self.resume_points(caller, cursors).await? {
            let room = MAX_POLL_MESSAGES.saturating_sub(frames.len());
            if room == 0 {
                break;
            }
            let limit = (room as u64).min(MAX_PAGE);
            let page = self
                .messages_after(caller, conversation, after, limit)
                .await?;
            frames.extend(
                page.into_iter()
                    .map(|message| ServerFrame::Message { message }),
            );
        }
        Ok(frames)
    }
}
