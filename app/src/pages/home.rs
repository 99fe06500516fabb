//! `/`: the start page. The chat shell replaces it when accounts and messaging land.

use crate::api::server_info;
use crate::i18n::{Key, use_i18n, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use penguin_protocol::ServerInfo;

#[component]
pub fn Home() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text="" />
        <section class="card hero">
            <h1>{move || t(Key::HomeHeading)}</h1>
            <p>{move || t(Key::HomeIntro)}</p>
        </section>
        <ServerStatus />
    }
}

/// Asks the server about itself on demand: a server-function round trip that works only
/// once the page is hydrated.
#[component]
fn ServerStatus() -> impl IntoView {
    let t = use_i18n();
    let locale = use_locale();
    let check = Action::new(|_: &()| server_info());
    let pending = check.pending();

    view! {
        <section class="card" aria-labelledby="server-status-heading">
            <h2 id="server-status-heading">{move || t(Key::ServerStatusHeading)}</h2>
            <button
                type="button"
                on:click=move |_| {
                    check.dispatch(());
                }
                disabled=pending
            >
                {move || if pending.get() { t(Key::Checking) } else { t(Key::CheckServer) }}
            </button>
            <div class="server-status" aria-live="polite">
                {move || {
                    check
                        .value()
                        .get()
                        .map(|answer| match answer {
                            Ok(info) => view! { <ServerFacts info /> }.into_any(),
                            Err(error) => {
                                view! {
                                    <p class="error" role="alert">
                                        {error.message_in(locale.get())}
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </div>
        </section>
    }
}

#[component]
fn ServerFacts(info: ServerInfo) -> impl IntoView {
    let t = use_i18n();
    view! {
        <dl class="facts" data-testid="server-facts">
            <dt>{move || t(Key::ServerVersion)}</dt>
            <dd>{info.version}</dd>
            <dt>{move || t(Key::ServerDatabase)}</dt>
            <dd>{info.database.as_str()}</dd>
            <dt>{move || t(Key::ServerSchema)}</dt>
            <dd>{info.schema_version}</dd>
            <dt>{move || t(Key::ServerAccounts)}</dt>
            <dd>{info.users}</dd>
        </dl>
    }
}
