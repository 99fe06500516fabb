#!/usr/bin/env bash
# `make run`: an optimised build, served on http://127.0.0.1:3000 with the embedded SQLite
# database in ./data (override with PENGUIN_ADDR, PENGUIN_DATABASE_URL, …; see README).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
scripts/setup.sh
scripts/build-site.sh --release
say "serving on http://${PENGUIN_ADDR:-127.0.0.1:3000} (Ctrl-C stops)"
PENGUIN_SITE_ROOT=${PENGUIN_SITE_ROOT:-$ROOT/target/site} exec "$(target_dir)/server-release/penguin" "$@"
