#!/usr/bin/env bash
# clang-format over the project's own sources: C++, the package's JS layer and the page's TypeScript.
# --check only reports. Files not yet committed count too (tracked or untracked, minus .gitignore).
set -euo pipefail
cd "$(dirname "$0")/.."
files=()
while IFS= read -r f; do
  [ -f "$f" ] && files+=("$f") # a tracked file deleted in the working tree is skipped
done < <(git ls-files --cached --others --exclude-standard -- \
  'core/*.hpp' 'core/*.cpp' 'cli/*.cpp' 'cli/*.hpp' 'tests/*.cpp' 'wasm/src/*.cpp' 'wasm/src/*.hpp' 'wasm/src/*.js' \
  'web/src/*.ts' | sort -u)
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
