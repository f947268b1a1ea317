#!/usr/bin/env bash
# Installs the peers of `make bench` into ignored folders under .bench/ (idempotent):
#   .bench/venv  Python with scikit-learn, SciPy, skl2onnx, onnx, LightGBM, River
#   .bench/node  npm prefix with onnxruntime-web and TensorFlow.js
# A peer that cannot be installed (no network, no python3-venv, ...) is reported and
# skipped: the benchmark rows that need it then say "not measured".
set -u
cd "$(dirname "$0")/.."
mkdir -p .bench
status=.bench/env-status.txt
: > "$status"

venv=.bench/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >/dev/null 2>&1 || { rm -rf "$venv"; echo "python: no python3 -m venv" >> "$status"; }
fi
if [ -x "$venv/bin/python" ]; then
  for pkg in numpy scipy scikit-learn onnx skl2onnx lightgbm river; do
    mod=${pkg//-/_}; [ "$pkg" = scikit-learn ] && mod=sklearn
    if ! "$venv/bin/python" -c "import $mod" >/dev/null 2>&1; then
      echo "bench_env: pip install $pkg" >&2
      "$venv/bin/python" -m pip install -q --disable-pip-version-check "$pkg" >/dev/null 2>&1 \
        || echo "python: $pkg unavailable (pip install failed)" >> "$status"
    fi
  done
fi

node_prefix=.bench/node
if [ ! -f "$node_prefix/node_modules/onnxruntime-web/package.json" ]; then
  mkdir -p "$node_prefix"
  [ -f "$node_prefix/package.json" ] || echo '{"name":"driftlab-bench-peers","private":true}' > "$node_prefix/package.json"
  echo "bench_env: npm install onnxruntime-web" >&2
  npm install --prefix "$node_prefix" --no-audit --no-fund --loglevel=error onnxruntime-web >/dev/null 2>&1 \
    || echo "node: onnxruntime-web unavailable (npm install failed)" >> "$status"
fi
# TensorFlow.js for the perceptron's benchmark (benches/node/mlp.mjs), pinned
if [ ! -f "$node_prefix/node_modules/@tensorflow/tfjs-backend-wasm/package.json" ]; then
  echo "bench_env: npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm" >&2
  npm install --prefix "$node_prefix" --no-audit --no-fund --loglevel=error \
    @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 >/dev/null 2>&1 \
    || echo "node: @tensorflow/tfjs unavailable (npm install failed)" >> "$status"
fi
cat "$status" >&2
exit 0
