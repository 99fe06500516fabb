//! What went wrong, shown to the user in a `role="alert"` element: an error code (from the
//! server or from the shared input rules) or a message of the UI's own.

use crate::AppError;
use crate::i18n::{Key, Locale, use_locale};
use leptos::prelude::*;
use penguin_protocol::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Code(ErrorCode),
    Text(Key),
}

impl Problem {
    pub fn message(self, locale: Locale) -> &'static str {
        match self {
            Self::Code(code) => code.message(locale),
            Self::Text(key) => key.text(locale),
        }
    }
}

impl From<ErrorCode> for Problem {
    fn from(code: ErrorCode) -> Self {
        Self::Code(code)
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        Self::Code(error.code)
    }
}

impl From<&AppError> for Problem {
    fn from(error: &AppError) -> Self {
        Self::Code(error.code)
    }
}

impl From<Key> for Problem {
    fn from(key: Key) -> Self {
        Self::Text(key)
    }
}

/// The current problem of a form or section, if any, in the language the user reads now.
#[component]
pub fn ProblemAlert(#[prop(into)] problem: Signal<Option<Problem>>) -> impl IntoView {
    let locale = use_locale();
    move || {
        problem.get().map(|problem| {
            view! {
                <p class="error" role="alert">
                    {problem.message(locale.get())}
                </p>
            }
        })
    }
}

/// A fixed error, e.g. a page whose data could not be loaded.
#[component]
pub fn ErrorMessage(#[prop(into)] problem: Problem) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="error" role="alert">
            {move || problem.message(locale.get())}
        </p>
    }
}
