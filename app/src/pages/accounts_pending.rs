//! `/login` and `/register` until accounts land (issue #4): the page says plainly that
//! this server has no accounts yet.

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Login() -> impl IntoView {
    view! { <AccountsPending heading=Key::SignInHeading /> }
}

#[component]
pub fn Register() -> impl IntoView {
    view! { <AccountsPending heading=Key::RegisterHeading /> }
}

#[component]
fn AccountsPending(heading: Key) -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(heading) />
        <section class="card narrow">
            <h1>{move || t(heading)}</h1>
            <p class="notice">{move || t(Key::AccountsComingSoon)}</p>
        </section>
    }
}
