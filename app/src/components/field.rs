//! A labelled form input bound to a signal, with an optional hint the input is
//! described by (screen readers read it with the label).

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;

#[component]
pub fn Field(
    /// The element id, unique on the page; the hint's id derives from it.
    id: &'static str,
    label: Key,
    name: &'static str,
    value: RwSignal<String>,
    /// The input type: `text`, `password` or `email`.
    #[prop(default = "text")]
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<Key>,
    /// The virtual keyboard to offer, e.g. `numeric` for a code.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// May be left empty (the input is not `required`).
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let t = use_i18n();
    let hint_id = format!("{id}-hint");
    let described_by = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>{move || t(label)}</label>
            <input
                id=id
                type=kind
                name=name
                autocomplete=autocomplete
                // Phones must not capitalize the first letter of a username.
                autocapitalize="none"
                aria-describedby=described_by
                inputmode=inputmode
                required=!optional
                bind:value=value
            />
            {hint.map(|hint| view! { <small id=hint_id class="hint">{move || t(hint)}</small> })}
        </div>
    }
}
