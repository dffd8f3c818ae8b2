#!/usr/bin/env bash
# Installs the Debian packages cloudless needs to build, test and benchmark
# (python3 and nodejs also run Lambda functions; tzdata gives EventBridge
# Scheduler its time zones).
# Used by the README's quick start, by .ci/run and by docker/Dockerfile, so
# all three install the same list. Runs apt-get only when something is missing.
set -euo pipefail

BUILD_PKGS="build-essential meson ninja-build pkg-config libevent-dev libxml2-dev
  libsqlite3-dev libssl-dev libyajl-dev libisal-dev libhttp-parser-dev
  libzip-dev libcmocka-dev"
TEST_PKGS="clang libclang-rt-14-dev python3 python3-boto3 awscli s3cmd rclone curl
  procps nodejs zip tzdata"
BENCH_PKGS="wrk nginx-light"

want="$BUILD_PKGS"
case "${1:-}" in
  --test) want="$BUILD_PKGS $TEST_PKGS" ;;
  --all) want="$BUILD_PKGS $TEST_PKGS $BENCH_PKGS" ;;
esac

missing=()
for p in $want; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
