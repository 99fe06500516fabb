//! The wasm entry point: hydrates the page the server rendered.

// The app's views are deeply nested types; an optimised (release) build computes the
// layout of the hydration futures deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(penguin_app::App);
}
