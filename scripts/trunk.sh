#!/usr/bin/env bash
# `make trunk`: the client-only (CSR) bundle of frontend/ built by Trunk into dist/.
# Building Trunk itself takes ~30 minutes on a cold 2-core machine, so it is not part of
# `make test`; `make trunk-serve` serves the bundle and proxies /api to a running server.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PENGUIN_WITH_TRUNK=1 scripts/setup.sh
if [ "$PENGUIN_TOOLCHAIN_MODE" = debian ]; then
  # Trunk cannot pass -Zbuild-std through; cargo's own config can, for this build only.
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
exec trunk "${1:-build}" --release --offline "${@:2}"
