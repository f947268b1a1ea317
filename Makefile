# driftlab — the two commands: `make start` (serve the playground) and `make test`.
# Every target installs what it needs, idempotently, so a fresh machine works.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO      ?= cargo
WASM_TARGET := wasm32-unknown-unknown
WASM_DIR   := target/$(WASM_TARGET)/wasm-full
BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3}' Cargo.lock 2>/dev/null)
WASM_OPT   := node_modules/.bin/wasm-opt
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
                 --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd
CHROMEDRIVER := /usr/bin/chromedriver

.PHONY: help start test wasm edge bench tools rust-tools wasm-bindgen node-deps browser \
        lint test-native test-wasm test-web test-edge fuzz fuzz-tools clean npm-pack test-npm \
        test-onnx

help:
	@echo "make start   install what is missing, build the Wasm, serve http://127.0.0.1:5173"
	@echo "make test    install what is missing and run every test"
	@echo "make wasm    build the playground Wasm into pkg/ and the edge scorer into pkg/edge/"
	@echo "make bench   run the benchmarks"
	@echo "make npm-pack  the npm package of the core: target/npm/driftlab-<version>.tgz (npm/README.md)"
	@echo "make fuzz    fuzz the CSV and Parquet readers, artifact loaders, pipeline, edge requests, ONNX import and the decimal parser (FUZZ_TIME=60 s each)"

# --- tools ----------------------------------------------------------------------------

tools: rust-tools wasm-bindgen node-deps

rust-tools:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# exactly the wasm-bindgen version in Cargo.lock (`--locked` fails for 0.2.130)
wasm-bindgen:
	@test -n "$(BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock: run cargo generate-lockfile"; exit 1; }
	@if ! wasm-bindgen --version 2>/dev/null | grep -q " $(BINDGEN_VERSION)$$"; then \
	  echo "installing wasm-bindgen-cli $(BINDGEN_VERSION) (a few minutes, once)"; \
	  $(CARGO) install -q wasm-bindgen-cli --version $(BINDGEN_VERSION) --force; \
	fi

# npm ci when the lock file is newer than the installed tree (wasm-opt comes from binaryen)
node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing Debian's chromium and chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# --- builds -----------------------------------------------------------------------------

# Two builds of the page's core: pkg/light (no trainers: what the page needs to open and
# show data, size-tuned) and pkg/ (everything, at opt-level 3: Cargo.toml's profile.wasm-full
# says why), which the worker loads on the first call that needs it.
# The light build has its own target dir: a cdylib's file name carries no feature hash, so
# the two builds would overwrite each other's output and rebuild every time.
# The edge scorer is compiled at opt-level z (profile.edge) and then optimised by wasm-opt
# at -O3, which on it is about as small (gzipped) as -Oz and a few percent faster. It links
# no wasm-bindgen (the core's `browser` feature is off), so it exports only the dl_* ABI,
# its memory and two linker globals; wasm-opt alone (target features stripped) got it to
# 58,615 B gzipped before it sketched its traffic (issue #18: budget 80,000 B; 79,456 B
# with the sketches, boosted trees and networks), and pruning the two globals as well (the old edge/scripts/prune-wasm.mjs,
# needed while wasm-bindgen's exports were linked in) would save 36 B more.
#
# Incremental: make asks cargo for each .wasm every time (FORCE; cargo rewrites its output
# only when an input changed), and runs wasm-bindgen and wasm-opt only on an output newer
# than what they made, so a second `make wasm` only prints the sizes.
LIGHT_RAW  := target/light/$(WASM_TARGET)/wasm/driftlab.wasm
FULL_RAW   := $(WASM_DIR)/driftlab.wasm
EDGE_RAW   := target/$(WASM_TARGET)/edge/driftlab_edge.wasm
LIGHT_WASM := pkg/light/driftlab_bg.wasm
FULL_WASM  := pkg/driftlab_bg.wasm
EDGE_WASM  := pkg/edge/driftlab_edge.wasm
# the edge monitor, which only the bundle's Durable Object loads (src/monitor/edge/)
MONITOR_RAW  := target/$(WASM_TARGET)/edge/driftlab_edge_monitor.wasm
MONITOR_WASM := pkg/edge/driftlab_monitor.wasm

