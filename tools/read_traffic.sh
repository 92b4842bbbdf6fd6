#!/usr/bin/env bash
# read_traffic.sh BIN SEED [ROUNDS]: what readers cost the tills. RETURN+APPROVE (tools/bench, 50
# connections, pipeline 16, server and bench on CPU 0) on a copy of SEED's history (a `wal seed ...
# --password seed` directory), in alternating 4 s rounds: alone, then with one reader on CPU 1
# sending READ (default "LIST limit=20") every EVERY seconds (default 0.01). Prints each pair and
# its ratio. EXTRA adds server flags (e.g. "--snapshot-every 1000000000": a snapshot of a large
# state falls into a round at random and says more than the readers do).
#
# A read answered from a copy of the state makes the writer copy each array and shard it touches
# while the copy lives; this is how that was found (a LIST every 10-50 ms on 1M returns: 0.70x).
BIN=$1 SEED=$2 ROUNDS=${3:-3}
READ=${READ:-LIST limit=20} EVERY=${EVERY:-0.01}
W=$(mktemp -d /tmp/rl-reads-XXXXXX)/data
cp -r "$SEED" "$W"
taskset -c 0 "$BIN" --port 0 --data "$W" --fsync always --backup-every 0 ${EXTRA:-} > "$W.out" 2>/dev/null & pid=$!
for _ in $(seq 1 600); do grep -q '^ready' "$W.out" && break; sleep 0.1; done
port=$(sed -n 's/^ready .*port=\([0-9]*\).*/\1/p' "$W.out")
bench() {
    taskset -c 0 "$(dirname "$0")/../.build/release/bench" --target returnledger --port "$port" --password seed \
        --mix return --connections 50 --pipeline 16 --duration "$1" | sed -n 's/.*ops_per_s=\([0-9]*\).*/\1/p'
}
bench 3 > /dev/null  # warm-up
for round in $(seq 1 "$ROUNDS"); do
    alone=$(bench 4)
    taskset -c 1 python3 - "$port" "$READ" "$EVERY" "$(dirname "$0")/../clients/python" <<'PY' & reader=$!
import sys, time
sys.path.insert(0, sys.argv[4])
from returnledger import Client
client = Client("127.0.0.1", int(sys.argv[1]), timeout=30, retries=0)
client.call("AUTH admin seed")
reads, start = 0, time.time()
while time.time() - start < 5.5:
    client.call_line(sys.argv[2]); reads += 1; time.sleep(float(sys.argv[3]))
print("  %d reads" % reads, file=sys.stderr)
PY
    sleep 0.3
    with=$(bench 4)
    wait $reader
    echo "round $round: alone $alone ops/s, with reads $with ops/s, ratio $(python3 -c "print('%.2f' % ($with / $alone))")"
done
kill $pid; wait $pid 2>/dev/null; rm -rf "$(dirname "$W")"
