#!/usr/bin/env bash
# Builds what `cargo leptos build` builds, with plain cargo and the wasm-bindgen CLI:
#   scripts/build-site.sh [--release]
# - the browser crate (penguin-frontend, feature hydrate) for wasm32, bound with
#   wasm-bindgen into target/site/pkg/penguin.{js,wasm} (wasm-opt -Oz in release);
# - style/main.css as target/site/pkg/penguin.css, public/ into target/site/;
# - the server binary (debug: $CARGO_TARGET_DIR/debug/penguin, release: server-release/).
#
# Why not cargo-leptos here: building cargo-leptos from crates.io takes ~30 minutes on a
# cold 2-core machine, which `make run` and `make test` would pay before doing anything
# useful. It stays the development loop (`make dev` installs it on first use), and it
# reads the same [[workspace.metadata.leptos]] settings this script follows.
# The server is built with the same environment as `cargo test`, so after the tests it
# links from what they already compiled.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=0
[ "${1:-}" = --release ] && release=1

target=$(target_dir)
site=$ROOT/target/site
pkg=$site/pkg
if [ $release = 1 ]; then
  wasm_profile=(--profile wasm-release) wasm_dir=wasm-release
  server_profile=(--profile server-release)
else
  wasm_profile=() wasm_dir=debug
  server_profile=()
fi

say "building the browser side (wasm32, hydrate)"
cargo build --locked -p penguin-frontend --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate "${wasm_profile[@]}" "${WASM_CARGO_ARGS[@]}"

say "binding it with wasm-bindgen into target/site/pkg"
work=$(mktemp -d -t penguin-site.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # mktemp makes it private; the site is served to anyone
# The name section goes, in debug builds too: Leptos' view types make it ~130 MB of
# function names (the code is ~10 MB), which every page load would download; panics
# still report file and line through console_error_panic_hook.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$work" --out-name penguin \
  "$target/wasm32-unknown-unknown/$wasm_dir/penguin_frontend.wasm"
# Leptos' hydration script asks for /pkg/<output-name>.wasm when LEPTOS_OUTPUT_NAME was
# set at compile time (lib.sh sets it), as cargo-leptos names it.
mv "$work/penguin_bg.wasm" "$work/penguin.wasm"
if [ $release = 1 ]; then
  # binaryen from npm (package.json): Debian's is too old and corrupts the wasm.
  "$ROOT/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$work/penguin.wasm" -o "$work/penguin.opt.wasm"
  mv "$work/penguin.opt.wasm" "$work/penguin.wasm"
fi
cp style/main.css "$work/penguin.css"
# Replace the site in one step, so a running server never serves half of two builds.
mkdir -p "$site"
cp -r public/. "$site/"
rm -rf "$pkg.new"
mv "$work" "$pkg.new"
rm -rf "$pkg"
mv "$pkg.new" "$pkg"
trap - EXIT

say "building the server"
cargo build --locked -p penguin-server --bin penguin "${server_profile[@]}"
say "site in target/site ($(du -sh "$pkg" | cut -f1) in pkg/)"
