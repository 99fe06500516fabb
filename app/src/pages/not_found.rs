use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    // The server answers an unknown address with a real 404, not a 200 page.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::NotFoundHeading) />
        <section class="card narrow">
            <h1>{move || t(Key::NotFoundHeading)}</h1>
            <p>{move || t(Key::NotFoundBody)}</p>
            <A href="/">{move || t(Key::BackHome)}</A>
        </section>
    }
}
