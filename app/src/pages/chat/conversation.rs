//! The right side of the chat: who it is with ("Chatting with X", or the group's name
//! and member count), the message log, who is typing, and the composer.

use super::composer::Composer;
use super::directory::use_directory;
use super::message_log::MessageLog;
use crate::AppError;
use crate::components::{ErrorMessage, with_names};
use crate::i18n::{Key, use_i18n};
use crate::realtime::{ConnectionState, use_realtime};
use leptos::prelude::*;
use leptos_router::components::A;
use penguin_protocol::{Destination, ErrorCode, GroupSummary, UserId, UserSummary};

/// Whom the chat is with, as the heading shows it.
#[derive(Debug, Clone)]
enum Partner {
    Friend(UserSummary),
    Group(GroupSummary),
}

#[component]
pub fn Conversation(to: Destination, me: UserId) -> impl IntoView {
    let t = use_i18n();
    let directory = use_directory();
    let (friends, groups) = (directory.friends, directory.groups);
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let partner = match to {
                    Destination::Direct { user_id } => friends.await.map(|list| {
                        list.into_iter()
                            .find(|f| f.user.id == user_id)
                            .map(|f| Partner::Friend(f.user))
                    }),
                    Destination::Group { group_id } => groups.await.map(|list| {
                        list.into_iter().find(|g| g.id == group_id).map(Partner::Group)
                    }),
                };
                match partner {
                    Ok(Some(partner)) => view! { <ChatBox to me partner /> }.into_any(),
                    Ok(None) => view! { <ErrorMessage problem=AppError::new(ErrorCode::NotFound) /> }
                        .into_any(),
                    Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChatBox(to: Destination, me: UserId, partner: Partner) -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let directory = use_directory();
    let conversation = Memo::new(move |_| realtime.conversation_with(to));

    // Browser only: find the conversation (a first chat has none until the first
    // message), fetch its newest page once per tab, and the group's member names.
    Effect::new(move |_| {
        if let Some(id) = conversation.get() {
            realtime.fetch_newest(id);
        }
    });
    // Once per opening (untracked: learning conversations must not re-run it).
    Effect::new(move |_| {
        if realtime
            .conversations
            .with_untracked(|map| !map.contains_key(&to))
        {
            realtime.look_up_conversations();
        }
    });
    // The newest held message: (conversation, seq, sender).
    let newest = Memo::new(move |_| {
        conversation.get().and_then(|id| {
            realtime.messages.with(|map| {
                map.get(&id)
                    .and_then(|l| l.last())
                    .map(|m| (id, m.seq, m.sender_id))
            })
        })
    });
    if let Destination::Group { group_id } = to {
        Effect::new(move |_| directory.load_members(group_id));
        // A member who joined after the names were loaded gets a name at their first
        // message.
        Effect::new(move |_| {
            if let Some((_, _, sender)) = newest.get().filter(|(_, _, s)| *s != me) {
                directory.know_sender(group_id, sender);
            }
        });
    }

    let title = match &partner {
        Partner::Friend(user) => (Some(Key::ChattingWith), user.display_name.clone()),
        Partner::Group(group) => (None, group.name.clone()),
    };
    // In the current language: "Chatting with X" / "正在跟 X 聊天", a group by its name.
    let heading = move || match &title {
        (Some(key), name) => with_names(t(*key), vec![name.clone()]).into_any(),
        (None, name) => name.clone().into_any(),
    };
    let details = match partner {
        Partner::Friend(user) => {
            let id = user.id;
            let online = move || realtime.online(id);
            view! {
                <span class="chat-subtitle">
                    <span class="username">{format!("@{}", user.username)}</span>
                    <Show when=online>
                        <span class="presence" data-testid="presence">{move || t(Key::FriendOnline)}</span>
                    </Show>
                </span>
            }
            .into_any()
        }
        Partner::Group(group) => {
            let members = group.member_count.to_string();
            view! {
                <span class="chat-subtitle">
                    <span data-testid="member-count">
                        {move || t(Key::MemberTotal).replace("{}", &members)}
                    </span>
                    <A href=format!("/groups/{}", group.id)>{move || t(Key::GroupDetailsLink)}</A>
                </span>
            }
            .into_any()
        }
    };
    let sender_name = move |id: UserId| {
        if id == me {
            t(Key::Me).to_owned()
        } else {
            directory
                .name_in(to, id)
                .unwrap_or_else(|| format!("#{id}"))
        }
    };
    let typing = move || {
        let who: Vec<String> = realtime
            .typing_in(to)
            .into_iter()
            .map(sender_name)
            .collect();
        (!who.is_empty()).then(|| with_names(t(Key::IsTyping), who))
    };
    // Read up to the newest message once it can have been seen: the socket is up, the
    // page is visible and the log is scrolled to the bottom.
    let at_bottom = RwSignal::new(true);
    Effect::new(move |_| {
        let online = realtime.state.get() == ConnectionState::Online;
        if let (true, true, true, Some((id, seq, _))) = (
            online,
            realtime.visible.get(),
            at_bottom.get(),
            newest.get(),
        ) {
            realtime.mark_read(id, seq);
        }
    });

    view! {
        <header class="chat-header">
            <A href="/chat" attr:class="back-to-list">{move || t(Key::BackToList)}</A>
            <div class="chat-title">
                <h1 id="chat-heading">{heading}</h1>
                {details}
            </div>
        </header>
        <MessageLog to me conversation at_bottom sender_name />
        <p class="typing" aria-live="polite">{typing}</p>
        <Composer to />
    }
}
