//! The browser's real-time connection (docs/PROTOCOL.md): one WebSocket per tab to `/ws`
//! while someone is signed in, shared through context as a [`Realtime`] handle of
//! signals. Everything that touches the socket is compiled for the browser only
//! (feature `hydrate`) and runs in Effects, so on the server the handle is inert and
//! empty, and server rendering and hydration see the same (empty) state. When the
//! socket cannot be opened (a proxy that blocks it), the tab falls back to long polling
//! with the same frames ([`Transport::LongPolling`]).

#[cfg(feature = "hydrate")]
mod poll;
#[cfg(feature = "hydrate")]
mod socket;

use crate::auth::use_auth;
use leptos::prelude::*;
use penguin_protocol::{
    ConversationId, ConversationSummary, Cursor, Destination, ErrorCode, GroupId, Message, SendAck,
    Seq, ServerFrame, UserId,
};
use std::collections::{HashMap, HashSet};

/// Where the socket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Nobody is signed in (and on the server).
    Idle,
    /// The first connection of this sign-in is being opened.
    Connecting,
    /// `welcome` received: sending works.
    Online,
    /// The connection dropped; a new one is attempted with backoff.
    Reconnecting,
}

/// How this tab talks to the server now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// One WebSocket to `/ws` (the normal case).
    WebSocket,
    /// The socket could not be opened: `poll` over HTTP, sends through `send_message`
    /// (the socket is retried every few minutes in the background).
    LongPolling,
}

impl Transport {
    /// A stable name (for markup and tests).
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::WebSocket => "websocket",
            Transport::LongPolling => "long-polling",
        }
    }
}

/// A message sent from this tab and not acknowledged yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: String,
    pub to: Destination,
    pub body: String,
    /// The server refused it for good (the refusal's text); it is not resent.
    pub failed: Option<String>,
    /// Not acknowledged within [`SEND_PATIENCE`]: shown as not sent, with Retry. It is
    /// still resent after a reconnect (same `client_id`, so never stored twice).
    pub stalled: bool,
    /// Bumped by every transmission, so only the newest one's timer can stall it.
    pub attempt: u32,
}

/// Where a message sent from this tab is, as the chat shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SendState {
    Sending,
    /// Not acknowledged for a while (the server or the network is away).
    Stalled,
    /// Refused by the server, with its reason.
    Refused(String),
}

impl Pending {
    pub fn state(&self) -> SendState {
        match (&self.failed, self.stalled) {
            (Some(reason), _) => SendState::Refused(reason.clone()),
            (None, true) => SendState::Stalled,
            (None, false) => SendState::Sending,
        }
    }
}

/// How long a send may wait for its acknowledgement before the chat says it was not
/// sent (a healthy server acknowledges within milliseconds).
pub const SEND_PATIENCE: std::time::Duration = std::time::Duration::from_secs(8);

/// Messages fetched per history page.
pub const HISTORY_PAGE: u64 = 50;

/// Who is typing where: `(user, group)`; `group` is `None` for a direct conversation.
pub type TypingKey = (UserId, Option<GroupId>);

/// The real-time state of the tab, shared through context (all fields are signals).
#[derive(Debug, Clone, Copy)]
pub struct Realtime {
    pub state: RwSignal<ConnectionState>,
    /// WebSocket, or the long-polling fallback.
    pub transport: RwSignal<Transport>,
    /// The signed-in user, as the last `welcome` said.
    pub me: RwSignal<Option<UserId>>,
    /// Per conversation, sorted by `seq`, each `seq` once.
    pub messages: RwSignal<HashMap<ConversationId, Vec<Message>>>,
    /// Sent from this tab, waiting for their `ack` (oldest first).
    pub pending: RwSignal<Vec<Pending>>,
    /// Which conversation is with whom (learnt from `conversations()` and from acks).
    pub conversations: RwSignal<HashMap<Destination, ConversationId>>,
    /// Friends online now.
    pub presence: RwSignal<HashSet<UserId>>,
    /// Who is typing; the value changes with every `typing` frame (see the socket).
    pub typing: RwSignal<HashMap<TypingKey, u32>>,
    /// The user's read position per conversation (from `read` frames and own marks).
    pub read: RwSignal<HashMap<ConversationId, Seq>>,
    /// The newest message of each conversation as `conversations()` said (for previews
    /// of conversations whose messages are not held).
    pub latest: RwSignal<HashMap<ConversationId, Message>>,
    /// Conversations whose first message is held: there is no older history to fetch.
    pub complete: RwSignal<HashSet<ConversationId>>,
    /// Conversations whose newest history page was fetched in this tab; after that the
    /// socket keeps them current (live frames, catch-up after reconnects).
    pub fetched: RwSignal<HashSet<ConversationId>>,
    /// Unsent text per conversation partner, kept while the user switches chats.
    pub drafts: StoredValue<HashMap<Destination, String>>,
    /// The last message that arrived live (after catch-up) from someone else: what
    /// notifications announce.
    pub arrived: RwSignal<Option<Message>>,
    /// The current connection has finished its catch-up.
    pub caught_up: RwSignal<bool>,
    /// The page is visible (not a background tab or minimised window).
    pub visible: RwSignal<bool>,
    /// Unread per conversation, computed once for the panel, the title and the favicon
    /// (see [`Realtime::unread_counts`]).
    pub unread: Memo<HashMap<ConversationId, usize>>,
}

