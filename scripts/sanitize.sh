#!/usr/bin/env bash
# Builds the library, the CLI and the tests with AddressSanitizer (+ LeakSanitizer) and
# UndefinedBehaviorSanitizer in build-asan/ and runs ctest there: GoogleTest and the CLI tests.
# Any memory error, leak or undefined behaviour fails the test that hit it (UB does not recover).
#
#   scripts/sanitize.sh [CTEST_ARGS...]     e.g. scripts/sanitize.sh -R Learning
#
# SI_TEST_QUICK=1 (the default here; SI_TEST_QUICK=0 runs the full sizes) makes the slow learning and
# sampler tests train fewer steps and draw fewer points, with tolerances measured for those sizes:
# the sanitizers look for bad memory and UB, not for accuracy, and the whole suite then takes a
# few minutes on 2 cores instead of most of an hour.
# Environment: CXX (default clang++ if installed, else g++; both have ASan and UBSan),
# SANITIZERS (default address,undefined), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan
sanitizers=${SANITIZERS:-address,undefined}
jobs=${JOBS:-2}

bash scripts/setup.sh clang-14 libclang-rt-14-dev
cxx=${CXX:-$(command -v clang++ || command -v clang++-14 || command -v g++)}

start=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "== configuring $build ($cxx, -fsanitize=$sanitizers)"
  # -O1 -g without NDEBUG: readable stacks, and Eigen's own assertions stay on.
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DSI_SANITIZE="$sanitizers" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
fi
echo "== building $build"
cmake --build "$build" -j "$jobs"
built=$(date +%s)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export SI_TEST_QUICK=${SI_TEST_QUICK:-1}
export SI_SANITIZED=1  # tests/cli/run.sh: no ulimit -v (ASan's shadow memory needs the address space)
echo "== sanitized tests (ctest, SI_TEST_QUICK=$SI_TEST_QUICK)"
status=0
(cd "$build" && ctest --output-on-failure -j "$jobs" "$@") || status=$?
end=$(date +%s)
echo "== sanitize: build $((built - start)) s, tests $((end - built)) s"
exit "$status"
