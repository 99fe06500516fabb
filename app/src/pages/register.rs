//! `/register`: a new account, checked with the shared input rules before it is sent; on
//! success the contacts page (registration signs in).

use crate::api;
use crate::auth::use_auth;
use crate::components::{Field, Problem, ProblemAlert};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use penguin_protocol::rules;

#[derive(Debug, Clone)]
struct NewAccount {
    username: String,
    display_name: String,
    password: String,
}

/// The shared rules, run in the browser for an immediate answer (the server runs them too).
fn check(
    username: &str,
    display_name: &str,
    password: &str,
    confirmation: &str,
) -> Result<NewAccount, Problem> {
    let username = rules::username(username)?;
    let display_name = rules::display_name(display_name)?;
    rules::password(password, &username)?;
    if password != confirmation {
        return Err(Key::PasswordsDiffer.into());
    }
    Ok(NewAccount {
        username,
        display_name,
        password: password.to_owned(),
    })
}

#[component]
pub fn Register() -> impl IntoView {
    let t = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let register = Action::new(|account: &NewAccount| {
        let account = account.clone();
        api::register(account.username, account.display_name, account.password)
    });
    Effect::new(move || match register.value().get() {
        Some(Ok(user)) => {
            auth.signed_in(user);
            navigate("/contacts", Default::default());
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let checked = check(
            &username.get_untracked(),
            &display_name.get_untracked(),
            &password.get_untracked(),
            &confirmation.get_untracked(),
        );
        match checked {
            Ok(account) => {
                problem.set(None);
                register.dispatch(account);
            }
            Err(error) => problem.set(Some(error)),
        }
    };

    view! {
        <Title text=move || t(Key::RegisterHeading) />
        <section class="card narrow">
            <h1>{move || t(Key::RegisterHeading)}</h1>
            <form class="stacked-form" method="post" on:submit=submit>
                <Field
                    id="register-username"
                    label=Key::Username
                    name="username"
                    autocomplete="username"
                    hint=Key::UsernameHint
                    value=username
                />
                <Field
                    id="register-display-name"
                    label=Key::DisplayName
                    name="display_name"
                    autocomplete="nickname"
                    value=display_name
                />
                <Field
                    id="register-password"
                    label=Key::Password
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::PasswordHint
                    value=password
                />
                <Field
                    id="register-confirmation"
                    label=Key::ConfirmPassword
                    name="password_confirmation"
                    kind="password"
                    autocomplete="new-password"
                    value=confirmation
                />
                <ProblemAlert problem />
                <button type="submit" disabled=register.pending()>
                    {move || t(Key::RegisterButton)}
                </button>
            </form>
            <p class="form-footer">
                <A href="/login">{move || t(Key::RegisterToLogin)}</A>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use penguin_protocol::ErrorCode;

    #[test]
    fn the_form_is_checked_with_the_shared_rules() {
        let ok = check(" Alice ", " Alice A. ", "correct horse", "correct horse").unwrap();
        assert_eq!(ok.username, "alice");
        assert_eq!(ok.display_name, "Alice A.");
        assert_eq!(
            check("a", "A", "correct horse", "correct horse").unwrap_err(),
            Problem::Code(ErrorCode::InvalidUsername)
        );
        assert_eq!(
            check("alice", "A", "password", "password").unwrap_err(),
            Problem::Code(ErrorCode::WeakPassword)
        );
        assert_eq!(
            check("alice", "A", "correct horse", "correct horsf").unwrap_err(),
            Problem::Text(Key::PasswordsDiffer)
        );
    }
}
