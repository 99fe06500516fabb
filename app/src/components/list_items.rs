//! Small pieces of the people and group lists.

use crate::AppError;
use crate::components::ErrorMessage;
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;

/// A list's "nothing here" line.
#[component]
pub fn EmptyItem(text: Key) -> impl IntoView {
    let t = use_i18n();
    view! { <li class="empty">{move || t(text)}</li> }
}

/// A button that does `label` to `subject`: it shows the verb, and its accessible name
/// adds whom it acts on ("Remove Alice"), so a list of them can be told apart.
#[component]
pub fn ActionButton(
    label: Key,
    #[prop(into)] subject: String,
    on_click: impl Fn() + Send + Sync + 'static,
    #[prop(optional)] secondary: bool,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let t = use_i18n();
    let class = if danger {
        "danger"
    } else if secondary {
        "secondary"
    } else {
        ""
    };
    view! {
        <button
            type="button"
            class=class
            aria-label=move || format!("{} {subject}", t(label))
            on:click=move |_| on_click()
        >
            {move || t(label)}
        </button>
    }
}

/// A titled list of what a resource loaded: one row per item, a "nothing here" line when
/// there are none, or the error. `row` renders one item as an `<li>`.
#[component]
pub fn LoadedList<T, F, IV>(
    /// The list's heading, also its accessible name.
    heading: Key,
    /// What an empty list says.
    empty: Key,
    items: Resource<Result<Vec<T>, AppError>>,
    row: F,
    /// The `<ul>`'s class (`people`, `groups`).
    #[prop(default = "people")]
    class: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let t = use_i18n();
    view! {
        <div class="subsection">
            <h3>{move || t(heading)}</h3>
            <Transition>
                {move || {
                    let row = row.clone();
                    Suspend::new(async move {
                        match items.await {
                            Ok(items) => {
                                view! {
                                    <ul class=class aria-label=move || t(heading)>
                                        {items.is_empty().then(|| view! { <EmptyItem text=empty /> })}
                                        {items.into_iter().map(row).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}
