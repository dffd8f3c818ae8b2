#!/usr/bin/env bash
# Installs the Debian packages cloudless needs to build, test and benchmark
# (python3 and nodejs also run Lambda functions; tzdata gives EventBridge
# Scheduler its time zones).
# Used by the README's quick start, by .ci/run and by docker/Dockerfile, so
# all three install the same list. Runs apt-get only when something is missing.
#
#   (no option)      build
#   --test           build and test
#   --all            build, test and benchmark
#   --cross-aarch64  the arm64 cross build that scripts/test-aarch64.sh runs:
#                    Debian's cross compiler and qemu-user, and a Debian 12
#                    arm64 tree with the -dev packages, unpacked (not
#                    installed: ISA-L's and libevent's arm64 packages cannot
#                    sit beside the amd64 ones) into the sysroot named in
#                    scripts/cross/aarch64-linux-gnu.ini. The tree is made
#                    again only when its package list changes.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PKGS="build-essential meson ninja-build pkg-config libevent-dev libxml2-dev
  libsqlite3-dev libssl-dev libyajl-dev libisal-dev libhttp-parser-dev
  libzip-dev libcmocka-dev"
TEST_PKGS="clang libclang-rt-14-dev python3 python3-boto3 awscli s3cmd rclone curl
  procps nodejs zip tzdata"
BENCH_PKGS="wrk nginx-light"
CROSS_AARCH64_PKGS="gcc-aarch64-linux-gnu qemu-user mmdebstrap"
AARCH64_SYSROOT_PKGS="libc6-dev libevent-dev libxml2-dev libsqlite3-dev libssl-dev
  libyajl-dev libisal-dev libhttp-parser-dev libzip-dev libcmocka-dev"

want="$BUILD_PKGS"
case "${1:-}" in
  --test) want="$BUILD_PKGS $TEST_PKGS" ;;
  --all) want="$BUILD_PKGS $TEST_PKGS $BENCH_PKGS" ;;
  --cross-aarch64) want="$BUILD_PKGS $CROSS_AARCH64_PKGS" ;;
esac

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

missing=()
for p in $want; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--cross-aarch64" ]; then
  sysroot=$(sed -n "s/^sysroot = '\(.*\)'$/\1/p" scripts/cross/aarch64-linux-gnu.ini)
  [ -n "$sysroot" ] || { echo "no sysroot in scripts/cross/aarch64-linux-gnu.ini" >&2; exit 1; }
  stamp="$sysroot/.cloudless-packages"
  packages=$(echo $AARCH64_SYSROOT_PKGS | tr ' ' ',')
  if [ "$(cat "$stamp" 2>/dev/null)" != "bookworm arm64 $packages" ]; then
    echo "unpacking Debian 12 arm64 ($packages) into $sysroot"
    $SUDO rm -rf "$sysroot.new"
    $SUDO mkdir -p "$(dirname "$sysroot")"
    $SUDO mmdebstrap --quiet --mode=root --arch=arm64 --variant=extract --include="$packages" \
      bookworm "$sysroot.new" </dev/null
    echo "bookworm arm64 $packages" | $SUDO tee "$sysroot.new/.cloudless-packages" >/dev/null
    $SUDO rm -rf "$sysroot"
    $SUDO mv "$sysroot.new" "$sysroot"
  fi
fi
