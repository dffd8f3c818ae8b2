#!/bin/sh
# Runs the S3 integration suite (tests/integration) under both Python interpreters:
# `python3` (pyenv, new boto3: CRC32 checksums, aws-chunked) and /usr/bin/python3
# (Debian, boto3 1.26: Content-MD5). Each run starts its own server from CLOUDLESS_BIN
# (default build/src/server/cloudless) unless TEST_ENDPOINT names an existing endpoint.
# Extra arguments are passed to run.py (test names). Prints one summed final line
# `N passed, N failed[, N skipped]` and exits non-zero if anything failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TEST_ENDPOINT:-}" ]; then
    CLOUDLESS_BIN=${CLOUDLESS_BIN:-$root/build/src/server/cloudless}
    case $CLOUDLESS_BIN in /*) ;; *) CLOUDLESS_BIN=$(pwd)/$CLOUDLESS_BIN ;; esac
    export CLOUDLESS_BIN
fi
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0 status=0
for interpreter in python3 /usr/bin/python3; do
    echo "== $interpreter" >&2
    "$interpreter" "$root/tests/integration/run.py" "$@" | tee "$log"
    [ $? -eq 0 ] || status=1
    summary=$(tail -n 1 "$log")
    case $summary in
        *" passed, "*" failed"*) ;;
        *) echo "no summary from $interpreter" >&2; status=1; continue ;;
    esac
    passed=$((passed + $(echo "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
    failed=$((failed + $(echo "$summary" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')))
    more=$(echo "$summary" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
    skipped=$((skipped + ${more:-0}))
done
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