impl Default for Realtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Realtime {
    pub fn new() -> Self {
        let me = RwSignal::new(None);
        let messages = RwSignal::new(HashMap::new());
        let read = RwSignal::new(HashMap::new());
        Self {
            state: RwSignal::new(ConnectionState::Idle),
            transport: RwSignal::new(Transport::WebSocket),
            me,
            messages,
            pending: RwSignal::new(Vec::new()),
            conversations: RwSignal::new(HashMap::new()),
            presence: RwSignal::new(HashSet::new()),
            typing: RwSignal::new(HashMap::new()),
            read,
            latest: RwSignal::new(HashMap::new()),
            complete: RwSignal::new(HashSet::new()),
            fetched: RwSignal::new(HashSet::new()),
            drafts: StoredValue::new(HashMap::new()),
            arrived: RwSignal::new(None),
            caught_up: RwSignal::new(false),
            visible: RwSignal::new(true),
            unread: Memo::new(move |_| count_unread(me.get(), &read.get(), messages)),
        }
    }

    /// Sends `body` to `to`: shown as pending at once, sent now if the socket is up, and
    /// again (same `client_id`) after every reconnect until acknowledged. While long
    /// polling it goes through `send_message`, retried until it is answered.
    pub fn send(&self, to: Destination, body: String) {
        #[cfg(feature = "hydrate")]
        {
            let pending = Pending {
                client_id: socket::new_client_id(),
                to,
                body,
                failed: None,
                stalled: false,
                attempt: 0,
            };
            let client_id = pending.client_id.clone();
            self.pending.update(|list| list.push(pending));
            self.transmit(client_id);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (to, body);
    }

    /// Sends a pending message again now (the user pressed Retry): it counts as new for
    /// [`SEND_PATIENCE`], and a dropped socket reconnects without waiting for its backoff.
    pub fn retry(&self, client_id: &str) {
        let mut found = false;
        self.pending.update(|list| {
            if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = None;
                p.stalled = false;
                found = true;
            }
        });
        #[cfg(feature = "hydrate")]
        if found {
            if self.state.get_untracked() == ConnectionState::Reconnecting {
                socket::reconnect_now(*self);
            }
            self.transmit(client_id.to_owned());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = found;
    }

    /// Puts a pending message on the wire if the connection is up (else the next
    /// `welcome` resends it) and marks it stalled if no acknowledgement comes in time.
    #[cfg(feature = "hydrate")]
    fn transmit(&self, client_id: String) {
        let mut sent = None;
        self.pending.update_untracked(|list| {
            if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                p.attempt += 1;
                sent = Some((p.frame(), p.attempt));
            }
        });
        let Some((frame, attempt)) = sent else {
            return;
        };
        if self.transport.get_untracked() == Transport::LongPolling {
            poll::send(*self, client_id.clone());
        } else if self.state.get_untracked() == ConnectionState::Online {
            socket::send_frame(&frame);
        }
        let realtime = *self;
        set_timeout(
            move || {
                realtime.pending.update(|list| {
                    if let Some(p) = list
                        .iter_mut()
                        .find(|p| p.client_id == client_id && p.attempt == attempt)
                    {
                        p.stalled = true;
                    }
                })
            },
            SEND_PATIENCE,
        );
    }

