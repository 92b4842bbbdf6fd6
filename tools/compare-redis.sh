#!/usr/bin/env bash
# compare-redis.sh: ReturnLedger and Redis side by side, in one run, on this machine.
#
#   tools/compare-redis.sh                 # 50 connections; mixes return and stock; pipeline 1 and 16
#   DURATION=5 ROUNDS=1 tools/compare-redis.sh
#   MIXES=stock PIPELINES=1 ROUNDS=5 tools/compare-redis.sh
#   BASELINE=/tmp/returnledger-old tools/compare-redis.sh   # also an older build, for before/after
#
# Starts Redis (appendonly yes, appendfsync always) and ReturnLedger (--fsync always) on loopback
# ports with fresh data directories, runs tools/bench against each alternately (ROUNDS rounds of
# ReturnLedger then Redis), prints one table with the ratios, and stops both. Each figure is the
# median over the rounds (ops/s and p99 separately): on a shared machine a single best run says
# more about the weather than about the server. Installs nothing: it says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-50}
MIXES=${MIXES:-"return stock"}
PIPELINES=${PIPELINES:-"1 16"}

missing=()
command -v redis-server >/dev/null || missing+=("redis-server (apt-get install redis-server)")
command -v redis-cli >/dev/null || missing+=("redis-cli (apt-get install redis-tools)")
command -v swift >/dev/null || missing+=("swift (the Swift toolchain)")
if [ ${#missing[@]} -gt 0 ]; then
    printf 'compare-redis.sh: missing %s\n' "${missing[@]}" >&2
    exit 2
fi

swift build -c release >/dev/null
bin=.build/release
work=$(mktemp -d /tmp/rl-compare-XXXXXX)
redis_pid="" rl_pid=""
cleanup() {
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    [ -n "$rl_pid" ] && kill "$rl_pid" 2>/dev/null && wait "$rl_pid" 2>/dev/null
    [ -n "${base_pid:-}" ] && kill "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always \
    --save "" --daemonize no --logfile "$work/redis.log" --maxclients 10000 &
redis_pid=$!
for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

start_rl() {  # binary name -> sets started_pid and started_port
    RETURNLEDGER_ADMIN_PASSWORD=bench-admin "$1" --port 0 --data "$work/$2" --fsync always \
        >"$work/$2.out" 2>"$work/$2.err" &
    started_pid=$!
    for _ in $(seq 1 100); do grep -q '^ready' "$work/$2.out" 2>/dev/null && break; sleep 0.1; done
    started_port=$(sed -n 's/^ready .*port=\([0-9]*\).*/\1/p' "$work/$2.out")
    [ -n "$started_port" ] || { echo "$1 did not start: $(cat "$work/$2.err")" >&2; exit 1; }
}
start_rl "$bin/returnledger" rl
rl_pid=$started_pid rl_port=$started_port

base_pid="" base_port=""
if [ -n "${BASELINE:-}" ]; then  # an older build of the server, run alongside for before/after
    start_rl "$BASELINE" base
    base_pid=$started_pid base_port=$started_port
fi

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
run() {  # target port mix pipeline -> the bench's result line
    "$bin/bench" --target "$1" --port "$2" --password bench-admin --mix "$3" --connections "$CONNECTIONS" \
        --pipeline "$4" --duration "$DURATION"
}
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

printf '%-8s %-8s %14s %14s %7s %11s %12s %12s' mix pipeline returnledger redis ratio "per round" "rl p99 ms" "redis p99 ms"
[ -n "$base_port" ] && printf ' %14s %9s %11s %12s' baseline "vs base" "per round" "base p99 ms"
printf '\n'
for mix in $MIXES; do
    for pipeline in $PIPELINES; do
        rl_ops=() rd_ops=() rl_p99=() rd_p99=() bs_ops=() bs_p99=()
        for _ in $(seq 1 "$ROUNDS"); do  # alternate, so both see the same machine weather
            line=$(run returnledger "$rl_port" "$mix" "$pipeline")
            rl_ops+=("$(echo "$line" | field ops_per_s)"); rl_p99+=("$(echo "$line" | field p99_ms)")
            line=$(run redis "$redis_port" "$mix" "$pipeline")
            rd_ops+=("$(echo "$line" | field ops_per_s)"); rd_p99+=("$(echo "$line" | field p99_ms)")
            if [ -n "$base_port" ]; then
                line=$(run returnledger "$base_port" "$mix" "$pipeline")
                bs_ops+=("$(echo "$line" | field ops_per_s)"); bs_p99+=("$(echo "$line" | field p99_ms)")
            fi
        done
        a=$(median "${rl_ops[@]}"); b=$(median "${rd_ops[@]}")
        ratio=$(python3 -c "print('%.2f' % ($a / $b))")
        # The spread: each round's own ratio (the two runs of a round saw the same weather).
        spread=$(python3 -c 'import sys; n=len(sys.argv)//2; r=[float(a)/float(b) for a,b in zip(sys.argv[1:n+1], sys.argv[n+1:])]; print("%.2f-%.2f" % (min(r), max(r)))' "${rl_ops[@]}" "${rd_ops[@]}")
        printf '%-8s %-8s %14.0f %14.0f %6sx %11s %12.3f %12.3f' "$mix" "$pipeline" "$a" "$b" "$ratio" "$spread" \
            "$(median "${rl_p99[@]}")" "$(median "${rd_p99[@]}")"
        if [ -n "$base_port" ]; then
            c=$(median "${bs_ops[@]}")
            bspread=$(python3 -c 'import sys; n=len(sys.argv)//2; r=[float(a)/float(b) for a,b in zip(sys.argv[1:n+1], sys.argv[n+1:])]; print("%.2f-%.2f" % (min(r), max(r)))' "${rl_ops[@]}" "${bs_ops[@]}")
            printf ' %14.0f %8sx %11s %12.3f' "$c" "$(python3 -c "print('%.2f' % ($a / $c))")" "$bspread" "$(median "${bs_p99[@]}")"
        fi
        printf '\n'
    done
done
echo "($CONNECTIONS connections, ${DURATION}s per run, median of $ROUNDS alternating rounds; return = RETURN+APPROVE, both durable with fsync always)"
