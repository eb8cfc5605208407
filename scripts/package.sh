#!/usr/bin/env bash
# `npm run package`: leaves in dist/ the npm tarballs a registry would get.
#  - webcodecs-rs-linux-x64-gnu-<version>.tgz: the addon linked with the FFmpeg of
#    scripts/ffmpeg-static.sh and Debian's static codec libraries, the two codec
#    libraries Debian ships only as shared objects (found through the addon's $ORIGIN run
#    path), and the licence texts of everything inside. It needs nothing else but glibc.
#  - webcodecs-rs-<version>.tgz: the JavaScript, the typings and an optionalDependencies
#    entry for each platform package built here, as napi-rs's pre-publish step sets them.
# The build shares target/ with the development build: the feature gives the crates over
# FFmpeg artifacts of their own and the rest are reused. ffmpeg-sys-next bundles FFmpeg's
# archives and does not rebuild when FFMPEG_DIR changes, so it is cleaned whenever the
# FFmpeg build differs from the one it last linked. The output goes under dist/, leaving
# the repository's addon alone.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(uname -sm)" = "Linux x86_64" ] || { echo "npm run package builds linux-x64-gnu only, on Linux x86_64" >&2; exit 1; }
triple=linux-x64-gnu
binary="webcodecs-rs.$triple.node"
version=$(node -p "require('./package.json').version")

prefix=$(bash scripts/ffmpeg-static.sh | tail -1)
rm -rf dist
stage=dist/stage
mkdir -p "$stage/build" "$stage/$triple/licenses" "$stage/main"

host=$(rustc -vV | sed -n 's/^host: //p')
stamp=target/static-ffmpeg-dir
if [ "$(cat "$stamp" 2>/dev/null)" != "$prefix" ]; then
  cargo clean --quiet --release --target "$host" -p ffmpeg-sys-next
  mkdir -p target && echo "$prefix" >"$stamp"
fi
FFMPEG_DIR="$prefix" npx napi build --platform --release --strip \
  --features static-ffmpeg --output-dir "$stage/build" --no-js --dts index.d.ts >&2

# The path of an installed x86-64 shared library, by its soname.
system_library() {
  ldconfig -p | awk -v lib="$1" '$1 == lib && /x86-64/ && !found { print $NF; found = 1 }'
}

# The platform package: the addon, the shared objects it names, and nothing it needs from
# the system beyond glibc and libgcc_s (every glibc system has them).
platform="$stage/$triple"
strip --strip-unneeded -o "$platform/$binary" "$stage/build/$binary"
allowed='^(libc|libm|libdl|librt|libpthread|libgcc_s|ld-linux-x86-64)\.so\.[0-9.]+$'
for needed in $(readelf -d "$platform/$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  [[ $needed =~ $allowed ]] && continue
  path=$(system_library "$needed")
  [ -n "$path" ] || { echo "$binary needs $needed, which is not installed" >&2; exit 1; }
  cp -L "$path" "$platform/$needed"
  for inner in $(readelf -d "$platform/$needed" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [[ $inner =~ $allowed ]] || { echo "$needed needs $inner: only glibc may be needed" >&2; exit 1; }
  done
done

# Licences: FFmpeg is built with --enable-gpl and links x264 and x265, so the whole is
# GPL-2.0-or-later. Every library the link took in (FFmpeg's pkg-config files list them,
# build.rs links them) is carried with its Debian copyright file, which holds its licence.
cp /usr/share/common-licenses/GPL-2 "$platform/LICENSE"
cp "$prefix"/share/licenses/* "$platform/licenses/"
for name in $(sed -n 's/^Libs\(\.private\)\?://p' "$prefix"/lib/pkgconfig/*.pc | tr ' ' '\n' | sed -n 's/^-l//p' | sort -u); do
  case $name in avformat | avcodec | swscale | swresample | avutil | c | m | pthread | dl | rt | gcc_s) continue ;; esac
  beside=$(ls "$platform" | grep "^lib$name\.so\." || true)
  if [ -n "$beside" ]; then file=$(readlink -f "$(system_library "$beside")"); else file=$(cc -print-file-name="lib$name.a"); fi
  package=$(dpkg -S "*/$(basename "$file")" 2>/dev/null | sed -n '1s/:.*//p')
  [ -n "$package" ] || { echo "no Debian package owns lib$name, whose licence must be carried" >&2; exit 1; }
  cp "/usr/share/doc/$package/copyright" "$platform/licenses/$package.copyright"
done
node -e "
  const pkg = require('./npm/$triple/package.json')
  pkg.files = require('fs').readdirSync('$platform').filter((f) => f !== 'package.json')
  require('fs').writeFileSync('$platform/package.json', JSON.stringify(pkg, null, 2) + '\n')
"
cp README.md "$platform/"

# The main package: what package.json's "files" names, the README and the licence of our
# code, with optionalDependencies on the platform packages built above.
node -p "require('./package.json').files.join('\n')" | xargs -I{} cp {} "$stage/main/"
cp README.md LICENSE "$stage/main/"
node -e "
  const pkg = require('./package.json')
  delete pkg.devDependencies
  delete pkg.scripts
  pkg.optionalDependencies = { 'webcodecs-rs-$triple': '$version' }
  require('fs').writeFileSync('$stage/main/package.json', JSON.stringify(pkg, null, 2) + '\n')
"

for folder in "$stage/main" "$platform"; do
  npm pack "$folder" --pack-destination dist --silent >/dev/null
done
rm -rf "$stage"
ls -l dist/*.tgz | awk '{ printf "%s  %.1f MB\n", $NF, $5 / 1048576 }'
