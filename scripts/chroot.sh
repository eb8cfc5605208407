#!/usr/bin/env bash
# A Debian 13 (trixie) chroot, to build and test on another distribution's FFmpeg than the
# host's, or to try an install on a bare system. Needs root and a Debian host (debootstrap).
#
#   bash scripts/chroot.sh make DIR [DEBIAN_PACKAGE...]
#     Makes a minbase trixie chroot at DIR (which must be absent or empty) with the given
#     packages (none: a bare system) and the host's Node.js and npm copied in. The
#     debootstrapped base is cached as a tarball under $WEBCODECS_CACHE (default
#     ~/.cache/webcodecs-rs), as are the packages apt downloads; without the cache it is
#     only slower.
#   bash scripts/chroot.sh run DIR [--bind HOST_PATH:CHROOT_PATH[:ro]]... -- COMMAND...
#     Runs COMMAND inside DIR with /proc, /sys, /dev and the host's DNS set up and the
#     requested host paths bound in; everything mounted is unmounted when it ends, however
#     it ends. COMMAND gets a clean environment (HOME=/root, a standard PATH): pass it
#     variables with `env NAME=VALUE ...`.
set -euo pipefail

suite=trixie
variant=minbase
mirror=http://deb.debian.org/debian
cache="${WEBCODECS_CACHE:-$HOME/.cache/webcodecs-rs}"

usage() {
  sed -n '5,15p' "$0" >&2
  exit 2
}

# Mount points in the order they were made; unmounted in reverse by `unmount_all`.
mounted=()

# mount_at TARGET MOUNT_ARGS...: mounts and remembers TARGET for unmount_all.
mount_at() {
  local target=$1
  shift
  mount "$@" "$target"
  mounted+=("$target")
}

unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    # A lazy unmount as the fallback: a process left behind in the chroot must not keep a
    # host directory bound under a path that someone may later delete.
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  mounted=()
}

# The kernel file systems and the host's DNS that programs in the chroot need.
mount_system() {
  local root=$1
  mount_at "$root/proc" -t proc proc
  mount_at "$root/sys" -t sysfs sysfs
  mount_at "$root/dev" --bind /dev
  mount_at "$root/dev/pts" --bind /dev/pts
  if [ -e /etc/resolv.conf ]; then
    # debootstrap copies the host's resolv.conf; a bind keeps it current, and a symlink
    # there (systemd-resolved) would point outside the chroot, so replace it by a file.
    [ -L "$root/etc/resolv.conf" ] && rm -f "$root/etc/resolv.conf"
    [ -e "$root/etc/resolv.conf" ] || touch "$root/etc/resolv.conf"
    mount_at "$root/etc/resolv.conf" --bind "$(readlink -f /etc/resolv.conf)"
  fi
}