    /// Fetches the newest history page of `conversation` once per tab (the socket keeps
    /// it current after that).
    pub fn fetch_newest(&self, conversation: ConversationId) {
        if self.fetched.with_untracked(|f| f.contains(&conversation)) {
            return;
        }
        self.fetched.update(|f| {
            f.insert(conversation);
        });
        let realtime = *self;
        leptos::task::spawn_local(async move {
            match crate::api::history(conversation, None, Some(HISTORY_PAGE)).await {
                Ok(page) => realtime.insert_page(conversation, page),
                // Let the next opening try again.
                Err(_) => realtime.fetched.update(|f| {
                    f.remove(&conversation);
                }),
            }
        });
    }

    /// Fetches the page before the oldest held message of `conversation`; answers when
    /// it is in the store (false when there was nothing to fetch or it failed).
    pub async fn fetch_older(&self, conversation: ConversationId) -> bool {
        if self.complete.with_untracked(|c| c.contains(&conversation)) {
            return false;
        }
        let oldest = self.messages.with_untracked(|map| {
            map.get(&conversation)
                .and_then(|list| list.first())
                .map(|m| m.seq)
        });
        match crate::api::history(conversation, oldest, Some(HISTORY_PAGE)).await {
            Ok(page) => {
                let got = !page.is_empty();
                self.insert_page(conversation, page);
                got
            }
            Err(_) => false,
        }
    }

    /// A history page (up to [`HISTORY_PAGE`] messages) into the store; a short page,
    /// or one reaching `seq` 1, means the conversation's start is held.
    fn insert_page(&self, conversation: ConversationId, page: Vec<Message>) {
        let start_held =
            (page.len() as u64) < HISTORY_PAGE || page.first().is_some_and(|m| m.seq <= 1);
        self.insert_messages(page);
        if start_held {
            self.complete.update(|c| {
                c.insert(conversation);
            });
        }
    }

