#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (README.md, "Fuzzing").
#
#   scripts/fuzz.sh                      every target for 15 s (what `make test` runs)
#   scripts/fuzz.sh --long               every target for 10 min
#   scripts/fuzz.sh --time 3600 tags     one target for an hour
#   PENGUIN_FUZZ_SECONDS=120 scripts/fuzz.sh client_frame
#
# PENGUIN_FUZZ_TARGET_DIR (build output) and PENGUIN_FUZZ_WORK (found inputs, crashes,
# logs) default to $PENGUIN_CACHE/fuzz-target and $PENGUIN_CACHE/fuzz.
# Fails when a target fails: a crash or a broken invariant (the input is saved and its
# path printed), or a time-out. The inputs in fuzz/corpus/<target>/ are replayed first
# and never written to: what the fuzzer finds goes to $PENGUIN_CACHE/fuzz/ (outside the
# clone), where later runs start from it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

seconds=${PENGUIN_FUZZ_SECONDS:-15}
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --long) seconds=600 ;;
    --time) seconds=$2; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see $0 --help)" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
all_targets=(client_frame server_frame input_rules tags)
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [ -f "fuzz/fuzz_targets/$target.rs" ] || die "no fuzz target $target (${all_targets[*]})"
done
declare -A dict=([client_frame]=json [server_frame]=json [input_rules]=rules [tags]=tags)

command -v cargo-fuzz >/dev/null || die "cargo-fuzz is missing: run scripts/setup.sh"
# cargo-fuzz passes unstable rustc flags; RUSTC_BOOTSTRAP lets a stable rustc take them.
export RUSTC_BOOTSTRAP=1
# No sanitizer: this rustc ships no sanitizer runtimes (`--sanitizer address` fails to
# link librustc-stable_rt.asan.a), and the code under test has no `unsafe`. Panics and
# the targets' assertions are what fail. Set PENGUIN_FUZZ_SANITIZER=address where a
# nightly toolchain with the runtime is at hand.
sanitizer=${PENGUIN_FUZZ_SANITIZER:-none}
fuzz_target_dir=${PENGUIN_FUZZ_TARGET_DIR:-$PENGUIN_CACHE/fuzz-target}
work=${PENGUIN_FUZZ_WORK:-$PENGUIN_CACHE/fuzz}

# fuzz/ is a workspace of its own, so the root `cargo fmt --all --check` does not see it.
cargo fmt --manifest-path fuzz/Cargo.toml --check
say "building the fuzz targets (sanitizer: $sanitizer)"
cargo fuzz build --sanitizer "$sanitizer" --target-dir "$fuzz_target_dir" \
  $([ ${#targets[@]} -eq 1 ] && echo "${targets[0]}")

failed=()
for target in "${targets[@]}"; do
  binary=$fuzz_target_dir/x86_64-unknown-linux-gnu/release/$target
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
  say "fuzzing $target for ${seconds}s"
  # The first directory receives new inputs; fuzz/corpus/<target> is only read.
  if "$binary" "$work/corpus/$target" "fuzz/corpus/$target" \
    -dict="fuzz/dict/${dict[$target]}.dict" \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$target/" 2>"$work/$target.log"; then
    grep -E '^(Done|stat::number_of_executed_units|#[0-9]+.*DONE)' "$work/$target.log" >&2 || true
  else
    tail -n 60 "$work/$target.log" >&2
    failed+=("$target")
    printf '\033[1;31m%s failed\033[0m (log: %s). The input is in %s/;\n' \
      "$target" "$work/$target.log" "$work/artifacts/$target" >&2
    printf 'replay it with: %s <file>; once fixed, copy it into fuzz/corpus/%s/ as a regression.\n' \
      "$binary" "$target" >&2
  fi
done
[ ${#failed[@]} -eq 0 ] || die "fuzz targets failed: ${failed[*]}"
say "fuzzing passed: ${targets[*]} (${seconds}s each)"
