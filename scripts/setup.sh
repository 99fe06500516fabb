#!/usr/bin/env bash
# Installs whatever building, running and testing Penguin needs and is missing.
# Idempotent: a second run only checks, in a few seconds. Nothing downloads prebuilt
# binaries: tools are built from crates.io, browsers and compilers come from Debian.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ---------------------------------------------------------------
# python3-aiosmtpd: the real SMTP server the e-mail tests deliver to. The fonts give
# Chromium emoji and Chinese glyphs, so the screenshots show what users see. sqlite3:
# the benchmark seeds its 1,000,000-message conversation with it (scripts/bench.sh).
packages=(chromium curl python3 python3-aiosmtpd fonts-noto-color-emoji fonts-wqy-microhei sqlite3)
# A machine may have node/npm from elsewhere (nvm, the image): use those when present.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
if [ "$PENGUIN_TOOLCHAIN_MODE" = debian ]; then
  # rustc/cargo >= 1.96 with std sources (for -Zbuild-std), clippy, rustfmt, wasm-ld.
  packages+=(rustc-web cargo-web rust-web-src rust-web-clippy rustfmt-web lld)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Rust toolchain ----------------------------------------------------------------
if [ "$PENGUIN_TOOLCHAIN_MODE" = debian ] && command -v rustup >/dev/null &&
  ! rustup toolchain list | grep -q '^debian-web'; then
  say "linking Debian's Rust as the rustup toolchain 'debian-web'"
  rustup toolchain link debian-web /usr
fi

# --- Tools built from crates.io ----------------------------------------------------
# Built once into $PENGUIN_TOOLS; release builds without LTO to keep a cold install short.
cargo_tool() { # binary version crate [cargo install flags…]
  local binary=$1 version=$2 crate=$3
  shift 3
  if "$PENGUIN_TOOLS/bin/$binary" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  say "building $crate $version (once; this takes a while on a cold machine)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --quiet --root "$PENGUIN_TOOLS" "$crate" --version "$version" "$@"
}
# cargo-leptos only for `make dev` (cargo leptos watch): ~30 min to build cold, and the
# builds of `make run` / `make test` do without it (scripts/build-site.sh).
if [ "${PENGUIN_WITH_CARGO_LEPTOS:-0}" = 1 ]; then
  cargo_tool cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos --locked
fi
# Not --locked: one of its locked dependency versions is gone from the registry.
cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
# The fuzz targets of fuzz/ (scripts/fuzz.sh).
cargo_tool cargo-fuzz "$CARGO_FUZZ_VERSION" cargo-fuzz --locked
if [ "${PENGUIN_WITH_TRUNK:-0}" = 1 ]; then
  cargo_tool trunk "$TRUNK_VERSION" trunk --locked --ignore-rust-version
fi

# --- npm packages ------------------------------------------------------------------
# `npm ci` from the lock files, skipped while the lock file is unchanged.
npm_ci() { # directory
  local dir=$1 stamp=$1/node_modules/.penguin-lock
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "npm ci in $(realpath --relative-to="$ROOT" "$dir")/"
    (cd "$dir" && npm ci --silent --no-audit --no-fund)
    printf '%s\n' "$want" >"$stamp"
  fi
}
npm_ci "$ROOT"          # binaryen: wasm-opt for release builds
npm_ci "$ROOT/end2end"  # Playwright

say "setup complete ($PENGUIN_TOOLCHAIN_MODE toolchain)"
