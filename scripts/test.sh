#!/usr/bin/env bash
# Runs every test: native GoogleTest + CLI (ctest), the WebAssembly package in Node, the package as
# users install it, and the page end to end in headless Chromium. Installs what is missing first.
# Build output stays in the tree (build/, build-wasm/, node_modules/); reruns reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

# Each phase's header says how long the run has taken so far (the whole run should stay well under 30 min).
phase() { echo "== $1 (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }

bash scripts/setup.sh

phase "formatting (clang-format --dry-run)"
bash scripts/format.sh --check

phase "native build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"

phase "native tests (ctest)"
(cd build && ctest --output-on-failure -j "$jobs")

phase "fuzzing the readers of untrusted input: ${SI_FUZZ_SECONDS:-60} s per harness (scripts/fuzz.sh)"
bash scripts/fuzz.sh "${SI_FUZZ_SECONDS:-60}"

phase "WebAssembly package tests (Node, npm pack, Vite, plain page)"
bash tests/wasm/run.sh

phase "browser app: build and end-to-end tests in headless Chromium"
bash scripts/npm-install.sh web
(cd web && npm run test:unit --silent)
(cd web && npm run build --silent)
node tests/e2e/run.mjs

phase "all tests passed"
