#!/usr/bin/env bash
# Builds the FFmpeg that the published linux-x64-gnu package links statically: only the
# decoders, encoders, parsers and the demuxer that the engine opens by name, against
# Debian's static codec libraries. Prints the install prefix on its last line.
#
# The source is the upstream tarball inside Debian 12's `ffmpeg` source package, checked
# against the sha256 that Debian's Sources index lists for it: the FFmpeg that the test
# suite runs against on Debian 12, so the published binary is the tested one. (FFmpeg
# 7.1's libaom wrapper writes to freed memory when it opens, see README.) The result is cached under
# "${WEBCODECS_CACHE:-$HOME/.cache/webcodecs-rs}", keyed by the FFmpeg version and a hash
# of the configure line, so changing the component list rebuilds; without a cache it
# builds in about five minutes on two cores. FFmpeg's licence texts are installed under
# share/licenses for the package to carry.
set -euo pipefail
cd "$(dirname "$0")/.."

version=5.1.9
sha256=d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176
url="http://deb.debian.org/debian/pool/main/f/ffmpeg/ffmpeg_${version}.orig.tar.xz"

# The codec libraries with a static archive in Debian are linked into the addon; dav1d
# and SVT-AV1 ship only shared objects, which the package carries beside the addon.
packages=(nasm curl xz-utils pkg-config libx264-dev libx265-dev libnuma-dev libvpx-dev libaom-dev
  libdav1d-dev libsvtav1enc-dev libopus-dev libmp3lame-dev libvorbis-dev libogg-dev zlib1g-dev)

# What crates/engine opens with find_by_name, and what FFmpeg's image decoders and the
# AVIF demuxing need. configure adds whatever these select (bitstream filters, DSP).
encoders=libx264,libx265,libvpx_vp8,libvpx_vp9,libaom_av1,libsvtav1,libopus,aac,flac,libmp3lame,libvorbis
encoders+=,pcm_mulaw,pcm_alaw,pcm_u8,pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le
decoders=h264,hevc,vp8,vp9,libvpx_vp8,libvpx_vp9,libdav1d,opus,aac,aac_fixed,flac,mp3float,mp3,vorbis
decoders+=,pcm_mulaw,pcm_alaw,pcm_u8,pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le,mjpeg,bmp,webp,png
parsers=h264,hevc,vp8,vp9,av1,aac,opus,flac,mpegaudio,vorbis,mjpeg,png,webp,bmp

configure=(--enable-static --disable-shared --enable-pic --enable-gpl --disable-autodetect
  --disable-everything --disable-programs --disable-doc --disable-debug --disable-network
  --disable-avdevice --disable-avfilter --disable-postproc --enable-swscale --enable-swresample --enable-zlib
  --enable-libx264 --enable-libx265 --enable-libvpx --enable-libaom --enable-libdav1d
  --enable-libsvtav1 --enable-libopus --enable-libmp3lame --enable-libvorbis
  "--enable-encoder=$encoders" "--enable-decoder=$decoders" "--enable-parser=$parsers"
  --enable-demuxer=mov --pkg-config-flags=--static)

bash scripts/apt-install.sh "${packages[@]}"

cache="${WEBCODECS_CACHE:-$HOME/.cache/webcodecs-rs}"
key=$(echo "$version ${configure[*]}" | sha256sum | cut -c1-12)
prefix="$cache/ffmpeg-$version-static-$key"
if [ ! -f "$prefix/complete" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  curl -fsS --retry 3 -o "$work/ffmpeg.tar.xz" "$url"
  echo "$sha256  $work/ffmpeg.tar.xz" | sha256sum -c --quiet -
  tar -xJf "$work/ffmpeg.tar.xz" -C "$work"
  (
    cd "$work/ffmpeg-$version"
    ./configure --prefix="$prefix" "${configure[@]}" >"$work/configure.log" 2>&1 \
      || { tail -40 "$work/configure.log" ffbuild/config.log >&2; exit 1; }
    make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
    rm -rf "$prefix"
    make install >/dev/null
    mkdir -p "$prefix/share/licenses"
    for text in LICENSE.md COPYING.GPLv2 COPYING.LGPLv2.1; do cp "$text" "$prefix/share/licenses/ffmpeg-$text"; done
  )
  touch "$prefix/complete"
fi
echo "$prefix"
