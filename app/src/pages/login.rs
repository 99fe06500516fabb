//! `/login`: username and password; on success the contacts page.

use crate::api;
use crate::auth::use_auth;
use crate::components::{Field, Problem, ProblemAlert};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Login() -> impl IntoView {
    let t = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let sign_in = Action::new(|(username, password): &(String, String)| {
        api::sign_in(username.clone(), password.clone())
    });
    Effect::new(move || match sign_in.value().get() {
        Some(Ok(user)) => {
            auth.signed_in(user);
            navigate("/contacts", Default::default());
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        problem.set(None);
        sign_in.dispatch((username.get_untracked(), password.get_untracked()));
    };

    view! {
        <Title text=move || t(Key::SignInHeading) />
        <section class="card narrow">
            <h1>{move || t(Key::SignInHeading)}</h1>
            <form class="stacked-form" method="post" on:submit=submit>
                <Field
                    id="sign-in-username"
                    label=Key::Username
                    name="username"
                    autocomplete="username"
                    value=username
                />
                <Field
                    id="sign-in-password"
                    label=Key::Password
                    name="password"
                    kind="password"
                    autocomplete="current-password"
                    value=password
                />
                <ProblemAlert problem />
                <button type="submit" disabled=sign_in.pending()>
                    {move || t(Key::SignInButton)}
                </button>
            </form>
            <p class="form-footer">
                <A href="/register">{move || t(Key::LoginToRegister)}</A>
            </p>
        </section>
    }
}
