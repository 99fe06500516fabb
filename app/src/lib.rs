//! Penguin's user interface: one Leptos app rendered on the server and hydrated in the
//! browser. Server functions are declared here (`api`); with feature `ssr` their bodies
//! are thin calls into `penguin-domain`.

pub mod api;
pub mod auth;
pub mod components;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod realtime;

use leptos::prelude::*;
use leptos_meta::{Html, Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

pub use error::AppError;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = i18n::provide_locale();
    auth::provide_auth();
    let realtime = realtime::provide_realtime();

    // A marker for tests and tools: set once the wasm app has taken over the page.
    // Effects never run during server rendering, so its presence proves hydration.
    Effect::new(move |_| {
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Html {..} lang=move || locale.get().tag() />
        <Stylesheet id="leptos" href="/pkg/penguin.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="color-scheme" content="light dark" />
        // Read inside the title's effect, so the unread count follows every message.
        <Title formatter=move |page: String| pages::unread_title(&page, realtime.total_unread()) />
        <pages::UnreadFavicon />
        <Router>
            <components::TopBar />
            <main class="page">
                <Routes fallback=pages::NotFound>
                    <Route path=StaticSegment("") view=pages::Home />
                    <Route path=StaticSegment("login") view=pages::Login />
                    <Route path=StaticSegment("register") view=pages::Register />
                    <Route path=StaticSegment("contacts") view=pages::Contacts />
                    <Route path=StaticSegment("account") view=pages::AccountPage />
                    <Route path=StaticSegment("admin") view=pages::AdminPage />
                    <Route
                        path=(StaticSegment("groups"), ParamSegment("id"))
                        view=pages::GroupPage
                    />
                    <ParentRoute path=StaticSegment("chat") view=pages::ChatShell>
                        <Route path=StaticSegment("") view=pages::NoChatSelected />
                        <Route
                            path=(ParamSegment("kind"), ParamSegment("id"))
                            view=pages::ChatPane
                        />
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}
