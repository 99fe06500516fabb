//! Getting the user's attention for unread messages outside the chat itself: the
//! document title ("(3) Chat · Penguin"), a badge on the favicon, and — when the tab is
//! hidden and the user allowed it — a desktop notification per new message.

use super::directory::use_directory;
use crate::i18n::{Key, use_i18n};
use crate::realtime::use_realtime;
use leptos::prelude::*;

/// The page title with the unread total in front, as mail and chat apps do.
pub fn unread_title(page: &str, unread: usize) -> String {
    let title = if page.is_empty() {
        "Penguin".to_owned()
    } else {
        format!("{page} · Penguin")
    };
    if unread == 0 {
        title
    } else {
        format!("({unread}) {title}")
    }
}

/// The favicon with a red count in its corner; the plain one when nothing is unread.
pub fn favicon_href(unread: usize) -> String {
    if unread == 0 {
        return "/favicon.svg".to_owned();
    }
    const PLAIN: &str = include_str!("../../../../public/favicon.svg");
    let text = if unread > 99 {
        "99+".to_owned()
    } else {
        unread.to_string()
    };
    let size = if text.len() > 2 { 18 } else { 26 };
    let badge = format!(
        "<circle cx=\"46\" cy=\"18\" r=\"18\" fill=\"#e53935\"/><text x=\"46\" y=\"27\" \
         font-size=\"{size}\" font-family=\"sans-serif\" font-weight=\"700\" fill=\"#fff\" \
         text-anchor=\"middle\">{text}</text></svg>"
    );
    let svg = PLAIN.trim_end().trim_end_matches("</svg>").to_owned() + &badge;
    format!("data:image/svg+xml,{}", percent_encode(&svg))
}

/// Percent-encodes everything but unreserved ASCII, as a data URL needs.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Keeps the `<link rel="icon">` in step with the unread total (browser only).
#[component]
pub fn UnreadFavicon() -> impl IntoView {
    let realtime = use_realtime();
    Effect::new(move |_| {
        let href = favicon_href(realtime.total_unread());
        if let Ok(Some(link)) = document().query_selector("link[rel='icon']") {
            let _ = link.set_attribute("href", &href);
        }
    });
}

/// Shows a desktop notification for each new message from someone else while the page
/// is hidden, if the user allowed notifications (see [`NotificationsButton`]).
pub fn notify_when_hidden() {
    let realtime = use_realtime();
    let directory = use_directory();
    let t = use_i18n();
    #[cfg(feature = "hydrate")]
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let Some(message) = realtime.arrived.get() else {
            return;
        };
        if realtime.visible.get_untracked() {
            return;
        }
        let to = realtime.conversations.with_untracked(|map| {
            map.iter()
                .find(|(_, id)| **id == message.conversation_id)
                .map(|(to, _)| *to)
        });
        let sender = to
            .and_then(|to| untrack(|| directory.name_in(to, message.sender_id)))
            .unwrap_or_default();
        let title = t(Key::NewMessageFrom).replace("{}", &sender);
        #[cfg(feature = "hydrate")]
        {
            let navigate = navigate.clone();
            let path = to.map(super::panel::chat_path);
            notifications::show(&title, &message.body, move || {
                if let Some(path) = &path {
                    navigate(path, Default::default());
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = title;
    });
}

/// "Enable notifications", while the browser has not been told yes or no.
#[component]
pub fn NotificationsButton() -> impl IntoView {
    let t = use_i18n();
    let undecided = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        undecided.set(notifications::undecided());
    });
    view! {
        <Show when=move || undecided.get()>
            <button
                type="button"
                class="secondary"
                on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    notifications::ask(move || undecided.set(notifications::undecided()));
                }
            >
                {move || t(Key::EnableNotifications)}
            </button>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod notifications {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Notification, NotificationOptions, NotificationPermission};

    fn supported() -> bool {
        web_sys::window()
            .and_then(|w| web_sys::js_sys::Reflect::get(&w, &"Notification".into()).ok())
            .is_some_and(|n| !n.is_undefined())
    }

    pub fn undecided() -> bool {
        supported() && Notification::permission() == NotificationPermission::Default
    }

    pub fn ask(then: impl FnOnce() + 'static) {
        if !supported() {
            return;
        }
        if let Ok(promise) = Notification::request_permission() {
            let answered = Closure::once(move |_: wasm_bindgen::JsValue| then());
            let _ = promise.then(&answered);
            answered.forget();
        }
    }

    /// A notification; `open` runs when it is clicked, after the tab is focused.
    pub fn show(title: &str, body: &str, mut open: impl FnMut() + 'static) {
        if !supported() || Notification::permission() != NotificationPermission::Granted {
            return;
        }
        let options = NotificationOptions::new();
        options.set_body(body);
        options.set_tag("penguin-message");
        let Ok(notification) = Notification::new_with_options(title, &options) else {
            return;
        };
        // A click brings the tab forward with that chat open.
        let on_click = Closure::<dyn FnMut()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
            open();
        });
        notification.set_onclick(Some(on_click.as_ref().unchecked_ref()));
        on_click.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_count_unread() {
        assert_eq!(unread_title("", 0), "Penguin");
        assert_eq!(unread_title("Chat", 0), "Chat · Penguin");
        assert_eq!(unread_title("Chat", 3), "(3) Chat · Penguin");
    }

    #[test]
    fn the_favicon_badge_is_an_svg_data_url() {
        assert_eq!(favicon_href(0), "/favicon.svg");
        let href = favicon_href(5);
        assert!(href.starts_with("data:image/svg+xml,%3Csvg"), "{href}");
        assert!(href.ends_with("%3E5%3C%2Ftext%3E%3C%2Fsvg%3E"), "{href}");
        assert!(!href.contains(['<', '>', '"', '#']));
        assert!(favicon_href(120).contains("99%2B"));
    }
}
