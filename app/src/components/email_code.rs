//! Codes sent by e-mail: the address and code inputs, the "a code is on its way" notice,
//! and the two-step flow shared by signing in and confirming an address (the address and
//! "Send code", then the 6-digit code from the mail).

use crate::AppError;
use crate::components::{Field, Problem, ProblemAlert};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use penguin_protocol::rules;
use std::future::Future;

/// An e-mail address input.
#[component]
pub fn EmailField(
    id: &'static str,
    value: RwSignal<String>,
    /// May be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    view! {
        <Field id label=Key::Email name="email" kind="email" autocomplete="email" value optional />
    }
}

/// The 6-digit code from a mail: a numeric keyboard on phones, and the code offered by
/// the system when it read the mail (`one-time-code`).
#[component]
pub fn CodeField(
    id: &'static str,
    value: RwSignal<String>,
    /// May be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    view! {
        <Field
            id
            label=Key::EmailCode
            name="code"
            autocomplete="one-time-code"
            inputmode="numeric"
            hint=Key::EmailCodeHint
            value
            optional
        />
    }
}

/// A live region that says a code was sent once `shown` is true: the same words whether
/// or not the address has an account, as the server's answer is the same.
#[component]
pub fn CodeSentNotice(#[prop(into)] shown: Signal<bool>) -> impl IntoView {
    let t = use_i18n();
    view! {
        <p class="notice code-notice" role="status">
            {move || shown.get().then(|| t(Key::CodeOnItsWay))}
        </p>
    }
}

/// Sends a code to an address (`send`), then redeems the code typed in (`confirm`), and
/// hands what the server answered to `on_done`. Both inputs are checked with the shared
/// rules first; the server's refusals are shown in a `role="alert"`.
#[component]
pub fn EmailCodeFlow<S, SFut, C, CFut, T, D>(
    /// The id of the address input.
    email_id: &'static str,
    /// The id of the code input.
    code_id: &'static str,
    send: S,
    confirm: C,
    /// The text of the button that redeems the code.
    confirm_label: Key,
    on_done: D,
) -> impl IntoView
where
    S: Fn(String) -> SFut + Send + Sync + 'static,
    SFut: Future<Output = Result<(), AppError>> + Send + 'static,
    C: Fn(String, String) -> CFut + Send + Sync + 'static,
    CFut: Future<Output = Result<T, AppError>> + Send + 'static,
    T: Clone + Send + Sync + 'static,
    D: Fn(T) + 'static,
{
    let t = use_i18n();
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // The address the last code went to; the code step shows once there is one.
    let sent_to = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let send_code = Action::new(move |email: &String| {
        let email = email.clone();
        let sending = send(email.clone());
        async move { sending.await.map(|()| email) }
    });
    let redeem =
        Action::new(move |(email, code): &(String, String)| confirm(email.clone(), code.clone()));
    Effect::new(move || match send_code.value().get() {
        Some(Ok(address)) => {
            code.set(String::new());
            sent_to.set(Some(address));
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    Effect::new(move || match redeem.value().get() {
        Some(Ok(answer)) => {
            // Back to the first step before `on_done`, which may leave the page.
            sent_to.set(None);
            email.set(String::new());
            code.set(String::new());
            on_done(answer);
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let on_send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match rules::email(&email.get_untracked()) {
            Ok(address) => {
                problem.set(None);
                send_code.dispatch(address);
            }
            Err(error) => problem.set(Some(error.into())),
        }
    };
    let on_confirm = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(address) = sent_to.get_untracked() else {
            return;
        };
        match rules::email_code(&code.get_untracked()) {
            Ok(checked) => {
                problem.set(None);
                redeem.dispatch((address, checked));
            }
            Err(error) => problem.set(Some(error.into())),
        }
    };

    view! {
        <form class="stacked-form" method="post" on:submit=on_send>
            <EmailField id=email_id value=email />
            <button type="submit" disabled=send_code.pending()>
                {move || t(Key::SendCode)}
            </button>
        </form>
        <CodeSentNotice shown=Signal::derive(move || sent_to.get().is_some()) />
        <Show when=move || sent_to.get().is_some()>
            <form class="stacked-form" method="post" on:submit=on_confirm>
                <CodeField id=code_id value=code />
                <button type="submit" disabled=redeem.pending()>
                    {move || t(confirm_label)}
                </button>
            </form>
        </Show>
        <ProblemAlert problem />
    }
}
