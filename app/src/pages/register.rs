//! `/register`. The forms arrive with accounts (issue #4); until then the page says so.

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Register() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::RegisterHeading) />
        <section class="card narrow">
            <h1>{move || t(Key::RegisterHeading)}</h1>
            <p class="notice">{move || t(Key::AccountsComingSoon)}</p>
        </section>
    }
}
