#!/bin/sh
# Runs the integration suite (tests/integration) under both Python interpreters:
# `python3` (pyenv, new boto3: CRC32 checksums, aws-chunked, SQS JSON protocol) and
# /usr/bin/python3 (Debian, boto3 1.26: Content-MD5, SQS query protocol). Each run
# starts its own server from CLOUDLESS_BIN (default build/server/cloudless) unless
# TEST_ENDPOINT names an existing endpoint.
#
# The Terraform conformance tests do not depend on the interpreter and spend most of
# their time in the provider's own waits, so on a full run each of them runs once, in
# the background with a server of its own, while the interpreters run the rest.
# Tests that drive only command-line clients (harness.interpreter_free_test) run
# under the first interpreter only: the second would run the same binaries again.
# Extra arguments are passed to run.py (test names) and run everything given in the
# foreground. Prints one summed final line `N passed, N failed[, N skipped]` and exits
# non-zero if anything failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TEST_ENDPOINT:-}" ]; then
    CLOUDLESS_BIN=${CLOUDLESS_BIN:-$root/build/server/cloudless}
    case $CLOUDLESS_BIN in /*) ;; *) CLOUDLESS_BIN=$(pwd)/$CLOUDLESS_BIN ;; esac
    export CLOUDLESS_BIN
fi
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0 status=0

# Adds the closing "N passed, N failed[, N skipped]" line of a run's log.
count() {
    summary=$(tail -n 1 "$1")
    case $summary in
        *" passed, "*" failed"*) ;;
        *) echo "no summary in $1" >&2; status=1; return ;;
    esac
    passed=$((passed + $(echo "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
    failed=$((failed + $(echo "$summary" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')))
    more=$(echo "$summary" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
    skipped=$((skipped + ${more:-0}))
}

terraform_runs=""
terraform_in_foreground=1
if [ $# -eq 0 ] && [ -z "${TEST_ENDPOINT:-}" ]; then
    terraform_in_foreground=0
    for t in "$root"/tests/integration/test_terraform_*.py; do
        name=$(basename "$t" .py)
        CLOUDLESS_TERRAFORM_TESTS=1 python3 "$root/tests/integration/run.py" "$name" \
            >"$work/$name.out" 2>"$work/$name.err" &
        terraform_runs="$terraform_runs $name:$!"
    done
fi

interpreter_free=1
for interpreter in python3 /usr/bin/python3; do
    echo "== $interpreter" >&2
    if CLOUDLESS_TERRAFORM_TESTS=$terraform_in_foreground CLOUDLESS_INTERPRETER_FREE_TESTS=$interpreter_free \
        "$interpreter" "$root/tests/integration/run.py" "$@" >"$work/run.out"; then :; else status=1; fi
    cat "$work/run.out"
    count "$work/run.out"
    terraform_in_foreground=0
    interpreter_free=0
done

for run in $terraform_runs; do
    name=${run%%:*}
    wait "${run#*:}" || status=1
    echo "== $name (background)" >&2
    cat "$work/$name.err" >&2
    cat "$work/$name.out"
    count "$work/$name.out"
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