    /// The newest message of `conversation` known to this tab.
    pub fn preview(&self, conversation: ConversationId) -> Option<Message> {
        let held = self
            .messages
            .with(|map| map.get(&conversation).and_then(|l| l.last().cloned()));
        let listed = self.latest.with(|map| map.get(&conversation).cloned());
        match (held, listed) {
            (Some(a), Some(b)) => Some(if a.seq >= b.seq { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// Unread messages in all conversations.
    pub fn total_unread(&self) -> usize {
        self.unread_counts().values().sum()
    }

    /// Tells the server (and the user's other devices) that `conversation` is read up to
    /// `seq`, unless it already is.
    pub fn mark_read(&self, conversation: ConversationId, seq: Seq) {
        let known = self
            .read
            .with_untracked(|read| read.get(&conversation).copied().unwrap_or(0));
        if seq <= known || self.state.get_untracked() != ConnectionState::Online {
            return;
        }
        self.read.update(|read| {
            read.insert(conversation, seq);
        });
        #[cfg(feature = "hydrate")]
        if self.transport.get_untracked() == Transport::LongPolling {
            poll::mark_read(conversation, seq);
        } else {
            socket::send_frame(&penguin_protocol::ClientFrame::MarkRead {
                conversation_id: conversation,
                seq,
            });
        }
    }

    /// Tells the other side the user is typing (the socket sends it at most every 3 s;
    /// not sent while long polling).
    pub fn typing_to(&self, to: Destination) {
        if self.state.get_untracked() == ConnectionState::Online
            && self.transport.get_untracked() == Transport::WebSocket
        {
            #[cfg(feature = "hydrate")]
            socket::send_typing(to);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = to;
    }

    /// Unread messages per conversation, from the server's read positions: the held
    /// messages after the user's read position that others sent. Reactive: it follows
    /// every message and every `read` frame, from any tab or device of the user.
    pub fn unread_counts(&self) -> HashMap<ConversationId, usize> {
        self.unread.get()
    }

    /// Asks the server which conversations the user has (previews, read positions) and
    /// learns them; the socket's own look-up, so concurrent asks make one request.
    pub fn look_up_conversations(&self) {
        #[cfg(feature = "hydrate")]
        socket::look_up_conversations(*self);
    }

    /// Whether the friend `user` is online now (tracked).
    pub fn online(&self, user: UserId) -> bool {
        self.presence.with(|p| p.contains(&user))
    }

    /// Who is typing in the conversation with `to` now (tracked).
    pub fn typing_in(&self, to: Destination) -> Vec<UserId> {
        self.typing.with(|map| {
            map.keys()
                .filter(|(user, group)| match to {
                    Destination::Direct { user_id } => group.is_none() && *user == user_id,
                    Destination::Group { group_id } => *group == Some(group_id),
                })
                .map(|(user, _)| *user)
                .collect()
        })
    }

    /// The conversation with `to`, if known.
    pub fn conversation_with(&self, to: Destination) -> Option<ConversationId> {
        self.conversations.with(|map| map.get(&to).copied())
    }

    /// Learns who each conversation is with, read positions and previews. Signals are
    /// only touched when something changed: effects that look conversations up when
    /// one is missing re-run on every change, so a no-op update would make them loop.
    pub fn learn_conversations(&self, summaries: &[ConversationSummary]) {
        self.conversations.maybe_update(|map| {
            let mut changed = false;
            for summary in summaries {
                changed |= map.insert(summary.with, summary.id) != Some(summary.id);
            }
            changed
        });
        self.read.maybe_update(|read| {
            let mut changed = false;
            for summary in summaries {
                let entry = read.entry(summary.id).or_insert(0);
                if summary.read_seq > *entry {
                    *entry = summary.read_seq;
                    changed = true;
                }
            }
            changed
        });
        self.latest.maybe_update(|latest| {
            let mut changed = false;
            for summary in summaries {
                if let Some(message) = &summary.last_message
                    && latest
                        .get(&summary.id)
                        .is_none_or(|known| known.seq < message.seq)
                {
                    latest.insert(summary.id, message.clone());
                    changed = true;
                }
            }
            changed
        });
        self.complete.maybe_update(|complete| {
            let mut changed = false;
            for summary in summaries.iter().filter(|s| s.last_seq == 0) {
                changed |= complete.insert(summary.id);
            }
            changed
        });
    }

    /// Adds messages (history pages, catch-up, live), keeping each conversation sorted
    /// and without repeats; own pending copies they confirm are dropped.
    pub fn insert_messages(&self, incoming: impl IntoIterator<Item = Message>) {
        let incoming: Vec<Message> = incoming.into_iter().collect();
        if incoming.is_empty() {
            return;
        }
        let me = self.me.get_untracked();
        let confirmed: Vec<String> = incoming
            .iter()
            .filter(|m| Some(m.sender_id) == me)
            .map(|m| m.client_id.clone())
            .collect();
        self.messages.update(|map| {
            for message in incoming {
                merge(map.entry(message.conversation_id).or_default(), message);
            }
        });
        if !confirmed.is_empty() {
            self.pending
                .update(|list| list.retain(|p| !confirmed.contains(&p.client_id)));
        }
    }

    /// The newest `seq` held per conversation, for `hello`.
    pub fn cursors(&self) -> Vec<Cursor> {
        self.messages.with_untracked(|map| {
            map.iter()
                .filter_map(|(&conversation_id, list)| {
                    list.last().map(|m| Cursor {
                        conversation_id,
                        seq: m.seq,
                    })
                })
                .collect()
        })
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // used by the socket
    fn apply_ack(&self, ack: SendAck) {
        let Some(pending) = self
            .pending
            .with_untracked(|list| list.iter().find(|p| p.client_id == ack.client_id).cloned())
        else {
            return;
        };
        self.conversations.update(|map| {
            map.insert(pending.to, ack.conversation_id);
        });
        if let Some(me) = self.me.get_untracked() {
            self.insert_messages([Message {
                conversation_id: ack.conversation_id,
                seq: ack.seq,
                sender_id: me,
                client_id: ack.client_id.clone(),
                body: pending.body,
                sent_at: ack.sent_at,
            }]);
        }
        self.pending
            .update(|list| list.retain(|p| p.client_id != ack.client_id));
    }

    /// Applies one frame from the server. Answers what the socket should do next.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // used by the socket
    fn receive(&self, frame: ServerFrame) -> Followup {
        match frame {
            ServerFrame::Welcome { user_id, .. } => {
                self.me.set(Some(user_id));
                self.presence.set(HashSet::new());
                self.caught_up.set(false);
                self.state.set(ConnectionState::Online);
                return Followup::Welcomed;
            }
            ServerFrame::Message { message } => {
                let known = self
                    .conversations
                    .with_untracked(|map| map.values().any(|&id| id == message.conversation_id));
                if self.caught_up.get_untracked()
                    && Some(message.sender_id) != self.me.get_untracked()
                {
                    self.arrived.set(Some(message.clone()));
                }
                self.insert_messages([message]);
                if !known {
                    return Followup::LookUpConversations;
                }
            }
            ServerFrame::CaughtUp => self.caught_up.set(true),
            ServerFrame::Ack { ack } => self.apply_ack(ack),
            ServerFrame::Read {
                conversation_id,
                seq,
            } => self.read.update(|read| {
                let entry = read.entry(conversation_id).or_insert(0);
                *entry = (*entry).max(seq);
            }),
            ServerFrame::Presence { user_id, online } => self.presence.update(|set| {
                if online {
                    set.insert(user_id);
                } else {
                    set.remove(&user_id);
                }
            }),
            ServerFrame::Typing { user_id, group_id } => {
                let key = (user_id, group_id);
                let mut token = 0;
                self.typing.update(|map| {
                    let entry = map.entry(key).or_insert(0);
                    *entry = entry.wrapping_add(1);
                    token = *entry;
                });
                return Followup::Typing(key, token);
            }
            ServerFrame::Error {
                code,
                message,
                client_id: Some(client_id),
            } if !retryable(code) => self.pending.update(|list| {
                if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                    p.failed = Some(message);
                }
            }),
            ServerFrame::Error { .. } => {}
        }
        Followup::None
    }

    /// Forgets everything (sign-out, another user).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // used by the socket
    fn clear(&self) {
        self.state.set(ConnectionState::Idle);
        self.transport.set(Transport::WebSocket);
        self.me.set(None);
        self.messages.set(HashMap::new());
        self.pending.set(Vec::new());
        self.conversations.set(HashMap::new());
        self.presence.set(HashSet::new());
        self.typing.set(HashMap::new());
        self.read.set(HashMap::new());
        self.latest.set(HashMap::new());
        self.complete.set(HashSet::new());
        self.fetched.set(HashSet::new());
        self.drafts.set_value(HashMap::new());
        self.arrived.set(None);
        self.caught_up.set(false);
    }
}

/// What the socket does after a frame.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // used by the socket
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Followup {
    None,
    /// Resend every pending message, reset the backoff.
    Welcomed,
    /// A message of a conversation we cannot place: ask `conversations()`.
    LookUpConversations,
    /// Hide this typing indicator later unless a newer one came.
    Typing(TypingKey, u32),
}

/// Refusals worth sending again later with the same `client_id`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // used by the socket and polling
fn retryable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unavailable | ErrorCode::Internal | ErrorCode::RateLimited
    )
}

impl Pending {
    #[cfg(feature = "hydrate")]
    fn frame(&self) -> penguin_protocol::ClientFrame {
        penguin_protocol::ClientFrame::Send {
            client_id: self.client_id.clone(),
            to: self.to,
            body: self.body.clone(),
        }
    }
}

/// Per conversation with any, the held messages after the read position that others sent.
fn count_unread(
    me: Option<UserId>,
    read: &HashMap<ConversationId, Seq>,
    messages: RwSignal<HashMap<ConversationId, Vec<Message>>>,
) -> HashMap<ConversationId, usize> {
    messages.with(|all| {
        all.iter()
            .map(|(conversation, messages)| {
                let position = read.get(conversation).copied().unwrap_or(0);
                let unread = messages
                    .iter()
                    .filter(|m| m.seq > position && Some(m.sender_id) != me)
                    .count();
                (*conversation, unread)
            })
            .filter(|(_, unread)| *unread > 0)
            .collect()
    })
}

/// Inserts `message` into `list` (sorted by `seq`) unless that `seq` is there already.
fn merge(list: &mut Vec<Message>, message: Message) {
    if list.last().is_none_or(|last| last.seq < message.seq) {
        list.push(message);
    } else if let Err(at) = list.binary_search_by_key(&message.seq, |m| m.seq) {
        list.insert(at, message);
    }
}

/// Creates the handle, provides it, and connects whenever someone is signed in; called
/// once, by `App`, after `auth::provide_auth`.
pub fn provide_realtime() -> Realtime {
    let realtime = Realtime::new();
    provide_context(realtime);
    #[cfg(feature = "hydrate")]
    follow_visibility(realtime.visible);
    let me = use_auth().me();
    // Effects run in the browser only: the server never opens anything.
    Effect::new(move |previous: Option<Option<UserId>>| {
        let user = me
            .get()
            .and_then(|answer| answer.ok())
            .flatten()
            .map(|u| u.id);
        if previous.as_ref() != Some(&user) {
            #[cfg(feature = "hydrate")]
            {
                socket::stop();
                poll::stop();
                // Cleared in a task of its own: the same change of user takes down the
                // previous user's screens, and clearing now would wake their effects in
                // the middle of that (reading values already disposed).
                set_timeout(
                    move || {
                        realtime.clear();
                        if user.is_some() {
                            // Known before any `welcome`: long polling has none.
                            realtime.me.set(user);
                            realtime.state.set(ConnectionState::Connecting);
                            socket::start(realtime);
                        }
                    },
                    std::time::Duration::ZERO,
                );
            }
        }
        user
    });
    realtime
}

/// Keeps `visible` in step with the page's visibility (background tab, minimised).
#[cfg(feature = "hydrate")]
fn follow_visibility(visible: RwSignal<bool>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let document = document();
    visible.set(!document.hidden());
    let on_change =
        Closure::<dyn FnMut()>::new(move || visible.set(!leptos::prelude::document().hidden()));
    let _ = document
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    // Listens for the tab's whole life.
    on_change.forget();
}

pub fn use_realtime() -> Realtime {
    use_context::<Realtime>().unwrap_or_else(provide_realtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: Seq) -> Message {
        Message {
            conversation_id: 1,
            seq,
            sender_id: 2,
            client_id: format!("c{seq}"),
            body: format!("#{seq}"),
            sent_at: 0,
        }
    }

    #[test]
    fn unread_counts_follow_messages_and_read_positions() {
        let owner = Owner::new();
        owner.set();
        let rt = Realtime::new();
        rt.me.set(Some(9));
        rt.insert_messages((1..=4).map(message));
        let mine = Message {
            sender_id: 9,
            ..message(5)
        };
        rt.insert_messages([mine]);
        let conversation = message(1).conversation_id;
        assert_eq!(rt.unread_counts().get(&conversation), Some(&4));
        rt.read.update(|read| {
            read.insert(conversation, 3);
        });
        assert_eq!(rt.unread_counts().get(&conversation), Some(&1));
        rt.read.update(|read| {
            read.insert(conversation, 5);
        });
        assert!(rt.unread_counts().is_empty());
    }

    #[test]
    fn merge_keeps_order_without_repeats() {
        let mut list = Vec::new();
        for seq in [3, 1, 2, 3, 5, 4, 1, 5] {
            merge(&mut list, message(seq));
        }
        let seqs: Vec<Seq> = list.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn ack_turns_pending_into_a_message() {
        let owner = Owner::new();
        owner.set();
        let rt = Realtime::new();
        rt.me.set(Some(9));
        rt.pending.set(vec![Pending {
            client_id: "abc".into(),
            to: Destination::Direct { user_id: 2 },
            body: "hi".into(),
            failed: None,
            stalled: false,
            attempt: 0,
        }]);
        rt.receive(ServerFrame::Ack {
            ack: SendAck {
                client_id: "abc".into(),
                conversation_id: 4,
                seq: 7,
                sent_at: 1,
            },
        });
        assert!(rt.pending.get_untracked().is_empty());
        assert_eq!(
            rt.conversation_with(Destination::Direct { user_id: 2 }),
            Some(4)
        );
        // The echo of the same message adds nothing.
        let echo = Message {
            conversation_id: 4,
            seq: 7,
            sender_id: 9,
            client_id: "abc".into(),
            body: "hi".into(),
            sent_at: 1,
        };
        assert_eq!(
            rt.receive(ServerFrame::Message { message: echo }),
            Followup::None
        );
        let list = rt.messages.get_untracked();
        assert_eq!(list[&4].len(), 1);
        assert_eq!(
            rt.cursors(),
            vec![Cursor {
                conversation_id: 4,
                seq: 7
            }]
        );
    }
}
