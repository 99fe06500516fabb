#!/usr/bin/env bash
# The Playwright suite against a freshly built server on a throw-away SQLite database.
#   scripts/e2e.sh [--no-build] [playwright args…]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if [ "${1:-}" = --no-build ]; then shift; else cargo leptos build "${LEPTOS_ARGS[@]}"; fi

binary=$(target_dir)/debug/penguin
[ -x "$binary" ] || die "no server binary at $binary: run 'cargo leptos build' first"
work=$(mktemp -d -t penguin-e2e.XXXXXX)
port=$(free_port)
base=http://127.0.0.1:$port

# Every browser of the suite comes from 127.0.0.1: lift the per-address limits, which
# the Rust integration tests cover. Per-account limits stay as shipped.
PENGUIN_ADDR=127.0.0.1:$port \
  PENGUIN_SIGN_IN_ATTEMPTS_PER_ADDRESS=100000 \
  PENGUIN_REGISTRATIONS_PER_ADDRESS=100000 \
  PENGUIN_DATABASE_URL="sqlite://$work/penguin.db" \
  PENGUIN_SITE_ROOT="$ROOT/target/site" \
  PENGUIN_DEV_OUTBOX="$work/dev-outbox.txt" \
  PENGUIN_LOG="${PENGUIN_LOG:-warn,penguin_server=info}" \
  "$binary" >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! wait_for_http "$base/healthz" 60; then
  cat "$work/server.log" >&2
  die "the server did not become healthy at $base"
fi
say "server under test: $base (database in $work)"
status=0
# The tests read the e-mail codes the server "sent" from its development outbox.
(cd end2end && BASE_URL=$base PENGUIN_DEV_OUTBOX="$work/dev-outbox.txt" npx playwright test "$@") || status=$?
if [ $status -ne 0 ]; then
  say "server log (last 50 lines):"
  tail -n 50 "$work/server.log" >&2
fi
exit $status
