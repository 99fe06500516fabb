//! `/register`: a new account, checked with the shared input rules before it is sent; on
//! success the contacts page (registration signs in). Optionally with an e-mail address
//! proven by a mailed code (`?email=` fills the address in: the mail that says "register
//! with this code" links here).

use crate::api;
use crate::auth::use_auth;
use crate::components::{CodeField, CodeSentNotice, EmailField, Field, Problem, ProblemAlert};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use penguin_protocol::rules;

#[derive(Debug, Clone)]
struct NewAccount {
    username: String,
    display_name: String,
    password: String,
    /// The address and the code mailed to it, when the user filled them in.
    email: Option<(String, String)>,
}

/// The optional address and code: both empty, or a valid address with a code.
fn check_email(email: &str, code: &str) -> Result<Option<(String, String)>, Problem> {
    if email.trim().is_empty() && code.trim().is_empty() {
        return Ok(None);
    }
    let email = rules::email(email)?;
    if code.trim().is_empty() {
        return Err(Key::EnterCodeOrClearEmail.into());
    }
    Ok(Some((email, rules::email_code(code)?)))
}

/// The shared rules, run in the browser for an immediate answer (the server runs them too).
fn check(
    username: &str,
    display_name: &str,
    password: &str,
    confirmation: &str,
    email: &str,
    code: &str,
) -> Result<NewAccount, Problem> {
    let username = rules::username(username)?;
    let display_name = rules::display_name(display_name)?;
    rules::password(password, &username)?;
    if password != confirmation {
        return Err(Key::PasswordsDiffer.into());
    }
    let email = check_email(email, code)?;
    Ok(NewAccount {
        username,
        display_name,
        password: password.to_owned(),
        email,
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
    // Read once: the server and the browser see the same URL, so both render the same.
    let prefill = use_query_map().with_untracked(|query| query.get("email"));
    let email = RwSignal::new(prefill.unwrap_or_default());
    let code = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let email_problem = RwSignal::new(None::<Problem>);
    let code_sent = RwSignal::new(false);
    let send_code = Action::new(|email: &String| api::request_email_code(email.clone()));
    Effect::new(move || match send_code.value().get() {
        Some(Ok(())) => code_sent.set(true),
        Some(Err(error)) => email_problem.set(Some(error.into())),
        None => {}
    });
    let on_send_code = move |_: leptos::ev::MouseEvent| {
        problem.set(None);
        match rules::email(&email.get_untracked()) {
            Ok(address) => {
                email_problem.set(None);
                send_code.dispatch(address);
            }
            Err(error) => email_problem.set(Some(error.into())),
        }
    };
    let register = Action::new(|account: &NewAccount| {
        let account = account.clone();
        async move {
            let NewAccount {
                username,
                display_name,
                password,
                email,
            } = account;
            match email {
                Some((email, code)) => {
                    api::register_with_email_code(username, display_name, password, email, code)
                        .await
                }
                None => api::register(username, display_name, password).await,
            }
        }
    });
    Effect::new(move || match register.value().get() {
        Some(Ok(user)) => {
            auth.signed_in(user);
            navigate("/chat", Default::default());
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        email_problem.set(None);
        let checked = check(
            &username.get_untracked(),
            &display_name.get_untracked(),
            &password.get_untracked(),
            &confirmation.get_untracked(),
            &email.get_untracked(),
            &code.get_untracked(),
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
                <fieldset class="email-proof" aria-describedby="register-email-intro">
                    <legend>{move || t(Key::RegisterWithEmail)}</legend>
                    <p id="register-email-intro" class="hint">
                        {move || t(Key::RegisterWithEmailHint)}
                    </p>
                    <EmailField id="register-email" value=email optional=true />
                    <button
                        type="button"
                        class="secondary"
                        disabled=send_code.pending()
                        on:click=on_send_code
                    >
                        {move || t(Key::SendCode)}
                    </button>
                    <CodeSentNotice shown=code_sent />
                    <CodeField id="register-code" value=code optional=true />
                    <ProblemAlert problem=email_problem />
                </fieldset>
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
        let ok = check(
            " Alice ",
            " Alice A. ",
            "correct horse",
            "correct horse",
            "",
            "",
        )
        .unwrap();
        assert_eq!(ok.username, "alice");
        assert_eq!(ok.display_name, "Alice A.");
        assert_eq!(ok.email, None);
        assert_eq!(
            check("a", "A", "correct horse", "correct horse", "", "").unwrap_err(),
            Problem::Code(ErrorCode::InvalidUsername)
        );
        assert_eq!(
            check("alice", "A", "password", "password", "", "").unwrap_err(),
            Problem::Code(ErrorCode::WeakPassword)
        );
        assert_eq!(
            check("alice", "A", "correct horse", "correct horsf", "", "").unwrap_err(),
            Problem::Text(Key::PasswordsDiffer)
        );
    }

    #[test]
    fn an_address_needs_its_code() {
        assert_eq!(check_email("  ", " "), Ok(None));
        assert_eq!(
            check_email(" Alice@Example.org ", "123 456"),
            Ok(Some(("alice@example.org".to_owned(), "123456".to_owned())))
        );
        assert_eq!(
            check_email("alice@example.org", ""),
            Err(Problem::Text(Key::EnterCodeOrClearEmail))
        );
        assert_eq!(
            check_email("alice@example", "123456"),
            Err(Problem::Code(ErrorCode::InvalidEmail))
        );
        assert_eq!(
            check_email("", "123456"),
            Err(Problem::Code(ErrorCode::InvalidEmail))
        );
        assert_eq!(
            check_email("alice@example.org", "12345"),
            Err(Problem::Code(ErrorCode::InvalidCode))
        );
    }
}
