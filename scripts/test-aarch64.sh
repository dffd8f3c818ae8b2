#!/usr/bin/env bash
# The arm64 step of scripts/test.sh (Graviton, Apple Silicon): installs
# Debian's cross compiler, qemu-user and an arm64 sysroot
# (scripts/install-deps.sh --cross-aarch64), cross-builds the whole project
# into build-aarch64 with scripts/cross/aarch64-linux-gnu.ini, and runs the
# unit tests of protocol/ (the suite 'protocol': checksums, SigV4, the
# codecs and parsers) under qemu-aarch64. The cmocka results land in
# build-aarch64/meson-logs/testlog.txt, which scripts/test.sh counts.
# Exits non-zero if the install, the build or a test fails. Safe to run
# again: the packages and the sysroot are kept, the build is incremental.
# On an arm64 machine it does nothing: the native unit tests are the arm64
# ones there.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=build-aarch64

if [ "$(uname -m)" = "aarch64" ]; then
  echo "this machine is arm64: the native unit tests cover it"
  exit 0
fi
rm -f "$BUILD/meson-logs/testlog.txt"   # counts are never left from a previous run

scripts/install-deps.sh --cross-aarch64 || { echo "arm64: cannot install the cross toolchain"; exit 1; }

if [ ! -f "$BUILD/build.ninja" ]; then
  rm -rf "$BUILD"
  meson setup "$BUILD" --cross-file scripts/cross/aarch64-linux-gnu.ini >/dev/null ||
    { echo "arm64: meson setup failed (see $BUILD/meson-logs/meson-log.txt)"; exit 1; }
fi
ninja -C "$BUILD" || { echo "arm64: build failed"; exit 1; }
meson test -C "$BUILD" --suite protocol --print-errorlogs
