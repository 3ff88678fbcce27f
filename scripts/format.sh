#!/usr/bin/env bash
# clang-format over the project's own C++ (and JS/TS) sources. --check only reports.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'core/*.hpp' 'core/*.cpp' 'cli/*.cpp' 'cli/*.hpp' 'tests/*.cpp' 'wasm/src/*.cpp')
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror $files
else
  clang-format -i $files
fi