# a half-written output (wasm-opt failed) is removed, not taken for done
.DELETE_ON_ERROR:

wasm: $(LIGHT_WASM) $(FULL_WASM) $(EDGE_WASM) $(MONITOR_WASM)
	@printf 'playground wasm, first load: %s bytes, %s gzipped\n' $$(stat -c %s $(LIGHT_WASM)) $$(gzip -9c $(LIGHT_WASM) | wc -c)
	@printf 'playground wasm, on demand: %s bytes, %s gzipped\n' $$(stat -c %s $(FULL_WASM)) $$(gzip -9c $(FULL_WASM) | wc -c)
	@printf 'edge wasm:       %s bytes, %s gzipped\n' $$(stat -c %s $(EDGE_WASM)) $$(gzip -9c $(EDGE_WASM) | wc -c)
	@printf 'edge monitor:    %s bytes, %s gzipped\n' $$(stat -c %s $(MONITOR_WASM)) $$(gzip -9c $(MONITOR_WASM) | wc -c)

$(LIGHT_RAW): FORCE | rust-tools
	$(CARGO) build --lib --target $(WASM_TARGET) --profile wasm --no-default-features --features browser \
	  --target-dir target/light
$(FULL_RAW): FORCE | rust-tools
	$(CARGO) build --lib --target $(WASM_TARGET) --profile wasm-full
$(EDGE_RAW): FORCE | rust-tools
	$(CARGO) build -p driftlab-edge --target $(WASM_TARGET) --profile edge
$(MONITOR_RAW): FORCE | rust-tools
	$(CARGO) build -p driftlab-edge-monitor --target $(WASM_TARGET) --profile edge

$(LIGHT_WASM): $(LIGHT_RAW) Makefile | wasm-bindgen node-deps
	wasm-bindgen --target web --out-dir pkg/light --out-name driftlab --remove-name-section $<
	$(WASM_OPT) -O3 $(WASM_FEATURES) $@ -o $@
$(FULL_WASM): $(FULL_RAW) Makefile | wasm-bindgen node-deps
	wasm-bindgen --target web --out-dir pkg --out-name driftlab --remove-name-section $<
	$(WASM_OPT) -O3 $(WASM_FEATURES) $@ -o $@
$(EDGE_WASM): $(EDGE_RAW) Makefile | node-deps
	@mkdir -p pkg/edge
	$(WASM_OPT) -O3 --converge --low-memory-unused --zero-filled-memory --remove-imports $(WASM_FEATURES) --strip-debug --strip-producers --strip-target-features \
	  $< -o $@
$(MONITOR_WASM): $(MONITOR_RAW) Makefile | node-deps
	@mkdir -p pkg/edge
	$(WASM_OPT) -O3 --remove-imports $(WASM_FEATURES) --strip-debug --strip-producers --strip-target-features $< -o $@

FORCE:

start: wasm
	npm run dev

# --- tests ------------------------------------------------------------------------------

test: tools browser lint test-native test-wasm test-web test-edge test-npm test-onnx
	@echo "make test: all passed"

# the CLI carries the edge scorer when it exists (build.rs): build it first, so that
# clippy and the tests see the binary an install gets
lint: rust-tools $(EDGE_WASM) $(MONITOR_WASM)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --lib --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy --lib --target $(WASM_TARGET) --no-default-features --features browser -- -D warnings
	$(CARGO) clippy -p driftlab-edge --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p driftlab-edge-monitor --target $(WASM_TARGET) -- -D warnings
	$(CARGO) build --no-default-features --lib

test-native: $(EDGE_WASM) $(MONITOR_WASM)
	$(CARGO) test --workspace

