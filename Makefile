# Penguin. Every target goes through scripts/, which share one toolchain choice
# (scripts/lib.sh) and install what is missing first (scripts/setup.sh).

SHELL := /bin/bash

.PHONY: run test dev setup build e2e fuzz bench bench-smoke fmt package trunk trunk-serve trunk-test clean

run:          ## build (release) and serve http://127.0.0.1:3000 on ./data/penguin.db
	@scripts/run.sh

test:         ## every check: fmt, clippy (server + wasm), Rust tests, Playwright
	@scripts/test.sh

dev:          ## cargo leptos watch (builds cargo-leptos once, ~30 min cold)
	@scripts/dev.sh

setup:        ## install what is missing (idempotent)
	@scripts/setup.sh

build:        ## debug build of server and wasm into target/site (scripts/build-site.sh)
	@scripts/setup.sh && scripts/build-site.sh

e2e:          ## Playwright only (builds first)
	@scripts/setup.sh && scripts/e2e.sh

fuzz:         ## the fuzz targets, 15 s each; FUZZ_ARGS="--long" or "--time 3600 tags"
	@scripts/setup.sh && scripts/fuzz.sh $(FUZZ_ARGS)

bench:        ## benchmark suite, release, full size -> target/bench/; BENCH_ARGS="--postgres URL --redis URL"
	@scripts/bench.sh $(BENCH_ARGS)

bench-smoke:  ## benchmark suite at tiny sizes (debug server): correctness only, a few s per scenario
	@scripts/bench.sh --smoke $(BENCH_ARGS)

fmt:          ## format the code
	@. scripts/lib.sh && cargo fmt --all

package:      ## release build as one directory out/penguin/ (binary + site + unit + config)
	@scripts/package.sh

trunk:        ## client-only bundle with Trunk into dist/ (builds Trunk once, ~30 min cold)
	@scripts/trunk.sh build

trunk-serve:  ## serve the Trunk bundle on :8080, proxying /api to a server on :3000
	@scripts/trunk.sh serve

trunk-test:   ## the Trunk bundle against a real server on :3000, in Chromium
	@scripts/trunk-test.sh

clean:
	@. scripts/lib.sh && cargo clean && rm -rf target/site dist out
