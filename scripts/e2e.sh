#!/usr/bin/env bash
# The Playwright suite against a freshly built server on a throw-away SQLite database.
#   scripts/e2e.sh [--no-build] [playwright args…]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if [ "${1:-}" = --no-build ]; then shift; else scripts/build-site.sh; fi

binary=$(target_dir)/debug/penguin
[ -x "$binary" ] || die "no server binary at $binary: run scripts/build-site.sh first"
work=$(mktemp -d -t penguin-e2e.XXXXXX)
port=$(free_port)
base=http://127.0.0.1:$port

# Every browser of the suite comes from 127.0.0.1: lift the per-address limits, which
# the Rust integration tests cover. Per-account limits stay as shipped, except the send
# rate: specs seed long histories through the API (the Rust tests cover that limit).
PENGUIN_ADDR=127.0.0.1:$port \
  PENGUIN_SIGN_IN_ATTEMPTS_PER_ADDRESS=100000 \
  PENGUIN_REGISTRATIONS_PER_ADDRESS=100000 \
  PENGUIN_SENDS_PER_SECOND=100000 PENGUIN_SEND_BURST=100000 \
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
# The admin spec runs `penguin admin` on the same database.
(cd end2end && BASE_URL=$base PENGUIN_DEV_OUTBOX="$work/dev-outbox.txt" \
  PENGUIN_BINARY="$binary" PENGUIN_DATABASE_URL="sqlite://$work/penguin.db" \
  npx playwright test "$@") || status=$?
if [ $status -ne 0 ]; then
  say "server log (last 50 lines):"
  tail -n 50 "$work/server.log" >&2
  exit $status
fi

# --- Two nodes of a cluster (PostgreSQL + Redis) ---------------------------------------
# Only when both services are given (.ci/run gives them and requires them), and only for
# a full run (extra arguments pick specs of the single-server run).
if [ -z "${PENGUIN_TEST_POSTGRES_URL:-}" ] || [ -z "${PENGUIN_TEST_REDIS_URL:-}" ]; then
  [ -z "${PENGUIN_REQUIRE_SERVICES:-}" ] ||
    die "PENGUIN_REQUIRE_SERVICES is set but PENGUIN_TEST_POSTGRES_URL / PENGUIN_TEST_REDIS_URL are not"
  say "skipping the two-node run: PENGUIN_TEST_POSTGRES_URL / PENGUIN_TEST_REDIS_URL not set"
  exit 0
fi
[ $# -eq 0 ] || exit 0
schema=penguin_e2e_$$_$RANDOM
prefix=penguin-e2e-$$-$RANDOM
nodes=()
drop_schema() {
  psql -q "$PENGUIN_TEST_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
}
cleanup_nodes() {
  kill "${nodes[@]}" 2>/dev/null || true
  wait "${nodes[@]}" 2>/dev/null || true
  drop_schema
  cleanup
}
trap cleanup_nodes EXIT
urls=()
for name in a b; do
  node_port=$(free_port)
  PENGUIN_ADDR=127.0.0.1:$node_port \
    PENGUIN_SIGN_IN_ATTEMPTS_PER_ADDRESS=100000 \
    PENGUIN_REGISTRATIONS_PER_ADDRESS=100000 \
    PENGUIN_SENDS_PER_SECOND=100000 PENGUIN_SEND_BURST=100000 \
    PENGUIN_DATABASE_URL="$PENGUIN_TEST_POSTGRES_URL" \
    PENGUIN_DATABASE_SCHEMA=$schema \
    PENGUIN_REDIS_URL="$PENGUIN_TEST_REDIS_URL" \
    PENGUIN_REDIS_PREFIX=$prefix \
    PENGUIN_NODE_ID=$name \
    PENGUIN_SITE_ROOT="$ROOT/target/site" \
    PENGUIN_DEV_OUTBOX="$work/dev-outbox-$name.txt" \
    PENGUIN_LOG="${PENGUIN_LOG:-warn,penguin_server=info,penguin_domain=info}" \
    "$binary" >"$work/node-$name.log" 2>&1 &
  nodes+=($!)
  urls+=("http://127.0.0.1:$node_port")
  # One at a time: the first migrates the fresh schema.
  if ! wait_for_http "${urls[-1]}/healthz" 60; then
    cat "$work/node-$name.log" >&2
    die "cluster node $name did not become healthy"
  fi
done
say "cluster under test: ${urls[*]} (schema $schema, Redis prefix $prefix)"
(cd end2end && BASE_URL=${urls[0]} NODE_A_URL=${urls[0]} NODE_B_URL=${urls[1]} \
  npx playwright test cluster.spec.ts --output test-results/cluster) || status=$?
if [ $status -ne 0 ]; then
  for name in a b; do
    say "node $name log (last 30 lines):"
    tail -n 30 "$work/node-$name.log" >&2
  done
fi
exit $status
