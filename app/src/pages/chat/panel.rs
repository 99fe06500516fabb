//! The left side of the chat: tabs "Friends", "Groups" and "Recent" (WAI-ARIA tabs:
//! arrow keys move between them), each entry with its avatar, name, last message and
//! time, unread badge, and for friends a presence dot. Incoming friend requests sit on
//! top of the Friends tab with Accept and Decline; finding people and creating groups
//! are a click away on the contacts page.

use super::attention::NotificationsButton;
use super::clock::entry_time;
use super::directory::{Directory, use_directory};
use crate::components::{ActionButton, Avatar, ErrorMessage};
use crate::i18n::{Key, use_i18n, use_locale};
use crate::realtime::{Realtime, use_realtime};
use crate::{AppError, api};
use leptos::prelude::*;
use leptos_router::components::A;
use penguin_protocol::{Destination, FriendRequest, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Friends,
    Groups,
    Recent,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Friends, Tab::Groups, Tab::Recent];

    fn label(self) -> Key {
        match self {
            Tab::Friends => Key::FriendsHeading,
            Tab::Groups => Key::GroupsHeading,
            Tab::Recent => Key::TabRecent,
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Friends => "tab-friends",
            Tab::Groups => "tab-groups",
            Tab::Recent => "tab-recent",
        }
    }
}

/// The address of the chat with `to`.
pub fn chat_path(to: Destination) -> String {
    match to {
        Destination::Direct { user_id } => format!("/chat/direct/{user_id}"),
        Destination::Group { group_id } => format!("/chat/group/{group_id}"),
    }
}

