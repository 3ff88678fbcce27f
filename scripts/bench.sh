#!/usr/bin/env bash
# Benchmarks, side by side in one run, printed as one set of Markdown tables (the README's): one
# training step of the reference config (4 x 256 relu, batch 2000, one-sided-linear b + antithetic
# s), a browser config (3 x 128, batch 512) and an image-sized config (d = 196, 3 x 512 SiLU, batch
# 128) — native on 1 and all threads (si bench) against PyTorch at the same counts, the wasm package
# in Node against TensorFlow.js-wasm; GEMM GFLOP/s of Eigen and of our kernel, native and wasm;
# sampling and likelihoods per second; peak memory. The peers live in ../shared/bench (beside the
# checkout); without it only our own figures print. Shared machines are noisy: read the ratios.
# About 3-5 minutes on 2 cores. STEPS (20) and REPEAT (3) change the sizes.
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
  # The peer at its best: it picks OpenBLAS's kernel from the CPU's flags (SkylakeX with AVX-512) unless
  # one is given; a machine-wide OPENBLAS_CORETYPE (e.g. Haswell) would hold it back.
  unset OPENBLAS_CORETYPE
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "${JOBS:-2}" --target si si_wasm_native_reference si_gemm_bench >/dev/null
bash wasm/build.sh >/dev/null
NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs cmake --build build-wasm --target si_wasm_gemm_bench >/dev/null
out=build-bench
mkdir -p "$out"

echo "== native (si bench) vs PyTorch" >&2
build/cli/si bench --steps "${STEPS:-20}" --json "$out/native.json" >&2
build/tests/wasm/gemm_bench > "$out/native-gemm.json"

echo "== wasm in Node vs native vs TensorFlow.js (wasm backend)" >&2
tfjs=$out/tfjs-peer
if [ -f "$shared/bench/tfjs_peer.mjs" ]; then
  mkdir -p "$tfjs"
  cp "$shared/bench/tfjs_peer.mjs" "$tfjs/"
  if [ ! -d "$tfjs/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
    (cd "$tfjs" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 >/dev/null)
  fi
fi
node tests/wasm/bench.mjs --tfjs "$PWD/$tfjs" --repeat "${REPEAT:-3}" --gemm build-wasm/wasm/bench/gemm_bench.js \
  --json "$out/wasm.json" >&2
echo
node scripts/bench_table.mjs "$out/native.json" "$out/native-gemm.json" "$out/wasm.json"
