//! A user as lists show them: display name, then `@username`. Plain text nodes only.

use leptos::prelude::*;
use penguin_protocol::UserSummary;

#[component]
pub fn UserName(user: UserSummary) -> impl IntoView {
    view! {
        <span class="user-name">
            <span class="display-name">{user.display_name}</span>
            " "
            <span class="username">"@"{user.username}</span>
        </span>
    }
}
