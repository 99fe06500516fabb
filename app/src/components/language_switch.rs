use crate::i18n::{Key, Locale, set_locale, use_i18n, use_locale};
use leptos::prelude::*;

/// One button that switches between the two languages; it is labelled in the language it
/// switches to, so a reader of either can find it.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let t = use_i18n();
    let locale = use_locale();
    let other = move || match locale.get() {
        Locale::En => Locale::ZhCn,
        Locale::ZhCn => Locale::En,
    };
    view! {
        <button
            type="button"
            class="language-switch"
            lang=move || other().tag()
            on:click=move |_| set_locale(other())
        >
            {move || t(Key::SwitchLanguage)}
        </button>
    }
}
