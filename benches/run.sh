#!/usr/bin/env bash
# driftlab's benchmark runner (`make bench`): builds the harness, runs the native, Wasm
# (Node) and scikit-learn/SciPy/onnxruntime-web sides on the same seeded tables, prints
# one table with ratios and budgets, and writes bench-results.json (git-ignored).
#
#   benches/run.sh            REPS=5 by default (medians); REPS=3 benches/run.sh for a quicker run
#
# Peers are installed by scripts/bench_env.sh into .bench/ (ignored); a peer that is not
# available turns its rows into "not measured" instead of failing the run.
set -uo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
OUT=.bench/out
DATA=.bench/data
TARGET_DIR=target/bench
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd"
mkdir -p "$OUT" "$DATA" .bench/wasm
rm -f "$OUT"/*.json

scripts/bench_env.sh

echo "bench: building the native harness" >&2
(cd benches && cargo build -q --release --target-dir "../$TARGET_DIR" --bin driftlab-bench) || exit 1
echo "bench: building the Wasm harness (the full module's profile and wasm-opt -O3)" >&2
if (cd benches && cargo build -q --lib --target wasm32-unknown-unknown --profile wasm-full --target-dir "../$TARGET_DIR") \
  && wasm-bindgen --target web --out-dir .bench/wasm --out-name bench \
       "$TARGET_DIR/wasm32-unknown-unknown/wasm-full/driftlab_bench.wasm"; then
  if [ -x node_modules/.bin/wasm-opt ]; then
    # shellcheck disable=SC2086
    node_modules/.bin/wasm-opt -O3 $WASM_FEATURES .bench/wasm/bench_bg.wasm -o .bench/wasm/bench_bg.wasm
  fi
else
  echo "bench: the Wasm harness did not build; its rows will say not measured" >&2
  rm -f .bench/wasm/bench.js
fi

# the same harness without Wasm SIMD (simd128 off: RUSTFLAGS replaces .cargo/config.toml's
# flags, so the getrandom cfg is repeated), for the SIMD gain rows; its own target dir
echo "bench: building the Wasm harness without simd128" >&2
if (cd benches && RUSTFLAGS='--cfg getrandom_backend="wasm_js"' cargo build -q --lib \
      --target wasm32-unknown-unknown --profile wasm-full --target-dir "../$TARGET_DIR-nosimd") \
  && wasm-bindgen --target web --out-dir .bench/wasm-nosimd --out-name bench \
       "$TARGET_DIR-nosimd/wasm32-unknown-unknown/wasm-full/driftlab_bench.wasm"; then
  if [ -x node_modules/.bin/wasm-opt ]; then
    # shellcheck disable=SC2086
    node_modules/.bin/wasm-opt -O3 ${WASM_FEATURES/--enable-simd/} .bench/wasm-nosimd/bench_bg.wasm \
      -o .bench/wasm-nosimd/bench_bg.wasm
  fi
else
  echo "bench: the Wasm harness without SIMD did not build; the SIMD rows say not measured" >&2
  rm -f .bench/wasm-nosimd/bench.js
fi

"$TARGET_DIR/release/driftlab-bench" gen "$DATA" || exit 1

if [ -x .bench/venv/bin/python ]; then
  echo "bench: scikit-learn / SciPy side" >&2
  .bench/venv/bin/python benches/peers.py "$DATA" --reps "$REPS" > "$OUT/python.json" \
    || echo '{"error": "peers.py failed (see stderr)"}' > "$OUT/python.json"
else
  echo '{"error": "no Python virtual environment (.bench/venv)"}' > "$OUT/python.json"
fi

echo "bench: native side" >&2
"$TARGET_DIR/release/driftlab-bench" run "$DATA" --reps "$REPS" > "$OUT/native.json" \
  || echo '{"error": "native run failed"}' > "$OUT/native.json"

# --no-liftoff: time V8's optimised Wasm code from the first call (steady state), not
# its baseline tier, which would otherwise run every long single call
echo "bench: Wasm side (Node)" >&2
node --no-liftoff benches/node/bench.mjs "$DATA" --reps "$REPS" > "$OUT/wasm.json" \
  || echo '{"error": "bench.mjs failed"}' > "$OUT/wasm.json"
# the families whose scorers or trainers have SIMD paths, with simd128 off (harness only)
echo "bench: Wasm side without SIMD (Node)" >&2
node --no-liftoff benches/node/bench.mjs "$DATA" --reps "$REPS" --wasm .bench/wasm-nosimd --harness-only \
  --only logistic,logistic-multinomial,linear,gaussian-nb,kmeans,knn,tree,forest,boosting \
  > "$OUT/wasm-nosimd.json" || echo '{"error": "bench.mjs (no SIMD) failed"}' > "$OUT/wasm-nosimd.json"

# always rebuilt: a dist/ left from an earlier build would time an old page (and its size)
echo "bench: npm run build (the page the page and live-view benches serve, and its JS size)" >&2
npm run -s build >/dev/null 2>&1 || echo "bench: npm run build failed; the page rows are not measured" >&2

# the page (dist/, served by vite preview) in headless Chromium
echo "bench: page in headless Chromium" >&2
node benches/node/page.mjs "$OUT" || echo "bench: the page bench failed; its rows say not measured" >&2
# the live view (issue 16): frames a second and long main-thread tasks while models play
node benches/node/live.mjs "$OUT" || echo "bench: the live-view bench failed" >&2

# the edge bundle in the real workerd: cold start, latency against an empty worker, load
echo "bench: edge bundle in workerd" >&2
if [ ! -x edge/test-tools/node_modules/.bin/workerd ]; then
  npm ci --prefix edge/test-tools --no-audit --no-fund --loglevel=error >&2 || true
fi
cargo build -q --bin driftlab && node benches/node/edge.mjs "$OUT" \
  || echo "bench: the edge bench failed; its rows say not measured" >&2

node benches/node/report.mjs "$OUT"

# the perceptron against TensorFlow.js (Node) and scikit-learn's MLPClassifier: its own table
echo "bench: mlp against TensorFlow.js and scikit-learn" >&2
node --no-liftoff benches/node/mlp.mjs "$DATA" --reps "$REPS" > "$OUT/mlp.json" \
  || echo '{"error": "mlp.mjs failed"}' > "$OUT/mlp.json"
if [ -x .bench/venv/bin/python ]; then
  .bench/venv/bin/python benches/mlp_peers.py "$DATA" --reps "$REPS" > "$OUT/mlp-python.json" \
    || echo '{"error": "mlp_peers.py failed"}' > "$OUT/mlp-python.json"
fi
node benches/node/mlp.mjs --report "$OUT"