# bind ROOT HOST_PATH:CHROOT_PATH[:ro]
bind() {
  local root=$1 spec=$2 host inside mode=rw
  IFS=: read -r host inside mode <<<"$spec"
  mode=${mode:-rw}
  if [ -z "$host" ] || [ -z "$inside" ] || [[ "$inside" != /* ]] || { [ "$mode" != rw ] && [ "$mode" != ro ]; }; then
    echo "bad --bind $spec: expected HOST_PATH:/CHROOT_PATH[:ro]" >&2
    exit 2
  fi
  [ -e "$host" ] || { echo "--bind $spec: $host does not exist" >&2; exit 1; }
  local target="$root$inside"
  if [ -d "$host" ]; then
    mkdir -p "$target"
  else
    mkdir -p "$(dirname "$target")"
    [ -e "$target" ] || touch "$target"
  fi
  mount_at "$target" --bind "$host"
  # A read-only bind takes a second step: the first mount ignores "ro".
  [ "$mode" = rw ] || mount -o remount,bind,ro "$target"
}

# The clean environment commands in the chroot get.
clean_env=(env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" DEBIAN_FRONTEND=noninteractive
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

# in_chroot ROOT COMMAND...: COMMAND inside ROOT with a clean environment.
in_chroot() {
  local root=$1
  shift
  "${clean_env[@]}" chroot "$root" "$@"
}

# The pristine debootstrapped base at ROOT, from the cache when it is there.
make_base() {
  local root=$1 tarball="$cache/debootstrap-$suite-$variant.tar.gz"
  if [ -f "$tarball" ]; then
    tar -C "$root" -xzf "$tarball"
    return
  fi
  if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  fi
  debootstrap --variant="$variant" "$suite" "$root" "$mirror"
  # Written aside and renamed, so that an interrupted or concurrent run never leaves or
  # reads half a tarball.
  mkdir -p "$cache"
  tar -C "$root" --numeric-owner -czf "$tarball.$$" .
  mv "$tarball.$$" "$tarball"
}

cmd_make() {
  [ $# -ge 1 ] || usage
  local root=$1
  shift
  if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then
    echo "$root is not empty" >&2
    exit 1
  fi
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  make_base "$root"
  # A system made to be thrown away: dpkg need not sync each file it unpacks to disk.
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
  # Tools that key caches on the machine (napi-rs's CLI) want an id; debootstrap leaves none.
  [ -s "$root/etc/machine-id" ] || tr -d - </proc/sys/kernel/random/uuid >"$root/etc/machine-id"

  # Extra CA certificates of the host (a proxy's, a company's), for npm and cargo inside;
  # the ca-certificates package's own setup picks them up when it is installed below.
  mkdir -p "$root/usr/local/share/ca-certificates"
  if [ -d /usr/local/share/ca-certificates ]; then
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  fi

  trap unmount_all EXIT
  # Signals end the script through `exit`, so the EXIT trap unmounts then too.
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  mount_system "$root"
  if [ $# -gt 0 ]; then
    # Downloaded packages are kept for the next chroot (apt keeps them by default).
    mkdir -p "$cache/apt-$suite"
    bind "$root" "$cache/apt-$suite:/var/cache/apt/archives"
    in_chroot "$root" apt-get update -qq
    in_chroot "$root" apt-get install -y -qq --no-install-recommends "$@"
  fi
  # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
  if [ "$(in_chroot "$root" dpkg-query -W -f='${Status}' ca-certificates 2>/dev/null)" = "install ok installed" ]; then
    in_chroot "$root" update-ca-certificates >/dev/null
  fi
  unmount_all
  trap - EXIT

  # The host's Node.js and npm, the only things beyond Debian's packages.
  cp /usr/bin/node "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules"
  cp -a /usr/lib/node_modules/npm "$root/usr/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
}

cmd_run() {
  [ $# -ge 1 ] || usage
  local root=$1
  shift
  [ -x "$root/bin/sh" ] || { echo "$root is not a chroot (make it with: $0 make $root)" >&2; exit 1; }
  root=$(cd "$root" && pwd)
  local binds=()
  while [ $# -gt 0 ]; do
    case $1 in
      --bind) [ $# -ge 2 ] || usage; binds+=("$2"); shift 2 ;;
      --) shift; break ;;
      *) usage ;;
    esac
  done
  [ $# -gt 0 ] || usage
  trap unmount_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  mount_system "$root"
  local spec
  for spec in "${binds[@]}"; do
    bind "$root" "$spec"
  done
  # Not `exec`: the EXIT trap must unmount once COMMAND has ended, and its status is the
  # script's. In the background (stdin kept) so that a signal reaches the script at once:
  # it is passed on to COMMAND, and the script unmounts once COMMAND has gone.
  "${clean_env[@]}" chroot "$root" "$@" <&0 &
  child=$!
  trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 130' INT
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM HUP
  local status=0
  wait "$child" || status=$?
  return "$status"
}

[ "$(id -u)" -eq 0 ] || { echo "chroot.sh needs root" >&2; exit 1; }
[ $# -ge 1 ] || usage
command=$1
shift
case $command in
  make) cmd_make "$@" ;;
  run) cmd_run "$@" ;;
  *) usage ;;
esac
