//! Pages for signed-in users only: renders its children with the signed-in user, or a
//! prompt with a link to the sign-in page.

use crate::auth::use_auth;
use crate::components::ErrorMessage;
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use penguin_protocol::UserSummary;

#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: Fn(UserSummary) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let t = use_i18n();
    let me = use_auth().me();
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => view! { <SignInPrompt /> }.into_any(),
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn SignInPrompt() -> impl IntoView {
    let t = use_i18n();
    view! {
        <section class="card narrow">
            <p>{move || t(Key::SignInRequired)}</p>
            <A href="/login">{move || t(Key::GoToSignIn)}</A>
        </section>
    }
}