#[component]
pub fn ContactPanel(selected: Memo<Option<Destination>>) -> impl IntoView {
    let t = use_i18n();
    let tab = RwSignal::new(Tab::Friends);
    let realtime = use_realtime();
    // Unread per tab, for the small counts on the tabs themselves.
    let tab_unread = move |which: Tab| {
        realtime.unread.with(|counts| {
            realtime.conversations.with(|map| {
                map.iter()
                    .filter(|(to, _)| match which {
                        Tab::Friends => matches!(to, Destination::Direct { .. }),
                        Tab::Groups => matches!(to, Destination::Group { .. }),
                        Tab::Recent => true,
                    })
                    .filter_map(|(_, id)| counts.get(id))
                    .sum::<usize>()
            })
        })
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        let at = Tab::ALL
            .iter()
            .position(|t| *t == tab.get_untracked())
            .unwrap_or(0);
        let next = match event.key().as_str() {
            "ArrowRight" | "ArrowDown" => (at + 1) % Tab::ALL.len(),
            "ArrowLeft" | "ArrowUp" => (at + Tab::ALL.len() - 1) % Tab::ALL.len(),
            "Home" => 0,
            "End" => Tab::ALL.len() - 1,
            _ => return,
        };
        event.prevent_default();
        tab.set(Tab::ALL[next]);
        focus_by_id(Tab::ALL[next].id());
    };
    view! {
        <nav class="contact-panel" aria-label=move || t(Key::ContactsPanel)>
            <div class="tabs" role="tablist" on:keydown=on_keydown>
                {Tab::ALL
                    .into_iter()
                    .map(|which| {
                        let chosen = move || tab.get() == which;
                        view! {
                            <button
                                type="button"
                                role="tab"
                                id=which.id()
                                class="tab"
                                aria-selected=move || chosen().to_string()
                                aria-controls="contacts-tabpanel"
                                tabindex=move || if chosen() { "0" } else { "-1" }
                                on:click=move |_| tab.set(which)
                            >
                                {move || t(which.label())}
                                {move || {
                                    let n = tab_unread(which);
                                    (n > 0)
                                        .then(|| {
                                            view! {
                                                <span class="tab-count" aria-hidden="true">
                                                    {badge_text(n)}
                                                </span>
                                            }
                                        })
                                }}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div
                class="tabpanel"
                role="tabpanel"
                id="contacts-tabpanel"
                aria-labelledby=move || tab.get().id()
            >
                {move || match tab.get() {
                    Tab::Friends => view! { <FriendEntries selected /> }.into_any(),
                    Tab::Groups => view! { <GroupEntries selected /> }.into_any(),
                    Tab::Recent => view! { <RecentEntries selected /> }.into_any(),
                }}
            </div>
            <p class="panel-actions">
                <A href="/contacts#find-people">{move || t(Key::FindPeople)}</A>
                <A href="/contacts#create-group">{move || t(Key::NewGroupLink)}</A>
                <NotificationsButton />
            </p>
        </nav>
    }
}

fn focus_by_id(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// "3", or "99+" for many.
fn badge_text(n: usize) -> String {
    if n > 99 {
        "99+".to_owned()
    } else {
        n.to_string()
    }
}

#[component]
fn FriendEntries(selected: Memo<Option<Destination>>) -> impl IntoView {
    let directory = use_directory();
    view! {
        <FriendRequestsInPanel directory />
        <EntryList
            items=directory.friends
            label=Key::FriendsHeading
            empty=Key::NoFriends
            entry=|friend: penguin_protocol::Friend| {
                (Destination::Direct { user_id: friend.user.id }, friend.user.display_name)
            }
            selected
        />
    }
}

#[component]
fn GroupEntries(selected: Memo<Option<Destination>>) -> impl IntoView {
    view! {
        <EntryList
            items=use_directory().groups
            label=Key::GroupsHeading
            empty=Key::NoGroups
            entry=|group: penguin_protocol::GroupSummary| {
                (Destination::Group { group_id: group.id }, group.name)
            }
            selected
        />
    }
}

/// One loaded list of the panel: `entry` says whom an item is and its name.
#[component]
fn EntryList<T, F>(
    items: Resource<Result<Vec<T>, AppError>>,
    /// The list's accessible name.
    label: Key,
    /// What an empty list says.
    empty: Key,
    entry: F,
    selected: Memo<Option<Destination>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> (Destination, String) + Copy + Send + Sync + 'static,
{
    let t = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="notice">{move || t(empty)}</p> }.into_any()
                    }
                    Ok(list) => view! {
                        <ul class="contact-list" aria-label=move || t(label)>
                            {list
                                .into_iter()
                                .map(|item| {
                                    let (to, name) = entry(item);
                                    view! { <ContactEntry to name selected /> }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Every conversation with a message, newest activity first.
#[component]
fn RecentEntries(selected: Memo<Option<Destination>>) -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let directory = use_directory();
    let (friends, groups) = (directory.friends, directory.groups);
    let recent = Memo::new(move |_| {
        let mut list: Vec<(Destination, Message)> = realtime
            .conversations
            .get()
            .into_iter()
            .filter_map(|(to, id)| realtime.preview(id).map(|m| (to, m)))
            .collect();
        list.sort_by(|a, b| b.1.sent_at.cmp(&a.1.sent_at).then(b.1.seq.cmp(&a.1.seq)));
        list.into_iter().map(|(to, _)| to).collect::<Vec<_>>()
    });
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let (friends, groups) = (friends.await, groups.await);
                let (Ok(friends), Ok(groups)) = (friends, groups) else {
                    return view! { <ErrorMessage problem=AppError::new(penguin_protocol::ErrorCode::Unavailable) /> }
                        .into_any();
                };
                let name_of = move |to: Destination| match to {
                    Destination::Direct { user_id } => friends
                        .iter()
                        .find(|f| f.user.id == user_id)
                        .map(|f| f.user.display_name.clone()),
                    Destination::Group { group_id } => {
                        groups.iter().find(|g| g.id == group_id).map(|g| g.name.clone())
                    }
                };
                view! {
                    <Show
                        when=move || !recent.with(Vec::is_empty)
                        fallback=move || view! { <p class="notice">{move || t(Key::NoConversations)}</p> }
                    >
                        <ul class="contact-list" aria-label=move || t(Key::TabRecent)>
                            <For
                                each=move || recent.get()
                                key=|to| *to
                                children={
                                    let name_of = name_of.clone();
                                    move |to| {
                                        let name = name_of(to).unwrap_or_else(|| "…".to_owned());
                                        view! { <ContactEntry to name selected /> }
                                    }
                                }
                            />
                        </ul>
                    </Show>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// Incoming friend requests, answered right here.
#[component]
fn FriendRequestsInPanel(directory: Directory) -> impl IntoView {
    let t = use_i18n();
    let requests = directory.requests;
    let answer = Action::new(move |(id, accept): &(i64, bool)| {
        let (id, accept) = (*id, *accept);
        async move {
            let result = api::answer_friend_request(id, accept).await;
            directory.refresh();
            result
        }
    });
    let problem = RwSignal::new(None::<crate::components::Problem>);
    Effect::new(move |_| {
        if let Some(Err(error)) = answer.value().get() {
            problem.set(Some(error.into()));
        }
    });
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let incoming: Vec<FriendRequest> =
                    requests.await.map(|r| r.incoming).unwrap_or_default();
                (!incoming.is_empty())
                    .then(|| {
                        view! {
                            <section class="panel-requests" aria-labelledby="panel-requests-heading">
                                <h2 id="panel-requests-heading">{move || t(Key::FriendRequestsHeading)}</h2>
                                <crate::components::ProblemAlert problem />
                                <ul class="contact-list">
                                    {incoming
                                        .into_iter()
                                        .map(|request| {
                                            let id = request.id;
                                            let name = request.user.display_name.clone();
                                            view! {
                                                <li class="request">
                                                    <Avatar name=name.clone() id=request.user.id />
                                                    <span class="contact-name">{name.clone()}</span>
                                                    <span class="actions">
                                                        <ActionButton
                                                            label=Key::Accept
                                                            subject=name.clone()
                                                            on_click=move || {
                                                                answer.dispatch((id, true));
                                                            }
                                                        />
                                                        <ActionButton
                                                            label=Key::Decline
                                                            subject=name
                                                            secondary=true
                                                            on_click=move || {
                                                                answer.dispatch((id, false));
                                                            }
                                                        />
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
                    })
            })}
        </Transition>
    }
}

/// One friend or group in a list.
#[component]
fn ContactEntry(
    to: Destination,
    name: String,
    selected: Memo<Option<Destination>>,
) -> impl IntoView {
    let t = use_i18n();
    let locale = use_locale();
    let realtime = use_realtime();
    let directory = use_directory();
    let conversation = Memo::new(move |_| realtime.conversation_with(to));
    let count = move || {
        conversation
            .get()
            .and_then(|id| realtime.unread.with(|u| u.get(&id).copied()))
            .unwrap_or(0)
    };
    let latest = Memo::new(move |_| conversation.get().and_then(|id| realtime.preview(id)));
    let is_selected = move || selected.get() == Some(to);
    let (id, group) = match to {
        Destination::Direct { user_id } => (user_id, false),
        Destination::Group { group_id } => (group_id, true),
    };
    let preview = move || preview_text(realtime, directory, to, latest.get(), t);
    // A group's preview names its sender: load the group's names once it has one.
    if let Destination::Group { group_id } = to {
        Effect::new(move |_| {
            if latest.with(|m| {
                m.as_ref()
                    .is_some_and(|m| Some(m.sender_id) != realtime.me.get())
            }) {
                directory.load_members(group_id);
            }
        });
    }
    view! {
        <li class="contact" class:selected=is_selected data-testid="contact">
            // `A` marks the open chat with `aria-current="page"` itself.
            <A href=chat_path(to) attr:class="contact-link">
                <span class="avatar-wrap">
                    <Avatar name=name.clone() id group />
                    // Friends only.
                    {(!group)
                        .then(|| {
                            let online = move || realtime.online(id);
                            view! {
                                <span
                                    class="presence-dot"
                                    class:online=online
                                    data-testid="presence-dot"
                                    role="img"
                                    aria-label=move || {
                                        if online() { t(Key::FriendOnline) } else { t(Key::FriendOffline) }
                                    }
                                ></span>
                            }
                        })}
                </span>
                <span class="contact-text">
                    <span class="contact-name">{name}</span>
                    <span class="contact-preview" data-testid="preview">
                        {move || match preview() {
                            (Some(who), text) => view! { <bdi>{who}</bdi>": "{text} }.into_any(),
                            (None, text) => text.into_any(),
                        }}
                    </span>
                </span>
                <span class="contact-meta">
                    <span class="contact-time">
                        {move || latest.get().map(|m| entry_time(m.sent_at, locale.get()))}
                    </span>
                    {move || {
                        let n = count();
                        (n > 0)
                            .then(|| {
                                view! {
                                    <span
                                        class="badge"
                                        role="img"
                                        data-testid="unread-badge"
                                        aria-label=move || t(Key::UnreadCount).replace("{}", &n.to_string())
                                    >
                                        {badge_text(n)}
                                    </span>
                                }
                            })
                    }}
                </span>
            </A>
        </li>
    }
}

/// The second line of an entry: someone typing, or the last message and who wrote it
/// ("Me" for one's own, the sender's name in groups; shown as "Me: …", "Name: …").
fn preview_text(
    realtime: Realtime,
    directory: Directory,
    to: Destination,
    latest: Option<Message>,
    t: impl Fn(Key) -> &'static str,
) -> (Option<String>, String) {
    if !realtime.typing_in(to).is_empty() {
        return (None, t(Key::TypingShort).to_owned());
    }
    let Some(message) = latest else {
        return (None, String::new());
    };
    let body = one_line(&message.body);
    let who = if Some(message.sender_id) == realtime.me.get() {
        Some(t(Key::Me).to_owned())
    } else if let Destination::Group { .. } = to {
        directory.name_in(to, message.sender_id)
    } else {
        None
    };
    (who, body)
}

/// The first line, shortened: previews are one line.
fn one_line(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_and_previews_stay_short() {
        assert_eq!(badge_text(7), "7");
        assert_eq!(badge_text(100), "99+");
        assert_eq!(one_line("\n  \nhello\nworld"), "hello");
        let long = "字".repeat(100);
        assert_eq!(one_line(&long).chars().count(), 81);
    }

    #[test]
    fn chat_paths() {
        assert_eq!(
            chat_path(Destination::Direct { user_id: 3 }),
            "/chat/direct/3"
        );
        assert_eq!(
            chat_path(Destination::Group { group_id: 4 }),
            "/chat/group/4"
        );
    }
}
