//! Long polling (browser only), the fallback when a WebSocket cannot be opened
//! (docs/PROTOCOL.md): the same frames over plain HTTP. One `poll` at a time asks for
//! what came after the held messages (waiting up to 25 s when there is nothing) and
//! feeds every frame to the same handler as the socket; sends go through
//! `send_message` (its answer is an `ack`), read marks through `mark_read`; typing is
//! not sent in this mode.

use super::{ConnectionState, Realtime, Transport, retryable, socket};
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use penguin_protocol::{ConversationId, ErrorCode, Seq, ServerFrame};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::Duration;

/// How long one poll may wait on the server.
const WAIT_MS: u64 = 25_000;
const BACKOFF_FIRST_MS: f64 = 500.0;
/// Short, so that a poll soon notices the network is back.
const BACKOFF_MAX_MS: f64 = 8_000.0;

thread_local! {
    /// Bumped by every start and stop of polling: an older loop ends at its next turn.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// Client ids with a `send_message` under way (or waiting to be retried).
    static SENDING: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Switches this tab to long polling and starts the loop.
pub(super) fn start(realtime: Realtime) {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    realtime.transport.set(Transport::LongPolling);
    poll_next(realtime, socket::session(), generation, 0);
}

/// Ends the loop (the socket is back, or the user signed out).
pub(super) fn stop() {
    GENERATION.with(|g| g.set(g.get() + 1));
}

fn live(session: u64, generation: u64) -> bool {
    socket::current(session) && GENERATION.with(|g| g.get()) == generation
}

/// Each wait between half and all of 0.5 s doubling up to 8 s.
fn backoff(failures: u32) -> Duration {
    let ceiling = (BACKOFF_FIRST_MS * 2f64.powi(failures.min(16) as i32)).min(BACKOFF_MAX_MS);
    let wait = ceiling * (0.5 + 0.5 * web_sys::js_sys::Math::random());
    Duration::from_millis(wait as u64)
}

fn poll_next(realtime: Realtime, session: u64, generation: u64, failures: u32) {
    spawn_local(async move {
        // Until a poll has succeeded, ask without waiting: an answer at all proves the
        // way is open (and shows Online at once); then wait for news.
        let online = realtime.state.get_untracked() == ConnectionState::Online;
        let wait = if online { WAIT_MS } else { 0 };
        let answer = api::poll(realtime.cursors(), Some(wait)).await;
        if !live(session, generation) {
            return;
        }
        match answer {
            Ok(frames) => {
                if realtime.state.get_untracked() != ConnectionState::Online {
                    // Like `welcome`: online, and everything unacknowledged goes again.
                    realtime.state.set(ConnectionState::Online);
                    resend_pending(realtime);
                }
                for frame in frames {
                    socket::deliver(realtime, frame);
                }
                poll_next(realtime, session, generation, 0);
            }
            Err(_) => {
                if realtime.state.get_untracked() == ConnectionState::Online {
                    realtime.state.set(ConnectionState::Reconnecting);
                }
                set_timeout(
                    move || {
                        if live(session, generation) {
                            poll_next(realtime, session, generation, failures.saturating_add(1));
                        }
                    },
                    backoff(failures),
                );
            }
        }
    });
}

/// Sends again every pending message not refused for good.
fn resend_pending(realtime: Realtime) {
    for pending in realtime.pending.get_untracked() {
        if pending.failed.is_none() {
            send(realtime, pending.client_id);
        }
    }
}

/// Sends the pending message `client_id` over HTTP; on a network (or passing) failure it
/// stays pending and is sent again, same `client_id`, with backoff.
pub(super) fn send(realtime: Realtime, client_id: String) {
    if !SENDING.with(|s| s.borrow_mut().insert(client_id.clone())) {
        return;
    }
    attempt_send(realtime, socket::session(), client_id, 0);
}

fn attempt_send(realtime: Realtime, session: u64, client_id: String, failures: u32) {
    let Some(pending) = realtime.pending.with_untracked(|list| {
        list.iter()
            .find(|p| p.client_id == client_id && p.failed.is_none())
            .cloned()
    }) else {
        SENDING.with(|s| s.borrow_mut().remove(&client_id));
        return;
    };
    spawn_local(async move {
        let answer = api::send_message(pending.client_id, pending.to, pending.body).await;
        if !socket::current(session) {
            SENDING.with(|s| s.borrow_mut().remove(&client_id));
            return;
        }
        match answer {
            Ok(ack) => {
                SENDING.with(|s| s.borrow_mut().remove(&client_id));
                socket::deliver(realtime, ServerFrame::Ack { ack });
            }
            Err(error) if error.code == ErrorCode::NetworkError || retryable(error.code) => {
                set_timeout(
                    move || attempt_send(realtime, session, client_id, failures.saturating_add(1)),
                    backoff(failures),
                );
            }
            Err(error) => {
                SENDING.with(|s| s.borrow_mut().remove(&client_id));
                socket::deliver(
                    realtime,
                    ServerFrame::Error {
                        code: error.code,
                        message: error.message,
                        client_id: Some(client_id),
                    },
                );
            }
        }
    });
}

/// Marks `conversation` read up to `seq` over HTTP (best effort, like the socket's frame).
pub(super) fn mark_read(conversation: ConversationId, seq: Seq) {
    spawn_local(async move {
        let _ = api::mark_read(conversation, seq).await;
    });
}
