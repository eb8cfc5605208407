#!/usr/bin/env bash
# Builds the addon and runs the whole test suite on Debian 13 (FFmpeg 7.1, libvpx 1.15)
# in a chroot (scripts/chroot.sh), so that one source tree keeps building and passing on
# the newest FFmpeg we support as well as on the host's: the release build with debug
# assertions (as CI tests on the host), clippy and the Rust tests, then the vitest suite.
# Needs root and a Debian host.
#
# The chroot gets what scripts/setup.sh installs, from Debian 13, and the host's Rust
# toolchain read-only; it builds a copy of the repository's tracked files (as they are in
# the working tree) into a target directory of its own, so nothing of the host's build
# (target/, the .node file) is touched. node_modules is the host's, bound read-only: run
# scripts/setup.sh or `npm install` first. The chroot is removed at the end; what is worth
# keeping between runs (the debootstrapped base, apt's downloads, the build's target
# directory) stays under $WEBCODECS_CACHE (default ~/.cache/webcodecs-rs).
#
#   bash scripts/debian13.sh               makes the chroot, then builds and tests in it
#   bash scripts/debian13.sh --prepare DIR only makes the chroot, at DIR (mostly downloads,
#                                          so CI does it while the host builds)
#   bash scripts/debian13.sh --in DIR      builds and tests in the chroot --prepare made
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
cache="${WEBCODECS_CACHE:-$HOME/.cache/webcodecs-rs}"
rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"

packages=(pkg-config clang libclang-dev libaom-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
  ffmpeg time libjpeg-turbo-progs build-essential ca-certificates)

if [ "${1:-}" = --prepare ]; then
  [ $# -eq 2 ] || { echo "usage: $0 --prepare DIR" >&2; exit 2; }
  exec bash scripts/chroot.sh make "$2" "${packages[@]}"
fi
prepared=
if [ "${1:-}" = --in ]; then
  [ $# -eq 2 ] && [ -d "$2/usr" ] || { echo "usage: $0 --in DIR, DIR made by --prepare" >&2; exit 2; }
  prepared=$2
fi

[ -d node_modules ] || { echo "node_modules is missing: run scripts/setup.sh or npm install first" >&2; exit 1; }
if [ ! -x "$cargo_home/bin/cargo" ] || [ ! -d "$rustup_home/toolchains" ]; then
  echo "no rustup toolchain in $rustup_home and $cargo_home/bin: install Rust with rustup first" >&2
  exit 1
fi

# phase NAME COMMAND...: runs COMMAND and records how long it took (and whether it failed,
# which ends the script).
timings=()
phase() {
  local name=$1 start=$SECONDS status=0
  shift
  echo "== $name" >&2
  "$@" || status=$?
  timings+=("$name: $((SECONDS - start)) s$([ $status -eq 0 ] || echo ", failed ($status)")")
  echo "== ${timings[-1]}" >&2
  return $status
}

work=$(mktemp -d /tmp/webcodecs-debian13.XXXXXX)
root="$work/root"
finish() {
  [ ${#timings[@]} -eq 0 ] || printf '%s\n' "${timings[@]}" >&2
  # Never delete through a mount that is still there (a bind of the host's files):
  # chroot.sh unmounts its own, so anything left means something went wrong.
  if findmnt -rn -o TARGET | grep -q "^$work/"; then
    echo "mounts are left under $work; not removing it" >&2
    return
  fi
  rm -rf --one-file-system "$work"
}
trap finish EXIT

copy_repository() {
  mkdir -p "$root/build/webcodecs-rs"
  # Tracked files as they are now; one deleted in the working tree is left out.
  git ls-files -z | tar -C "$repo" --null -T - --ignore-failed-read -cf - 2>/dev/null |
    tar -C "$root/build/webcodecs-rs" -xf -
}

in_chroot() {
  mkdir -p "$cache/target-debian13"
  bash "$repo/scripts/chroot.sh" run "$root" \
    --bind "$rustup_home:/root/.rustup:ro" \
    --bind "$cargo_home/bin:/root/.cargo/bin:ro" \
    --bind "$cargo_home/registry:/root/.cargo/registry" \
    --bind "$cache/target-debian13:/build/target" \
    --bind "$repo/node_modules:/build/webcodecs-rs/node_modules:ro" \
    -- env RUSTUP_HOME=/root/.rustup CARGO_HOME=/root/.cargo CARGO_TARGET_DIR=/build/target \
    PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -euo pipefail -c "cd /build/webcodecs-rs && $1"
}

# The Rust checks take the build's profile and target (napi builds for the host's triple),
# so that they reuse its dependencies and FFmpeg's bindings instead of building them again.
# shellcheck disable=SC2016 # expanded by the shell in the chroot
cargo_args='--workspace --locked --profile ci --target "$(rustc -vV | sed -n "s/^host: //p")"'

mkdir -p "$cargo_home/registry"
if [ -n "$prepared" ]; then
  mv "$prepared" "$root"
else
  phase make bash scripts/chroot.sh make "$root" "${packages[@]}"
fi
phase copy copy_repository
phase build in_chroot 'ffmpeg -version | sed -n 1p && npm run build:ci'
phase clippy in_chroot "cargo clippy $cargo_args -- -D warnings"
phase cargo-test in_chroot "cargo test $cargo_args"
phase vitest in_chroot 'npx vitest run'
