#!/usr/bin/env bash
# archive_stall.sh BIN SEED: tools/bench (one connection, STOCK, pipeline 1) through a whole ARCHIVE of
# SEED's history (a `wal seed ... --password seed --snapshot` directory, closed first): what a till waits
# while a period is archived (section 23: no client over 10 ms). Prints bench's line and ARCHIVE's reply.
BIN=$1 SEED=$2 W=$(mktemp -d /tmp/rl-stall-XXXXXX)/data
rm -rf $W; cp -r $SEED $W
$BIN --port 0 --data $W --backup-every 0 > $W.out 2>/dev/null & pid=$!
for _ in $(seq 1 600); do grep -q '^ready' $W.out && break; sleep 0.1; done
port=$(sed -n 's/^ready .*port=\([0-9]*\).*/\1/p' $W.out)
python3 -c "
import socket,sys
s=socket.create_connection(('127.0.0.1',$port)); f=s.makefile('rb')
for l in ['AUTH admin seed','PERIOD CLOSE 2026-11-30']:
    s.sendall((l+'\r\n').encode()); print(f.readline().decode().strip()[:50])
"
python3 - $port <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); f = s.makefile("rb")
def call(l):
    s.sendall((l + "\r\n").encode())
    while True:
        x = f.readline().decode().rstrip()
        if not x.startswith("* "): return x
call("AUTH admin seed"); time.sleep(1)
t = time.time(); r = call("ARCHIVE through=2026-11-30"); print(r[:60], "%.1fs" % (time.time() - t))
PY
py=$!
"$(dirname "$0")/../.build/release/bench" --port $port --password seed --mix stock --connections 1 --pipeline 1 --duration 24 | tr ' ' '\n' | grep -E "ops=|p99_ms|p999|max_ms|over_10ms" | tr '\n' ' '; echo
wait $py; kill $pid; wait $pid 2>/dev/null; rm -rf "$(dirname $W)"
