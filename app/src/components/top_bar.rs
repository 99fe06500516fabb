use crate::api;
use crate::auth::use_auth;
use crate::components::{LanguageSwitch, ProblemAlert};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use penguin_protocol::UserSummary;

#[component]
pub fn TopBar() -> impl IntoView {
    let t = use_i18n();
    let me = use_auth().me();
    view! {
        <header class="top-bar">
            <A href="/" attr:class="brand">
                <img src="/favicon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Penguin"</span>
            </A>
            <span class="tagline">{move || t(Key::AppTagline)}</span>
            <nav class="top-nav">
                <span class="account-nav">
                    <Transition>
                        {move || Suspend::new(async move {
                            match me.await {
                                Ok(Some(user)) => view! { <SignedInNav user /> }.into_any(),
                                _ => view! { <SignedOutNav /> }.into_any(),
                            }
                        })}
                    </Transition>
                </span>
                <LanguageSwitch />
            </nav>
        </header>
    }
}

#[component]
fn SignedOutNav() -> impl IntoView {
    let t = use_i18n();
    view! {
        <A href="/login">{move || t(Key::NavSignIn)}</A>
        <A href="/register">{move || t(Key::NavRegister)}</A>
    }
}

#[component]
fn SignedInNav(user: UserSummary) -> impl IntoView {
    let t = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let sign_out = Action::new(|_: &()| api::sign_out());
    let problem = RwSignal::new(None);
    Effect::new(move || match sign_out.value().get() {
        Some(Ok(())) => {
            auth.signed_out();
            navigate("/", Default::default());
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    view! {
        <span class="current-user" title=format!("@{}", user.username)>
            {user.display_name}
        </span>
        <A href="/chat">{move || t(Key::NavChats)}</A>
        <A href="/contacts">{move || t(Key::NavContacts)}</A>
        <A href="/account">{move || t(Key::NavAccount)}</A>
        <button
            type="button"
            class="secondary"
            disabled=sign_out.pending()
            on:click=move |_| {
                sign_out.dispatch(());
            }
        >
            {move || t(Key::SignOut)}
        </button>
        <ProblemAlert problem />
    }
}
