#!/usr/bin/env bash
# `make test`: every check Penguin has, in order, stopping at the first failure, with a
# summary at the end. The PostgreSQL/Redis tests run when PENGUIN_TEST_POSTGRES_URL /
# PENGUIN_TEST_REDIS_URL are set (.ci/run sets them and requires them).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

names=() results=() times=()
# The running step's output also goes to a log (each step overwrites it), so that a
# failure can end with its digest: CI shows the tail of the run, and the lines that name
# the failed tests are far above.
log=$(mktemp -t penguin-test.XXXXXX)
trap 'rm -f "$log"' EXIT
summary() {
  local passed=0 failed=0 i
  printf '\n%-34s %-7s %s\n' "step" "result" "time"
  for i in "${!names[@]}"; do
    printf '%-34s %-7s %ss\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
    if [ "${results[$i]}" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo
  echo "summary: $passed passed, $failed failed"
}
digest() { # log: the lines that say what failed (cargo test, Playwright, compilers)
  local lines
  lines=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E -e '^test .* FAILED$' -e 'panicked at' \
    -e '^error(\[E[0-9]+\])?:' -e '^ +[0-9]+\) \[chromium\]' -e '^ +\[chromium\] ›' \
    -e '^ +[0-9]+ (failed|flaky|passed|did not run)' -e '^ +(Error|TimeoutError):' | tail -n 60)
  [ -z "$lines" ] || printf '\nwhat failed (from the output above):\n%s\n' "$lines"
}
step() { # name command…
  local name=$1 started=$SECONDS
  shift
  say "$name"
  if "$@" 2>&1 | tee "$log"; then
    names+=("$name") results+=(ok) times+=($((SECONDS - started)))
  else
    names+=("$name") results+=(FAILED) times+=($((SECONDS - started)))
    summary
    digest "$log"
    printf '\n\033[1;31mmake test failed at: %s\033[0m (its output is above)\n' "$name" >&2
    exit 1
  fi
}

step "setup (install what is missing)" scripts/setup.sh
# Exported by lib.sh after setup, which may have linked the toolchain.
step "cargo fmt --check" cargo fmt --all --check
step "clippy: server side" \
  cargo clippy --locked --workspace --exclude penguin-frontend --all-targets -- -D warnings
step "clippy: browser side (wasm)" \
  cargo clippy --locked -p penguin-frontend --lib --target wasm32-unknown-unknown \
  --features hydrate "${WASM_CARGO_ARGS[@]}" -- -D warnings
step "rust tests (unit + integration)" \
  cargo test --locked --workspace --exclude penguin-frontend
step "bench smoke (correctness)" scripts/bench.sh --smoke
step "fuzz (short run)" scripts/fuzz.sh
step "site build (server + wasm)" scripts/build-site.sh
step "playwright end-to-end (chromium)" scripts/e2e.sh --no-build
summary
