#!/usr/bin/env bash
# Installs what the build needs on Debian/Ubuntu (FFmpeg's -dev libraries, pkg-config,
# clang for bindgen, the ffmpeg CLI and jpegtran for tests), then the npm packages, then builds the
# addon in release mode. Expects Rust (cargo) and Node.js >= 20 with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config clang libclang-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg time libjpeg-turbo-progs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: install Node.js >= 20 first" >&2; exit 1; }

# `npm install` honours the lock file; `npm ci` rejects it because npm 11 records no entry
# for optional platform packages of a dependency that the registry never published.
npm install --no-audit --no-fund
npm run build
