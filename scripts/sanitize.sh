#!/usr/bin/env bash
# Runs the engine's tests (`cargo test -p engine`) under AddressSanitizer, with
# LeakSanitizer on: out-of-bounds reads and writes, use-after-free and leaks in our
# code or in how we drive FFmpeg fail the run.
#
# Sanitizers are an unstable rustc flag. The stable toolchain ships the ASan runtime,
# and RUSTC_BOOTSTRAP=1 unlocks -Z flags, so no nightly is needed. The precompiled std
# is not instrumented (that needs -Zbuild-std and the rust-src component): allocations
# and our code's memory accesses are checked, std's own internals are not.
# -Cunsafe-allow-abi-mismatch accepts linking that uninstrumented std.
#
# Builds into target/asan so that the normal build is left alone. Extra arguments go to
# the test binary (a test name filter, --nocapture, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

target=$(rustc -vV | sed -n 's/^host: //p')
export RUSTC_BOOTSTRAP=1
# --target keeps the flags off build scripts and proc macros, which run uninstrumented.
export RUSTFLAGS="-Zsanitizer=address -Cunsafe-allow-abi-mismatch=sanitizer -Cforce-frame-pointers=yes"
export CARGO_TARGET_DIR=target/asan

# The last line cargo prints for the test executable names it.
binary=$(cargo test -p engine --target "$target" --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
if [ -z "$binary" ]; then
  # Show the compiler's errors.
  cargo test -p engine --target "$target" --no-run
  exit 1
fi

# fast_unwind_on_malloc=0: FFmpeg and its codec libraries have no frame pointers, so
# only the slow unwinder gives full allocation stacks (the suppressions match on them).
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=1:strict_string_checks=1:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=1"
exec "$binary" "$@"
