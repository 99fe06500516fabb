#!/usr/bin/env bash
# `make bench`: the benchmark suite (bench/, issue #8) against a release build of the
# server, every scenario at full size, report in target/bench/. `make bench-smoke`
# (`--smoke`): the debug server, tiny sizes, a few seconds per scenario; it checks
# counts and zero loss, not speed (`make test` runs it so the suite never rots).
#
#   scripts/bench.sh [--smoke] [penguin-bench flags…]
#   make bench BENCH_ARGS="--postgres postgres://… --redis redis://…"   # two nodes
#   make bench BENCH_ARGS="--scenarios direct,knee --step-secs 5"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

smoke=false
if [ "${1:-}" = --smoke ]; then
  smoke=true
  shift
fi
target=$(target_dir)
command -v sqlite3 >/dev/null || say "no sqlite3 command: the history scenario will fail (apt-get install sqlite3)"

if $smoke; then
  # `make test` has just built the debug server for the integration tests; build it
  # only when it is missing, so its binary is not relinked under another feature set.
  server=$target/debug/penguin
  if [ ! -x "$server" ]; then
    say "building the debug server"
    cargo build --locked -p penguin-server --bin penguin
  fi
  say "building penguin-bench (debug)"
  cargo build --locked -p penguin-bench
  bench=$target/debug/penguin-bench
  out=$ROOT/target/bench/smoke
else
  # One profile for both: their shared dependencies compile once.
  say "building the server and penguin-bench (server-release profile)"
  cargo build --locked --profile server-release -p penguin-server -p penguin-bench
  server=$target/server-release/penguin
  bench=$target/server-release/penguin-bench
  out=$ROOT/target/bench
fi
[ -x "$server" ] || die "no server binary at $server"

args=(--server "$server" --out "$out")
$smoke && args+=(--smoke)
say "running penguin-bench ${args[*]} $*"
"$bench" "${args[@]}" "$@" || die "the benchmark found problems (see $out/report.md)"
say "report: $out/report.md"
