#!/usr/bin/env bash
# Start-up time of server builds side by side: the server's own "recovered ... in N ms" line,
# builds alternating, ROUNDS rounds (issue 30: snapshots load at memory speed, replay 1M events/s).
#
#   tools/startup_time.sh snapshot DIR ROUNDS BIN...   # starts on DIR as it is (its snapshot)
#   tools/startup_time.sh replay DIR ROUNDS BIN...     # each round on a fresh copy of DIR's log alone
#
# DIR: a `wal seed DIR --returns N --password pw --snapshot` directory (admin password pw).
set -u
mode=$1 dir=$2 rounds=$3; shift 3
work=$(mktemp -d /tmp/rl-startup-XXXXXX)
trap 'rm -rf "$work" "$dir-backups"' EXIT
for _ in $(seq 1 "$rounds"); do
    for bin in "$@"; do
        data=$dir
        if [ "$mode" = replay ]; then
            data=$work/data; rm -rf "$data" "$data-backups"; mkdir -p "$data"; cp "$dir"/wal-* "$data"/
        fi
        RETURNLEDGER_ADMIN_PASSWORD=pw "$bin" --port 0 --data "$data" --backup-every 0 > "$work/out" 2> "$work/err" &
        pid=$!
        for _ in $(seq 1 12000); do grep -q '^ready' "$work/out" 2>/dev/null && break; sleep 0.01; done
        rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
        kill -TERM $pid; wait $pid
        echo "$(basename "$bin") $(grep -o 'recovered .*' "$work/err" | head -1) rss_kb=$rss"
    done
done
