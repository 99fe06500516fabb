//! The client-only (CSR) entry point that Trunk builds: mounts the same app into an empty
//! page, talking to a Penguin server's API (see Trunk.toml).

// As in lib.rs: the app's view types nest deeper than rustc's default limit.
#![recursion_limit = "256"]

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(penguin_app::App);
}
