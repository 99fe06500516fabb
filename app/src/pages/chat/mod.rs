//! `/chat`: the main screen. A persistent shell (contact panel on the left, chat on the
//! right) around a nested route: `/chat` shows "pick someone", `/chat/:kind/:id` the
//! conversation with a friend (`direct`, their user id) or in a group (`group`, its id).
//!
//! Switching chats changes only the nested route: the shell, its lists and the message
//! store stay, so a chat seen before shows at once from the store (with its draft) and
//! only what is new is fetched. Message text is rendered as text only (`message_text`).

mod attention;
mod clock;
mod composer;
mod conversation;
mod directory;
mod emoji;
mod message_log;
mod message_text;
mod panel;

use crate::AppError;
use crate::components::{ErrorMessage, SignedIn};
use crate::i18n::{Key, use_i18n};
use crate::realtime::{ConnectionState, Transport, use_realtime};
use conversation::Conversation;
use directory::Directory;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map};
use panel::ContactPanel;
use penguin_protocol::{Destination, ErrorCode, UserId};

pub use attention::{UnreadFavicon, unread_title};

/// Who the page is with, from the address's last two segments.
fn destination(kind: Option<&str>, id: Option<&str>) -> Option<Destination> {
    let id: i64 = id?.parse().ok()?;
    match kind? {
        "direct" => Some(Destination::Direct { user_id: id }),
        "group" => Some(Destination::Group { group_id: id }),
        _ => None,
    }
}

/// The chat an address shows (`/chat/direct/5`), if any.
fn destination_of_path(path: &str) -> Option<Destination> {
    let mut parts = path.trim_end_matches('/').rsplit('/');
    let id = parts.next();
    let kind = parts.next();
    (parts.next() == Some("chat"))
        .then(|| destination(kind, id))
        .flatten()
}

/// The signed-in user, for the parts of the shell.
#[derive(Debug, Clone, Copy)]
struct Me(UserId);

#[component]
pub fn ChatShell() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::ChatPageTitle) />
        <SignedIn let:user>
            <Shell me=user.id />
        </SignedIn>
    }
}

#[component]
fn Shell(me: UserId) -> impl IntoView {
    let realtime = use_realtime();
    Directory::provide(realtime);
    provide_context(Me(me));
    let pathname = use_location().pathname;
    let selected = Memo::new(move |_| pathname.with(|p| destination_of_path(p)));
    attention::notify_when_hidden();
    view! {
        <div class="shell" class:has-chat=move || selected.get().is_some()>
            <ConnectionBanner />
            <ContactPanel selected />
            <section class="chat-pane">
                <Outlet />
            </section>
        </div>
    }
}

/// "Reconnecting…" while the socket is down; empty (and out of the way) when online.
#[component]
fn ConnectionBanner() -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let status = move || match realtime.state.get() {
        ConnectionState::Reconnecting => t(Key::Reconnecting),
        ConnectionState::Connecting => t(Key::Connecting),
        ConnectionState::Online | ConnectionState::Idle => "",
    };
    view! {
        <p
            class="connection"
            class:down=move || !status().is_empty()
            role="status"
            data-testid="connection"
            data-transport=move || realtime.transport.get().as_str()
            title=move || {
                (realtime.transport.get() == Transport::LongPolling).then(|| t(Key::LongPolling))
            }
        >
            {status}
        </p>
    }
}

/// `/chat` itself: nobody picked yet.
#[component]
pub fn NoChatSelected() -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="no-chat">
            <img src="/favicon.svg" alt="" width="96" height="96" />
            <p class="notice">{move || t(Key::PickAChat)}</p>
        </div>
    }
}

/// `/chat/:kind/:id`: the conversation, rebuilt when the address names another one.
#[component]
pub fn ChatPane() -> impl IntoView {
    let params = use_params_map();
    let to = Memo::new(move |_| params.with(|p| destination(p.get_str("kind"), p.get_str("id"))));
    let Me(me) = expect_context::<Me>();
    move || match to.get() {
        Some(to) => view! { <Conversation to me /> }.into_any(),
        None => view! { <ErrorMessage problem=AppError::new(ErrorCode::NotFound) /> }.into_any(),
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
        assert_eq!(
            destination_of_path("/chat/group/2"),
            Some(Destination::Group { group_id: 2 })
        );
        assert_eq!(
            destination_of_path("/chat/direct/7/"),
            Some(Destination::Direct { user_id: 7 })
        );
        assert_eq!(destination_of_path("/chat"), None);
        assert_eq!(destination_of_path("/groups/direct/7"), None);
    }
}
