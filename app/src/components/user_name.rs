//! A user as lists show them: display name, then `@username`. Plain text nodes only.
//! Names are bidi-isolated (`<bdi>`): a right-to-left name or a U+202E override in it
//! cannot reorder the text around it.

use leptos::prelude::*;
use penguin_protocol::UserSummary;

#[component]
pub fn UserName(user: UserSummary) -> impl IntoView {
    view! {
        <span class="user-name">
            <bdi class="display-name">{user.display_name}</bdi>
            " "
            <span class="username">"@"{user.username}</span>
        </span>
    }
}

/// `template` ("Chatting with {}", "{} is typing…") with `names` (comma-separated) in
/// place of `{}`, each in a `<bdi>` of its own.
pub fn with_names(template: &'static str, names: Vec<String>) -> impl IntoView {
    let (before, after) = template.split_once("{}").unwrap_or((template, ""));
    let last = names.len().saturating_sub(1);
    let names = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| view! { <bdi>{name}</bdi>{(i < last).then_some(", ")} })
        .collect_view();
    view! { {(!before.is_empty()).then_some(before)}{names}{(!after.is_empty()).then_some(after)} }
}
