#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine, idempotently:
# apt-get runs only when a package is missing. Extra Debian packages may be given as arguments
# (scripts/fuzz.sh and scripts/sanitize.sh add clang and its sanitizer runtimes that way).
set -euo pipefail

packages=(build-essential cmake clang-format libeigen3-dev libxtensor-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev zlib1g-dev dataset-fashion-mnist emscripten node-acorn chromium nodejs npm "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (e.g. nodesource): accept any node >= 20 with npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}")
  missing=("${missing[@]/npm/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
