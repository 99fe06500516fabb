#!/usr/bin/env bash
# `make package`: the release build as one self-contained directory, out/penguin/:
#   penguin   the server binary (it serves site/ next to itself unless told otherwise)
#   site/     the built wasm, JavaScript, CSS and assets
#   penguin.service, penguin.toml, README.md
# plus out/penguin.tar.gz of the same. Install steps: packaging/penguin.service.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
scripts/setup.sh
scripts/build-site.sh --release
out=$ROOT/out/penguin
rm -rf "$out"
mkdir -p "$out"
cp "$(target_dir)/server-release/penguin" "$out/penguin"
cp -r "$ROOT/target/site" "$out/site"
cp packaging/penguin.service packaging/penguin.toml README.md "$out/"
tar -C "$ROOT/out" -czf "$ROOT/out/penguin.tar.gz" penguin
say "packaged: $out ($(du -sh "$out" | cut -f1)), out/penguin.tar.gz"
