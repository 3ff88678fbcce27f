#!/usr/bin/env bash
# The main job: installs what is missing, builds the WebAssembly package and the web app, and
# serves the demo page (prints its URL). PORT=8080 scripts/start.sh picks another port.
# `vite preview` sends the COOP/COEP headers (web/vite.config.ts): the page is cross-origin isolated
# and trains on the threaded wasm module, on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-5173}

bash scripts/setup.sh
echo "== building the WebAssembly package (wasm/dist)"
bash wasm/build.sh >/dev/null
echo "== building the web app (web/dist)"
bash scripts/npm-install.sh web
(cd web && npm run build --silent >/dev/null)
echo
echo "  Stochastic interpolants demo: http://localhost:${port}/"
echo "  (Ctrl-C stops the server)"
echo
cd web && exec npx vite preview --host 0.0.0.0 --port "$port" --strictPort
