#!/usr/bin/env bash
# archive_memory.sh BIN SEED: what archiving a whole history frees (issue 30, section 23's memory
# model). On a copy of SEED (a `wal seed DIR --returns N --password pw --snapshot` directory):
# PERIOD CLOSE and ARCHIVE through 2026-11-30 (everything but the sales, whose windows are open),
# SNAPSHOT, stop; then a restart from that snapshot. Prints ARCHIVE's reply and time, then the
# RSS at `ready`, the snapshot's bytes and the server's "recovered ... in N ms" line.
set -u
BIN=$1 SEED=$2 W=$(mktemp -d /tmp/rl-archmem-XXXXXX)/data
trap 'rm -rf "$(dirname "$W")"' EXIT
cp -r "$SEED" "$W"; rm -f "$W/LOCK"
start() {
    "$BIN" --port 0 --data "$W" --backup-every 0 > "$W.out" 2> "$W.err" & pid=$!
    for _ in $(seq 1 1200); do grep -q '^ready' "$W.out" && break; sleep 0.1; done
    port=$(sed -n 's/^ready .*port=\([0-9]*\).*/\1/p' "$W.out")
}
start
python3 - "$port" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); f = s.makefile("rb")
def call(line):
    s.sendall((line + "\r\n").encode())
    while True:
        x = f.readline().decode().rstrip()
        if not x.startswith("* "): return x
call("AUTH admin pw"); call("PERIOD CLOSE 2026-11-30")
t = time.time(); print(call("ARCHIVE through=2026-11-30"), "(%.1f s)" % (time.time() - t))
call("SNAPSHOT")
PY
kill "$pid"; wait "$pid" 2>/dev/null
start
echo "rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status) snapshot_bytes=$(ls -l "$W"/*.snap | tail -1 | awk '{print $5}') $(grep -o 'recovered .*' "$W.err" | head -1)"
kill "$pid"; wait "$pid" 2>/dev/null
