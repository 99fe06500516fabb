//! Every input rule of protocol/src/rules.rs on arbitrary text. The server enforces these
//! rules and stores what they return, so an accepted value must obey the documented
//! limits, and a stored value must pass its own rule unchanged (idempotence): otherwise
//! a value could be stored that the next edit refuses, or two spellings could name one
//! account.
//!
//! The input is split at the first `\u{1}` into the text and a second string
//! (the username a password is compared with); the first byte also picks a small message
//! limit, so the length checks are reached with short inputs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use penguin_protocol::messages::{DEFAULT_MAX_MESSAGE_CHARS, MAX_CLIENT_ID_CHARS};
use penguin_protocol::rules::{self, *};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (text, other) = input.split_once('\u{1}').unwrap_or((&input, ""));
    let small_limit = usize::from(data.first().copied().unwrap_or(0) % 16);
    for s in [text, other, &*input] {
        check_username(s);
        check_single_line(s, rules::display_name, DISPLAY_NAME_MAX_CHARS);
        check_single_line(s, rules::group_name, GROUP_NAME_MAX_CHARS);
        check_group_description(s);
        check_search_query(s);
        check_email(s);
        check_email_code(s);
        check_message_body(s, small_limit);
        check_message_body(s, DEFAULT_MAX_MESSAGE_CHARS);
        check_client_id(s);
    }
    check_password(text, other);
    check_password(other, text);
});

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Applying the rule to what it returned gives the same.
fn assert_idempotent<E: std::fmt::Debug + PartialEq>(
    rule: impl Fn(&str) -> Result<String, E>,
    out: &str,
) {
    assert_eq!(rule(out).as_deref(), Ok(out), "not idempotent on {out:?}");
}

fn check_username(s: &str) {
    let result = rules::username(s);
    // `Alice` and `alice` are one account: ASCII case never changes the answer.
    assert_eq!(rules::username(&s.to_ascii_uppercase()), result, "{s:?}");
    let Ok(name) = result else { return };
    assert_eq!(name, s.trim().to_ascii_lowercase());
    assert!(
        (USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&chars(&name)),
        "{name:?}"
    );
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b)),
        "{name:?}"
    );
    assert!(
        name.starts_with(|c: char| c.is_ascii_alphanumeric()),
        "{name:?}"
    );
    assert_idempotent(rules::username, &name);
}

/// Display names and group names: the trimmed text, 1 to `max` characters, one line.
fn check_single_line<E: std::fmt::Debug + PartialEq>(
    s: &str,
    rule: fn(&str) -> Result<String, E>,
    max: usize,
) {
    let Ok(text) = rule(s) else { return };
    assert_eq!(text, s.trim(), "kept as typed, trimmed");
    assert!((1..=max).contains(&chars(&text)), "{text:?}");
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert_idempotent(rule, &text);
}

fn check_group_description(s: &str) {
    let Ok(text) = rules::group_description(s) else {
        return;
    };
    assert_eq!(text, s.trim().replace("\r\n", "\n"));
    assert_eq!(text, text.trim(), "{text:?}");
    assert!(chars(&text) <= GROUP_DESCRIPTION_MAX_CHARS, "{text:?}");
    assert!(
        text.chars().all(|c| c == '\n' || !c.is_control()),
        "{text:?}"
    );
    assert_idempotent(rules::group_description, &text);
}

fn check_search_query(s: &str) {
    let Ok(query) = rules::search_query(s) else {
        return;
    };
    assert_eq!(query, s.trim());
    assert!((1..=SEARCH_MAX_CHARS).contains(&chars(&query)), "{query:?}");
    assert_idempotent(rules::search_query, &query);
}

fn check_email(s: &str) {
    let Ok(email) = rules::email(s) else { return };
    assert_eq!(email, s.trim().to_lowercase());
    assert!(email.len() <= EMAIL_MAX_CHARS, "{email:?}");
    assert!(
        !email.chars().any(|c| c.is_whitespace() || c.is_control()),
        "{email:?}"
    );
    let (local, domain) = email.split_once('@').expect("an @");
    assert!(!local.is_empty() && !domain.contains('@'), "{email:?}");
    assert!(domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'));
    assert_idempotent(rules::email, &email);
}

fn check_email_code(s: &str) {
    let Ok(code) = rules::email_code(s) else {
        return;
    };
    assert_eq!(code.len(), 6, "{code:?}");
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code:?}");
    assert_eq!(code, s.split_whitespace().collect::<String>());
    assert_idempotent(rules::email_code, &code);
}

fn check_message_body(body: &str, max: usize) {
    let Ok(()) = rules::message_body(body, max) else {
        return;
    };
    assert!(!body.trim().is_empty(), "a blank message was accepted");
    assert!(
        chars(body) <= max,
        "{} characters over a limit of {max}",
        chars(body)
    );
    assert!(!body.contains('\0'), "a NUL was accepted");
    // A larger limit accepts what a smaller one does.
    assert_eq!(rules::message_body(body, max + 1), Ok(()));
}

fn check_client_id(id: &str) {
    let Ok(()) = rules::client_id(id) else { return };
    assert!((1..=MAX_CLIENT_ID_CHARS).contains(&id.len()), "{id:?}");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{id:?}"
    );
}

fn check_password(password: &str, username: &str) {
    // A password equal to the username (in any ASCII case) is never accepted.
    if password.trim() == password {
        assert!(rules::password(password, password).is_err(), "{password:?}");
        let shouted = password.to_ascii_uppercase();
        assert!(rules::password(password, &shouted).is_err(), "{password:?}");
    }
    let Ok(()) = rules::password(password, username) else {
        return;
    };
    assert!(
        password.len() <= PASSWORD_MAX_BYTES,
        "{} bytes",
        password.len()
    );
    assert!(chars(password) >= PASSWORD_MIN_CHARS, "{password:?}");
    assert_ne!(password.to_lowercase(), username.trim().to_lowercase());
    let first = password.chars().next().unwrap();
    assert!(
        password.chars().any(|c| c != first),
        "one repeated character: {password:?}"
    );
    for common in ["password", "12345678", "penguin123", "qwertyuiop"] {
        assert_ne!(password.to_lowercase(), common, "a common password");
    }
}
