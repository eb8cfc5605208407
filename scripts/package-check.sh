#!/usr/bin/env bash
# Installs the tarballs that `npm run package` left in dist/ into an empty project on a
# bare Debian 13 chroot (Node.js and npm only: no FFmpeg, no Rust, no compiler), offline,
# and runs scripts/package-smoke.js there: H.264, VP9, AV1, Opus and AAC encoded and
# decoded through the polyfill. Fails if anything is missing from the packages.
# `--in DIR` uses a bare chroot made beforehand (`scripts/chroot.sh make DIR`) and removes
# it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
prepared=
if [ "${1:-}" = --in ]; then
  [ $# -eq 2 ] && [ -d "$2/usr" ] || { echo "usage: $0 --in DIR, DIR made by scripts/chroot.sh make" >&2; exit 2; }
  prepared=$2
fi

tarballs=(dist/*.tgz)
[ -f "${tarballs[0]}" ] || { echo "no tarballs in dist/: run npm run package first" >&2; exit 1; }

root=$(mktemp -d /tmp/webcodecs-bare.XXXXXX)
# Removed only once nothing is mounted under it any more.
trap 'grep -q " $root" /proc/mounts || rm -rf --one-file-system "$root"' EXIT
if [ -n "$prepared" ]; then
  rmdir "$root" && mv "$prepared" "$root"
else
  rmdir "$root" && bash scripts/chroot.sh make "$root"
fi
mkdir -p "$root/app" "$root/dist"
cp "${tarballs[@]}" "$root/dist/"
cp scripts/package-smoke.js "$root/app/"

bash scripts/chroot.sh run "$root" -- sh -euc '
  for tool in cc gcc ffmpeg cargo rustc; do
    if command -v "$tool" >/dev/null; then echo "the bare system has $tool" >&2; exit 1; fi
  done
  cd /app
  npm init -y >/dev/null
  npm install --offline --no-audit --no-fund /dist/*.tgz
  ldd node_modules/webcodecs-rs-linux-x64-gnu/webcodecs-rs.linux-x64-gnu.node
  node package-smoke.js
'
