#!/usr/bin/env bash
# Installs what the build needs on Debian/Ubuntu (FFmpeg's and libaom's -dev libraries,
# pkg-config, clang for bindgen, the ffmpeg CLI and jpegtran for tests), then the npm
# packages, then builds the addon in release mode. Expects Rust (cargo) and Node.js >= 20
# with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config clang libclang-dev libaom-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg time libjpeg-turbo-progs)
bash scripts/apt-install.sh "${packages[@]}"

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: install Node.js >= 20 first" >&2; exit 1; }

# `npm install` honours the lock file; `npm ci` rejects it because npm 11 records no entry
# for optional platform packages of a dependency that the registry never published.
npm install --no-audit --no-fund
npm run build
