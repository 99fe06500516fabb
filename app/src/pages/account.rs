//! `/account`: the signed-in user's account with the verified e-mail address, and adding
//! or changing that address with a code mailed to it.

use crate::api;
use crate::components::{EmailCodeFlow, ErrorMessage, SignedIn};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use penguin_protocol::Account;

#[component]
pub fn AccountPage() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::AccountHeading) />
        <SignedIn let:_user>
            <AccountDetails />
        </SignedIn>
    }
}

#[component]
fn AccountDetails() -> impl IntoView {
    let t = use_i18n();
    let account = Resource::new(|| (), |()| api::account());
    let confirmed = RwSignal::new(false);
    // The server answers with the account as it is now: show that.
    let on_verified = move |updated: Account| {
        account.set(Some(Ok(updated)));
        confirmed.set(true);
    };
    view! {
        <section class="card narrow">
            <h1>{move || t(Key::AccountHeading)}</h1>
            <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(account) => view! { <AccountFacts account /> }.into_any(),
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card narrow" aria-labelledby="change-email-heading">
            <h2 id="change-email-heading">{move || t(Key::ChangeEmailHeading)}</h2>
            <p class="hint">{move || t(Key::ChangeEmailIntro)}</p>
            <p class="notice" role="status">
                {move || confirmed.get().then(|| t(Key::EmailConfirmed))}
            </p>
            <EmailCodeFlow
                email_id="account-email"
                code_id="account-code"
                send=api::add_email
                confirm=api::verify_email
                confirm_label=Key::ConfirmCode
                on_done=on_verified
            />
        </section>
    }
}

#[component]
fn AccountFacts(account: Account) -> impl IntoView {
    let t = use_i18n();
    let Account { user, email } = account;
    view! {
        <dl class="facts">
            <dt>{move || t(Key::Username)}</dt>
            <dd data-testid="account-username">{format!("@{}", user.username)}</dd>
            <dt>{move || t(Key::DisplayName)}</dt>
            <dd data-testid="account-display-name">{user.display_name}</dd>
            <dt>{move || t(Key::Email)}</dt>
            {match email {
                Some(email) => view! { <dd data-testid="account-email">{email}</dd> }.into_any(),
                None => {
                    view! {
                        <dd data-testid="account-email" class="notice">
                            {move || t(Key::NoEmailYet)}
                        </dd>
                    }
                        .into_any()
                }
            }}
        </dl>
    }
}
