//! The client-only (CSR) entry point that Trunk builds: mounts the same app into an empty
//! page, talking to a Penguin server's API (see Trunk.toml).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(penguin_app::App);
}
