//! Small pieces of the people and group lists.

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;

/// A list's "nothing here" line.
#[component]
pub fn EmptyItem(text: Key) -> impl IntoView {
    let t = use_i18n();
    view! { <li class="empty">{move || t(text)}</li> }
}

/// A button that does `label` to `subject`: it shows the verb, and its accessible name
/// adds whom it acts on ("Remove Alice"), so a list of them can be told apart.
#[component]
pub fn ActionButton(
    label: Key,
    #[prop(into)] subject: String,
    on_click: impl Fn() + Send + Sync + 'static,
    #[prop(optional)] secondary: bool,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let t = use_i18n();
    let class = if danger {
        "danger"
    } else if secondary {
        "secondary"
    } else {
        ""
    };
    view! {
        <button
            type="button"
            class=class
            aria-label=move || format!("{} {subject}", t(label))
            on:click=move |_| on_click()
        >
            {move || t(label)}
        </button>
    }
}
