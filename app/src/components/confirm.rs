//! Asking "are you sure?" before something that cannot be undone.

use crate::i18n::Key;

/// Shows the browser's confirmation dialog; `true` when the user agreed. Never asked
/// during server rendering (event handlers only run in the browser).
pub fn confirm(question: Key, locale: crate::i18n::Locale) -> bool {
    let message = question.text(locale);
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        web_sys::window()
            .and_then(|window| window.confirm_with_message(message).ok())
            .unwrap_or(false)
    }
    #[cfg(not(any(feature = "hydrate", feature = "csr")))]
    {
        let _ = message;
        false
    }
}
