#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds the
# server with AddressSanitizer and UndefinedBehaviorSanitizer, runs the C
# unit tests, cross-builds for arm64 and runs protocol/'s unit tests there
# under qemu (scripts/test-aarch64.sh), the integration tests with the real
# clients (boto3 1.43 and Debian's boto3 1.26, aws-cli v1 and v2, s3cmd,
# rclone, curl) against the sanitized server, the container image built and
# run with podman (tests/container/run.sh, a few minutes), and a short
# libFuzzer run of every fuzz target. Ends with one line "N passed, N
# failed" and exits non-zero on any failure.
#
# FUZZ_SECONDS (default 15) sets each fuzz target's run time; 0 skips fuzzing.
# CONTAINER_TEST=0 skips the container test (it needs root and podman).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
passed=0
failed=0
failures=()

note() { printf '\n=== %s\n' "$*"; }
count() { # name ok
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}
# Adds the cmocka results of a `meson test` run to the totals; a run that
# failed without a failed test (a build or an executable that crashed)
# counts as one failure.
count_unit_tests() { # name exit-status testlog
  local up uf
  up=$(grep -hoE '\[  PASSED  \] [0-9]+ test' "$3" 2>/dev/null | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  uf=$(grep -hoE '\[  FAILED  \] [0-9]+ test' "$3" 2>/dev/null | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + up))
  failed=$((failed + uf))
  if [ "$uf" -gt 0 ]; then failures+=("$1"); elif [ "$2" -ne 0 ]; then count "$1" 1; fi
}

note "dependencies"
scripts/install-deps.sh --test || { echo "cannot install dependencies"; echo "0 passed, 1 failed"; exit 1; }

note "build (ASan + UBSan)"
if [ ! -d build-asan ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug >/dev/null || exit 1
fi
if ! ninja -C build-asan; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

note "C unit tests"
meson test -C build-asan --print-errorlogs >/tmp/cloudless-unit.log 2>&1
unit_rc=$?
tail -n 30 /tmp/cloudless-unit.log
count_unit_tests "unit tests" $unit_rc build-asan/meson-logs/testlog.txt

note "arm64: cross build, protocol/ unit tests under qemu"
arm64_start=$SECONDS
scripts/test-aarch64.sh >/tmp/cloudless-aarch64.log 2>&1
arm64_rc=$?
tail -n 30 /tmp/cloudless-aarch64.log
echo "arm64 step: $((SECONDS - arm64_start)) s"
count_unit_tests "arm64 unit tests" $arm64_rc build-aarch64/meson-logs/testlog.txt

note "integration tests (real clients, sanitized server)"
CLOUDLESS_BIN="$ROOT/build-asan/server/cloudless" tests/run_integration.sh | tee /tmp/cloudless-integration.log
int_line=$(grep -E '^[A-Za-z]*:? ?[0-9]+ passed, [0-9]+ failed' /tmp/cloudless-integration.log | tail -n 1)
ip=$(echo "$int_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
if_=$(echo "$int_line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
if [ -z "$int_line" ]; then count "integration suite (no summary)" 1; else
  passed=$((passed + ip)); failed=$((failed + if_))
  [ "$if_" -gt 0 ] && failures+=("integration tests")
fi

if [ "${CONTAINER_TEST:-1}" != 0 ]; then
  note "container image (podman: build, health, S3 + SQS + Lambda, non-root, docker/README examples)"
  tests/container/run.sh 2>&1 | tee /tmp/cloudless-container.log
  c_line=$(grep -E '^container: [0-9]+ passed, [0-9]+ failed' /tmp/cloudless-container.log | tail -n 1)
  if [ -z "$c_line" ]; then count "container test (no summary)" 1; else
    cp=$(echo "$c_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    cf=$(echo "$c_line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    passed=$((passed + cp)); failed=$((failed + cf))
    [ "$cf" -gt 0 ] && failures+=("container test")
  fi
fi

if [ "$FUZZ_SECONDS" -gt 0 ]; then
  note "fuzzing (${FUZZ_SECONDS}s per target)"
  if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=disabled -Db_sanitize=address,undefined \
      -Db_lundef=false --buildtype=debug >/dev/null || count "fuzz build setup" 1
  fi
  # Two targets at a time (one a core): each gets its full FUZZ_SECONDS in
  # half the wall time; results are read back in the targets' order.
  fuzz_one() {
    local t=$1 name corpus work
    name=$(basename "$t")
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    "$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 "$work" >"/tmp/$name.log" 2>&1
    echo $? >"/tmp/$name.rc"
    rm -rf "$work"
  }
  if ninja -C build-fuzz >/dev/null; then
    targets=()
    for t in build-fuzz/tests/fuzz/fuzz_*; do
      [ -f "$t" ] && [ -x "$t" ] || continue
      targets+=("$t")
      rm -f "/tmp/$(basename "$t").rc"
      while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
      fuzz_one "$t" &
    done
    wait
    for t in "${targets[@]}"; do
      name=$(basename "$t")
      if [ "$(cat "/tmp/$name.rc" 2>/dev/null)" = 0 ]; then
        echo "fuzz $name: ok ($(grep -oE '^Done [0-9]+ runs' "/tmp/$name.log" | grep -oE '[0-9]+') runs)"
        count "$name" 0
      else
        echo "fuzz $name: FAILED"; tail -n 40 "/tmp/$name.log"
        count "$name" 1
      fi
    done
  else
    count "fuzz build" 1
  fi
fi

note "summary"
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
