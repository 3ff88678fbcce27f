#!/usr/bin/env bash
# Builds what the wasm package tests need and runs them (one command):
#   the package (wasm/build.sh -> wasm/dist), the native reference program (native build dir
#   $SI_NATIVE_BUILD_DIR, default build/), the test tools (npm ci in tests/wasm), then
#   node --test tests/wasm/. Extra arguments go to node --test (e.g. --test-reporter=spec).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
jobs=${JOBS:-2}
native=${SI_NATIVE_BUILD_DIR:-build}
case "$native" in /*) ;; *) native="$root/$native" ;; esac

bash wasm/build.sh
if [ ! -f "$native/CMakeCache.txt" ]; then
  cmake -S . -B "$native" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$native" --target si_wasm_native_reference si -j "$jobs"
if [ ! -d tests/wasm/node_modules ] || [ tests/wasm/package-lock.json -nt tests/wasm/node_modules ]; then
  (cd tests/wasm && npm ci --no-audit --no-fund)
fi
SI_NATIVE_REFERENCE=${SI_NATIVE_REFERENCE:-$native/tests/wasm/native_reference} node --test "$@" tests/wasm/
