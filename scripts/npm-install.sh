#!/usr/bin/env bash
# npm ci in the given folder, only when its node_modules do not match its package-lock.json.
set -euo pipefail
dir=$1
lock=$dir/package-lock.json
stamp=$dir/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