# wasm-bindgen-test: the same core in Node, then in headless Chromium (webdriver.json);
# the bad-input corpus (a 50 MB line, 10,000 columns) takes longer than the runner's 20 s default
test-wasm: wasm-bindgen browser
	WASM_BINDGEN_TEST_TIMEOUT=300 $(CARGO) test --target $(WASM_TARGET) --test wasm_node
	WASM_BINDGEN_TEST_TIMEOUT=300 CHROMEDRIVER=$(CHROMEDRIVER) $(CARGO) test --target $(WASM_TARGET) --test wasm_browser

test-web: wasm browser
	npm run typecheck
	npm run test:e2e

# the real Workers runtime (workerd) and wrangler, pinned in edge/test-tools
EDGE_TOOLS := edge/test-tools/node_modules/.package-lock.json
$(EDGE_TOOLS): edge/test-tools/package-lock.json
	npm ci --prefix edge/test-tools --no-audit --no-fund --loglevel=error
	@touch $@

# tests/e2e/edge.test.mjs holds the downloaded bundle in workerd to the page's scorer
test-web: $(EDGE_TOOLS)

# tests/edge/edge.test.mjs also holds the edge to the page's core in Chromium (tests/edge/page.mjs)
test-edge: wasm browser $(EDGE_TOOLS)
	node --test --test-concurrency=1 tests/edge/

# onnxruntime-node for tests/onnx, pinned in tests/onnx-tools: its CPU binary is in the npm
# tarball; --ignore-scripts skips its install script, which would fetch CUDA providers
ONNX_TOOLS := tests/onnx-tools/node_modules/.package-lock.json
$(ONNX_TOOLS): tests/onnx-tools/package-lock.json
	npm ci --prefix tests/onnx-tools --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# ONNX export parity: the CLI's exported models run by onnxruntime (tests/onnx/)
test-onnx: $(ONNX_TOOLS)
	$(CARGO) build --bin driftlab
	node --test --test-concurrency=1 tests/onnx/

# side-by-side benchmarks; installs its peers (scikit-learn, SciPy, skl2onnx,
# onnxruntime-web) into .bench/ and says so in the table where one is unavailable
bench: wasm
	benches/run.sh

# --- fuzzing (not part of `make test`): FUZZ_TIME seconds per target -------------------
FUZZ_TIME ?= 60
FUZZ_TARGETS := csv artifact pipeline edge_request edge_artifact onnx parquet arrow float

fuzz-tools:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked

# libFuzzer needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them
fuzz: fuzz-tools
	$(CARGO) build --bin driftlab
	fuzz/seed.sh target/debug/driftlab
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t ($(FUZZ_TIME) s)"; \
	  (cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t -- -max_total_time=$(FUZZ_TIME) -timeout=10) || exit 1; \
	done

clean:
	rm -rf pkg dist
	$(CARGO) clean

# --- the npm package (npm/) ---------------------------------------------------------------

# npm/build.mjs assembles the package from pkg/ into target/npm/driftlab (and prints the
# entries' sizes); npm pack writes target/npm/driftlab-<version>.tgz
npm-pack: wasm
	node npm/build.mjs target/npm/driftlab
	cd target/npm/driftlab && npm pack --pack-destination ..

# Deno for the package's deno condition, pinned in npm/test-tools: its binary is in the npm
# platform package (@deno/<os>-<cpu>); --ignore-scripts skips deno's install script (which
# only links that binary; bin.cjs finds it without)
NPM_TOOLS := npm/test-tools/node_modules/.package-lock.json
$(NPM_TOOLS): npm/test-tools/package-lock.json
	npm ci --prefix npm/test-tools --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# the packed tarball installed into a scratch project, used from Node, Deno, Chromium and workerd
test-npm: wasm browser $(EDGE_TOOLS) $(NPM_TOOLS)
	node --test --test-concurrency=1 npm/test/
