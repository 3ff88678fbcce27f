#!/usr/bin/env bash
# Builds the npm package into wasm/dist: emcmake configure (first time only), compile, link and
# copy the hand-written files. Idempotent; with nothing changed it takes about a second.
#   wasm/build.sh                      # default build dir build-wasm
#   SI_WASM_BUILD_DIR=/tmp/b wasm/build.sh -DSI_WASM_SIMD=OFF -DSI_WASM_DIST_DIR=/tmp/b/dist
# Extra arguments go to the first configure of that build dir.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SI_WASM_BUILD_DIR:-$root/build-wasm}
# Emscripten's optimiser needs Debian's node-acorn, which Node does not search by default.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
if [ ! -f "$build/CMakeCache.txt" ]; then
  emcmake cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH "$@"
fi
cmake --build "$build" --target si_wasm_package -j "${JOBS:-2}"
