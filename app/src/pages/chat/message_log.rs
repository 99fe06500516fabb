//! The message log (`role="log"`): day separators, own messages on the right, the
//! sending state of what this tab sent (Sending…, Not sent with Retry).
//!
//! Scrolling: it follows new messages while the user is at the bottom; when they have
//! scrolled up, new messages show a "New messages" pill instead of moving the view.
//! Reaching the top loads the previous page and keeps what was on screen in place.

use super::clock::{WallTime, day_label, now, wall_time};
use super::message_text::MessageText;
use crate::i18n::{Key, use_i18n, use_locale};
use crate::realtime::{Pending, SendState, use_realtime};
use leptos::html;
use leptos::prelude::*;
use penguin_protocol::{ConversationId, Destination, Message, Seq, UserId};

/// Within this many pixels of the end counts as "at the bottom".
const BOTTOM_SLACK: i32 = 48;
/// Within this many pixels of the start, the previous page is loaded.
const TOP_TRIGGER: i32 = 64;

/// One line of the log.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    Day(WallTime),
    Message(Message),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RowKey {
    Day(i64),
    Message(Seq),
}

impl Row {
    fn key(&self) -> RowKey {
        match self {
            Row::Day(day) => RowKey::Day(day.day_key()),
            Row::Message(m) => RowKey::Message(m.seq),
        }
    }
}

/// The messages with a separator before the first message of each day.
fn rows(messages: &[Message]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(messages.len() + 4);
    let mut day = None;
    for message in messages {
        let when = wall_time(message.sent_at);
        if day != Some(when.day_key()) {
            day = Some(when.day_key());
            rows.push(Row::Day(when));
        }
        rows.push(Row::Message(message.clone()));
    }
    rows
}

