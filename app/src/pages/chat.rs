//! `/chat/:kind/:id`: one conversation, with a friend (`direct`, their user id) or in a
//! group (`group`, its id). History comes over HTTP (`conversations()` to find the
//! conversation, then `history(..)`), everything newer from the real-time socket; both
//! land in the same [`Realtime`] store, deduplicated by `seq`. Message text is rendered
//! as text only.

use crate::components::{ErrorMessage, SignedIn};
use crate::i18n::{Key, use_i18n};
use crate::realtime::{ConnectionState, Realtime, Transport, use_realtime};
use crate::{AppError, api};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use penguin_protocol::{Destination, ErrorCode, Message, UserId};
use std::collections::HashMap;

/// Who the page is with, from the address.
fn destination(kind: Option<&str>, id: Option<&str>) -> Option<Destination> {
    let id: i64 = id?.parse().ok()?;
    match kind? {
        "direct" => Some(Destination::Direct { user_id: id }),
        "group" => Some(Destination::Group { group_id: id }),
        _ => None,
    }
}

#[component]
pub fn ChatPage() -> impl IntoView {
    let t = use_i18n();
    let params = use_params_map();
    let to = Memo::new(move |_| params.with(|p| destination(p.get_str("kind"), p.get_str("id"))));
    view! {
        <Title text=move || t(Key::ChatPageTitle) />
        <SignedIn let:user>
            <ChatView to me=user.id />
        </SignedIn>
    }
}

/// The conversation's title and the display names of its people.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Header {
    title: String,
    names: HashMap<UserId, String>,
}

async fn header(to: Option<Destination>) -> Result<Header, AppError> {
    match to {
        Some(Destination::Direct { user_id }) => {
            let friend = api::friends()
                .await?
                .into_iter()
                .find(|f| f.user.id == user_id)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
            let name = friend.user.display_name;
            Ok(Header {
                title: name.clone(),
                names: HashMap::from([(user_id, name)]),
            })
        }
        Some(Destination::Group { group_id }) => {
            let details = api::group(group_id).await?;
            Ok(Header {
                title: details.group.name,
                names: details
                    .members
                    .into_iter()
                    .map(|m| (m.user.id, m.user.display_name))
                    .collect(),
            })
        }
        None => Err(AppError::new(ErrorCode::NotFound)),
    }
}

