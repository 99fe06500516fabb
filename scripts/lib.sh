# Sourced by every script: one place that decides the toolchain and where tools live.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT

# Tools built by setup (cargo-leptos, wasm-bindgen, trunk) and npm's cache live outside
# the clone so fresh clones and CI reuse them.
export PENGUIN_CACHE=${PENGUIN_CACHE:-/var/tmp/penguin}
export PENGUIN_TOOLS=$PENGUIN_CACHE/tools
export PATH="$PENGUIN_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export npm_config_cache=$PENGUIN_CACHE/npm-cache
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Playwright must never try to download its own browsers: it drives Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

CARGO_LEPTOS_VERSION=0.3.11
TRUNK_VERSION=0.22.1
CARGO_FUZZ_VERSION=0.13.2
# The CLI must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml")

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# cargo-leptos sets this while it compiles and leptos reads it with option_env!; setting
# it for every cargo command keeps `cargo test` and `cargo leptos build` from rebuilding
# leptos, the app and the server over each other.
export LEPTOS_OUTPUT_NAME=penguin

# Toolchain mode.
#  rustup: the machine's rustup has the wasm32-unknown-unknown target (a developer laptop).
#  debian: Debian's rustc-web with std built from source for wasm (machines whose rustup
#          cannot download targets). See ../shared/TOOLCHAIN.md.
if [ -z "${PENGUIN_TOOLCHAIN_MODE:-}" ]; then
  if command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    PENGUIN_TOOLCHAIN_MODE=rustup
  else
    PENGUIN_TOOLCHAIN_MODE=debian
  fi
fi
export PENGUIN_TOOLCHAIN_MODE

# Flags for every `cargo leptos` call: build std for wasm in Debian mode.
LEPTOS_ARGS=()
if [ "$PENGUIN_TOOLCHAIN_MODE" = debian ]; then
  if command -v rustup >/dev/null 2>&1; then
    export RUSTUP_TOOLCHAIN=debian-web
  else
    export PATH="/usr/bin:$PATH"
  fi
  export RUSTC_BOOTSTRAP=1
  # Debian's rustc-web has no rust-lld; lld's wasm-ld links wasm.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld
  LEPTOS_ARGS=(--lib-cargo-args=-Zbuild-std=std,panic_abort)
  WASM_CARGO_ARGS=(-Zbuild-std=std,panic_abort)
else
  WASM_CARGO_ARGS=()
fi

# Where cargo puts build output (CI sets CARGO_TARGET_DIR to a cache outside the clone).
target_dir() { printf '%s\n' "${CARGO_TARGET_DIR:-$ROOT/target}"; }

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until GET $1 answers 200, or fails after $2 seconds.
wait_for_http() {
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
