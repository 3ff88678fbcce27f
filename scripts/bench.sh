#!/usr/bin/env bash
# Benchmarks, side by side in one run: one training step of the reference config (4 x 256 relu,
# batch 2000, one-sided-linear b + antithetic s) and of a browser config (3 x 128, batch 512) —
# native (si bench) against PyTorch, and the wasm package in Node against native and TensorFlow.js.
# The peers live in ../shared/bench (beside the checkout); without it only our own figures print.
# Shared machines are noisy: read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SI_SHARED:-../shared}

bash scripts/setup.sh
if [ -f "$shared/bench/torch_peer.py" ]; then
  for p in python3-torch libopenblas0-pthread; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null; break; }
  done
  export SI_TORCH_PEER="$shared/bench/torch_peer.py"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "${JOBS:-2}" --target si si_wasm_native_reference >/dev/null
bash wasm/build.sh >/dev/null

echo "== native (si bench) vs PyTorch, one thread each"
build/cli/si bench --steps "${STEPS:-20}"

echo
echo "== wasm in Node vs native vs TensorFlow.js (wasm backend)"
tfjs=build-bench/tfjs-peer
if [ -f "$shared/bench/tfjs_peer.mjs" ]; then
  mkdir -p "$tfjs"
  cp "$shared/bench/tfjs_peer.mjs" "$tfjs/"
  if [ ! -d "$tfjs/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
    (cd "$tfjs" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 >/dev/null)
  fi
fi
node tests/wasm/bench.mjs --tfjs "$PWD/$tfjs" --repeat "${REPEAT:-3}"