#[component]
fn ChatView(to: Memo<Option<Destination>>, me: UserId) -> impl IntoView {
    let t = use_i18n();
    let header = Resource::new(move || to.get(), header);
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match (header.await, to.get_untracked()) {
                    (Ok(header), Some(to)) => {
                        let heading = match to {
                            Destination::Direct { .. } => t(Key::ChattingWith).replace("{}", &header.title),
                            Destination::Group { .. } => header.title.clone(),
                        };
                        let back = match to {
                            Destination::Group { group_id } => format!("/groups/{group_id}"),
                            Destination::Direct { .. } => "/contacts".to_owned(),
                        };
                        view! {
                            <section class="card chat" aria-labelledby="chat-heading">
                                <p class="breadcrumb">
                                    <A href=back>{move || t(Key::BackToContacts)}</A>
                                </p>
                                <h1 id="chat-heading">{heading}</h1>
                                <ChatBox to me names=header.names />
                            </section>
                        }
                            .into_any()
                    }
                    (Err(error), _) => view! {
                        <section class="card narrow">
                            <h1>{move || t(Key::ChatPageTitle)}</h1>
                            <ErrorMessage problem=error />
                            <A href="/contacts">{move || t(Key::BackToContacts)}</A>
                        </section>
                    }
                        .into_any(),
                    (Ok(_), None) => view! {
                        <section class="card narrow">
                            <ErrorMessage problem=AppError::new(ErrorCode::NotFound) />
                        </section>
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

/// Loads the newest history page of the conversation with `to` into the store.
fn load_history(realtime: Realtime, to: Destination) {
    leptos::task::spawn_local(async move {
        let Ok(summaries) = api::conversations().await else {
            return;
        };
        realtime.learn_conversations(&summaries);
        let Some(id) = summaries.iter().find(|s| s.with == to).map(|s| s.id) else {
            return;
        };
        if let Ok(page) = api::history(id, None, Some(50)).await {
            realtime.insert_messages(page);
        }
    });
}

#[component]
fn ChatBox(to: Destination, me: UserId, names: HashMap<UserId, String>) -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let names = StoredValue::new(names);
    let conversation = Memo::new(move |_| realtime.conversation_with(to));
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
    let newest = Memo::new(move |_| messages.with(|list| list.last().map(|m| m.seq)));

    // Browser only: history, then read positions and scrolling as messages come.
    Effect::new(move |_| load_history(realtime, to));
    Effect::new(move |_| {
        let online = realtime.state.get() == ConnectionState::Online;
        if let (true, Some(id), Some(seq)) = (online, conversation.get(), newest.get()) {
            realtime.mark_read(id, seq);
        }
    });
    let log = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        messages.track();
        pending.track();
        if let Some(log) = log.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });

    let sender_name = move |id: UserId| {
        if id == me {
            t(Key::Me).to_owned()
        } else {
            names.with_value(|n| n.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
        }
    };
    let typing = move || {
        let who: Vec<String> = realtime.typing.with(|map| {
            map.keys()
                .filter(|(user, group)| match to {
                    Destination::Direct { user_id } => group.is_none() && *user == user_id,
                    Destination::Group { group_id } => *group == Some(group_id),
                })
                .map(|(user, _)| sender_name(*user))
                .collect()
        });
        (!who.is_empty()).then(|| t(Key::IsTyping).replace("{}", &who.join(", ")))
    };
    let status = move || match realtime.state.get() {
        ConnectionState::Reconnecting => t(Key::Reconnecting),
        ConnectionState::Connecting => t(Key::Connecting),
        ConnectionState::Online | ConnectionState::Idle => "",
    };
    let online_badge = move || match to {
        Destination::Direct { user_id } if realtime.presence.with(|p| p.contains(&user_id)) => {
            Some(
                view! { <span class="presence" data-testid="presence">{move || t(Key::FriendOnline)}</span> },
            )
        }
        _ => None,
    };

    let text = RwSignal::new(String::new());
    let submit = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        realtime.send(to, body);
        text.set(String::new());
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
            event.prevent_default();
            submit();
        }
    };

    view! {
        <p
            class="connection"
            role="status"
            data-testid="connection"
            data-transport=move || realtime.transport.get().as_str()
            title=move || {
                (realtime.transport.get() == Transport::LongPolling).then(|| t(Key::LongPolling))
            }
        >
            {status}
        </p>
        {online_badge}
        <div class="chat-log" node_ref=log>
            <ol class="messages" aria-label=move || t(Key::ChatMessages)>
                <For
                    each=move || messages.get()
                    key=|m: &Message| m.seq
                    children=move |m: Message| {
                        let own = m.sender_id == me;
                        view! {
                            <li class="message" class:own=own data-seq=m.seq data-testid="message">
                                <span class="sender">{sender_name(m.sender_id)}</span>
                                <p class="body">{m.body}</p>
                            </li>
                        }
                    }
                />
                <For
                    each=move || pending.get()
                    key=|p| (p.client_id.clone(), p.failed.clone())
                    children=move |p| {
                        let state = if p.failed.is_some() { Key::NotSent } else { Key::Sending };
                        let reason = p.failed.clone().unwrap_or_default();
                        view! {
                            <li class="message own pending" data-testid="pending-message" title=reason>
                                <span class="sender">{move || t(Key::Me)}</span>
                                <p class="body">{p.body}</p>
                                <span class="delivery">{move || t(state)}</span>
                            </li>
                        }
                    }
                />
            </ol>
            <Show when=move || messages.with(Vec::is_empty) && pending.with(Vec::is_empty)>
                <p class="notice">{move || t(Key::NoMessagesYet)}</p>
            </Show>
        </div>
        <p class="typing" aria-live="polite">{typing}</p>
        <form
            class="composer"
            on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                submit();
            }
        >
            <textarea
                name="message"
                rows="2"
                aria-label=move || t(Key::MessageLabel)
                placeholder=move || t(Key::ChatComposerHint)
                maxlength="4000"
                prop:value=move || text.get()
                on:input:target=move |event| {
                    text.set(event.target().value());
                    realtime.typing_to(to);
                }
                on:keydown=on_keydown
            ></textarea>
            <button type="submit">{move || t(Key::SendButton)}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_destination() {
        assert_eq!(
            destination(Some("direct"), Some("5")),
            Some(Destination::Direct { user_id: 5 })
        );
        assert_eq!(
            destination(Some("group"), Some("2")),
            Some(Destination::Group { group_id: 2 })
        );
        assert_eq!(destination(Some("room"), Some("2")), None);
        assert_eq!(destination(Some("group"), Some("x")), None);
    }
}
