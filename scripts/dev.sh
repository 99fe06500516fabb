#!/usr/bin/env bash
# `make dev`: cargo leptos watch — rebuilds and reloads the browser on every change.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PENGUIN_WITH_CARGO_LEPTOS=1 scripts/setup.sh
exec cargo leptos watch "${LEPTOS_ARGS[@]}" "$@"
