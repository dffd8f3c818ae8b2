#!/usr/bin/env bash
# Quick start: install what is missing, build, and run cloudless in the
# foreground on 127.0.0.1:4566 with data under ./.cloudless. Extra arguments
# go to cloudless (see `build/server/cloudless --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec build/server/cloudless "$@"
