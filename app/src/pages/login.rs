//! `/login`: username and password, or a code sent by e-mail; on success the contacts
//! page.

use crate::api;
use crate::auth::use_auth;
use crate::components::{EmailCodeFlow, Field, Problem, ProblemAlert};
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
    let code_navigate = navigate.clone();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let sign_in = Action::new(|(username, password): &(String, String)| {
        api::sign_in(username.clone(), password.clone())
    });
    Effect::new(move || match sign_in.value().get() {
        Some(Ok(user)) => {
            auth.signed_in(user);
            navigate("/chat", Default::default());
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        problem.set(None);
        sign_in.dispatch((username.get_untracked(), password.get_untracked()));
    };

    let on_code_sign_in = move |user| {
        auth.signed_in(user);
        code_navigate("/chat", Default::default());
    };

    view! {
        <Title text=move || t(Key::SignInHeading) />
        <section class="card narrow">
            <h1>{move || t(Key::SignInHeading)}</h1>
            <section class="sign-in-way">
                <h2>{move || t(Key::SignInWithPassword)}</h2>
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
            </section>
            // A region of its own, named by its heading, so it can be found and skipped to.
            <section class="sign-in-way" aria-labelledby="sign-in-code-heading">
                <h2 id="sign-in-code-heading">{move || t(Key::SignInWithCode)}</h2>
                <p class="hint">{move || t(Key::SignInWithCodeIntro)}</p>
                <EmailCodeFlow
                    email_id="sign-in-email"
                    code_id="sign-in-code"
                    send=api::request_email_code
                    confirm=api::sign_in_with_code
                    confirm_label=Key::SignInButton
                    on_done=on_code_sign_in
                />
            </section>
            <p class="form-footer">
                <A href="/register">{move || t(Key::LoginToRegister)}</A>
            </p>
        </section>
    }
}