#[component]
pub fn MessageLog(
    to: Destination,
    me: UserId,
    conversation: Memo<Option<ConversationId>>,
    /// Kept up to date here; the chat marks messages read only while it is true.
    at_bottom: RwSignal<bool>,
    sender_name: impl Fn(UserId) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_i18n();
    let locale = use_locale();
    let realtime = use_realtime();
    let messages = Memo::new(move |_| match conversation.get() {
        Some(id) => realtime
            .messages
            .with(|map| map.get(&id).cloned().unwrap_or_default()),
        None => Vec::new(),
    });
    let pending = Memo::new(move |_| {
        realtime.pending.with(|list| {
            list.iter()
                .filter(|p| p.to == to)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let rows = Memo::new(move |_| messages.with(|m| rows(m)));
    let complete = move || {
        conversation
            .get()
            .is_some_and(|id| realtime.complete.with(|c| c.contains(&id)))
    };
    let log = NodeRef::<html::Div>::new();
    let unseen = RwSignal::new(false);
    let loading_older = RwSignal::new(false);

    let scroll_to_bottom = move || {
        if let Some(log) = log.get_untracked() {
            log.set_scroll_top(log.scroll_height());
        }
        unseen.set(false);
    };
    // New at the end (not older pages at the start): follow it if the user was at the
    // bottom or sent it; otherwise offer the pill.
    let newest = Memo::new(move |_| {
        let last = messages.with(|l| l.last().map(|m| (m.seq, m.sender_id == me)));
        (last, pending.with(Vec::len))
    });
    Effect::new(move |previous: Option<()>| {
        let ((last, pending_count), first) = (newest.get(), previous.is_none());
        let own = last.is_some_and(|(_, own)| own) || pending_count > 0;
        if first || at_bottom.get_untracked() || own {
            request_animation_frame(scroll_to_bottom);
        } else if last.is_some() {
            unseen.set(true);
        }
    });

    let load_older = move || {
        let Some(id) = conversation.get_untracked() else {
            return;
        };
        if loading_older.get_untracked() || realtime.complete.with_untracked(|c| c.contains(&id)) {
            return;
        }
        let Some(element) = log.get_untracked() else {
            return;
        };
        loading_older.set(true);
        let (height_before, top_before) = (element.scroll_height(), element.scroll_top());
        leptos::task::spawn_local(async move {
            let got = realtime.fetch_older(id).await;
            request_animation_frame(move || {
                if got && let Some(element) = log.get_untracked() {
                    // What was on screen stays where it was.
                    element.set_scroll_top(element.scroll_height() - height_before + top_before);
                }
                loading_older.set(false);
            });
        });
    };
    let on_scroll = move |_| {
        let Some(element) = log.get_untracked() else {
            return;
        };
        let from_end = element.scroll_height() - element.scroll_top() - element.client_height();
        let bottom = from_end <= BOTTOM_SLACK;
        if bottom != at_bottom.get_untracked() {
            at_bottom.set(bottom);
        }
        if bottom {
            unseen.set(false);
        }
        if element.scroll_top() <= TOP_TRIGGER {
            load_older();
        }
    };
    // A short first page does not scroll: load more until it does or history ends.
    Effect::new(move |_| {
        rows.track();
        if complete() || loading_older.get() {
            return;
        }
        request_animation_frame(move || {
            if let Some(element) = log.get_untracked()
                && element.scroll_height() <= element.client_height()
                && !messages.with_untracked(Vec::is_empty)
            {
                load_older();
            }
        });
    });

    let today = move || {
        let now = now();
        (wall_time(now), wall_time(now - 86_400_000))
    };

    view! {
        <div class="chat-log-wrap">
            <div
                class="chat-log"
                role="log"
                aria-label=move || t(Key::ChatMessages)
                tabindex="0"
                node_ref=log
                on:scroll=on_scroll
            >
                <Show when=move || !messages.with(Vec::is_empty)>
                    <p class="history-edge notice" data-testid="history-edge">
                        {move || {
                            if loading_older.get() {
                                t(Key::LoadingOlder)
                            } else if complete() {
                                t(Key::HistoryStart)
                            } else {
                                ""
                            }
                        }}
                    </p>
                </Show>
                <ol class="messages">
                    <For
                        each=move || rows.get()
                        key=Row::key
                        children=move |row| match row {
                            Row::Day(day) => view! {
                                <li class="day-separator" role="separator" data-testid="day-separator">
                                    <span>
                                        {move || {
                                            let (today, yesterday) = today();
                                            day_label(day, today, yesterday, locale.get())
                                        }}
                                    </span>
                                </li>
                            }
                            .into_any(),
                            Row::Message(m) => view! { <MessageRow m me sender_name /> }.into_any(),
                        }
                    />
                    <For
                        each=move || pending.get()
                        key=|p| (p.client_id.clone(), p.state())
                        children=move |p| view! { <PendingRow p /> }
                    />
                </ol>
                <Show when=move || messages.with(Vec::is_empty) && pending.with(Vec::is_empty)>
                    <p class="notice">{move || t(Key::NoMessagesYet)}</p>
                </Show>
            </div>
            <Show when=move || unseen.get()>
                <button
                    type="button"
                    class="new-messages"
                    on:click=move |_| scroll_to_bottom()
                >
                    {move || t(Key::NewMessages)}
                </button>
            </Show>
        </div>
    }
}

#[component]
fn MessageRow(
    m: Message,
    me: UserId,
    sender_name: impl Fn(UserId) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_i18n();
    let own = m.sender_id == me;
    let when = wall_time(m.sent_at);
    let sender = m.sender_id;
    view! {
        <li class="message" class:own=own data-seq=m.seq data-testid="message">
            <span class="sender">{move || sender_name(sender)}</span>
            <p class="body">
                <MessageText body=m.body />
            </p>
            <span class="meta">
                <time datetime=m.sent_at.to_string()>{when.clock()}</time>
                {own
                    .then(|| {
                        view! {
                            <span
                                class="delivery sent"
                                data-testid="sent"
                                role="img"
                                aria-label=move || t(Key::Sent)
                                title=move || t(Key::Sent)
                            >
                                "✓"
                            </span>
                        }
                    })}
            </span>
        </li>
    }
}

#[component]
fn PendingRow(p: Pending) -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let state = p.state();
    let (class, label) = match &state {
        SendState::Sending => ("sending", t(Key::Sending).to_owned()),
        SendState::Stalled => ("stalled", t(Key::NotSent).to_owned()),
        SendState::Refused(reason) => ("refused", t(Key::NotSentReason).replace("{}", reason)),
    };
    let client_id = p.client_id.clone();
    let retry = (state != SendState::Sending).then(|| {
        view! {
            <button
                type="button"
                class="secondary retry"
                on:click=move |_| realtime.retry(&client_id)
            >
                {move || t(Key::Retry)}
            </button>
        }
    });
    view! {
        <li
            class=format!("message own pending {class}")
            data-testid="pending-message"
            data-state=class
        >
            <span class="sender">{move || t(Key::Me)}</span>
            <p class="body">{p.body}</p>
            <span class="meta">
                <span class="delivery">{label}</span>
                {retry}
            </span>
        </li>
    }
}
