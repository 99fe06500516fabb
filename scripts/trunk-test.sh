#!/usr/bin/env bash
# `make trunk-test`: the client-only (Trunk) bundle against a real Penguin server, in
# Chromium. The server listens on 127.0.0.1:3000 (Trunk.toml proxies /api there), Trunk
# on a free port.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PENGUIN_WITH_TRUNK=1 scripts/setup.sh
# cargo-leptos, not a plain `cargo build`: it keeps target/site and the server binary in
# step for the SSR suite (see the issue #3 note on a mismatch seen with a plain build).
cargo leptos build "${LEPTOS_ARGS[@]}"
if curl -fsS -o /dev/null http://127.0.0.1:3000/healthz 2>/dev/null; then
  die "something already answers on 127.0.0.1:3000 (Trunk.toml proxies /api there): stop it first"
fi

work=$(mktemp -d -t penguin-csr.XXXXXX)
port=$(free_port)
PENGUIN_ADDR=127.0.0.1:3000 PENGUIN_DATABASE_URL="sqlite://$work/penguin.db" \
  PENGUIN_ALLOWED_ORIGINS="http://127.0.0.1:$port" PENGUIN_LOG=warn \
  "$(target_dir)/debug/penguin" >"$work/server.log" 2>&1 &
server=$!
scripts/trunk.sh serve --port "$port" --no-autoreload >"$work/trunk.log" 2>&1 &
trunk=$!
cleanup() {
  kill "$server" "$trunk" 2>/dev/null || true
  wait "$server" "$trunk" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_for_http http://127.0.0.1:3000/healthz 60 || { cat "$work/server.log" >&2; die "server did not start"; }
say "waiting for Trunk to build and serve the bundle on :$port"
wait_for_http "http://127.0.0.1:$port/" 900 || { tail -n 40 "$work/trunk.log" >&2; die "trunk serve did not come up"; }
(cd end2end && CSR_BASE_URL="http://127.0.0.1:$port" npx playwright test tests/csr.spec.ts)
