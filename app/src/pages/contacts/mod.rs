//! `/contacts`: the signed-in user's friends and groups, side by side.

mod friends;
mod groups;

use crate::components::SignedIn;
use crate::i18n::{Key, use_i18n};
use friends::FriendsPanel;
use groups::GroupsPanel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Contacts() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::ContactsHeading) />
        <SignedIn let:_user>
            <h1 class="page-heading">{move || t(Key::ContactsHeading)}</h1>
            <div class="contacts">
                <FriendsPanel />
                <GroupsPanel />
            </div>
        </SignedIn>
    }
}
