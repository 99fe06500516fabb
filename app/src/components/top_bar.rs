use crate::components::LanguageSwitch;
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let t = use_i18n();
    view! {
        <header class="top-bar">
            <A href="/" attr:class="brand">
                <img src="/favicon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Penguin"</span>
            </A>
            <span class="tagline">{move || t(Key::AppTagline)}</span>
            <nav class="top-nav">
                <A href="/login">{move || t(Key::NavSignIn)}</A>
                <A href="/register">{move || t(Key::NavRegister)}</A>
                <LanguageSwitch />
            </nav>
        </header>
    }
}
