#!/usr/bin/env bash
# Instructions per request, the figure that is not noisy: the server under callgrind (all its
# threads), `--fsync always`, driven by tools/bench over one connection at pipeline 1;
# (Ir(N requests) - Ir(BASE requests)) / (N - BASE), so start-up, setup and logins cancel out.
#
#   tools/instructions.sh BINARY MIX N [BASE]      e.g. tools/instructions.sh .build/release/returnledger return 5500
#
# MIX is bench's (stock, sale, return, stats...; one `return` request is a RETURN+APPROVE pair);
# BENCH_FLAGS adds bench flags (--tenders);
# KEEP=PREFIX keeps the two profiles as PREFIX.BASE and PREFIX.N for callgrind_annotate.
# Hashing is made deterministic (SWIFT_DETERMINISTIC_HASHING): with a random seed, dictionaries
# probe differently each run and the count moves by up to ~2k a RETURN+APPROVE.
set -euo pipefail
BIN=$1; MIX=$2; N=$3; BASE=${4:-500}
BENCH=${BENCH:-$(dirname "$BIN")/bench}
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$BENCH" ] || { echo "instructions.sh: no bench at $BENCH (swift build -c release, or set BENCH=)" >&2; exit 2; }
one() {
  local n=$1 d port pid ir
  d=$(mktemp -d /tmp/instructions-XXXXXX)
  SWIFT_DETERMINISTIC_HASHING=1 RETURNLEDGER_ADMIN_PASSWORD=bench-admin \
    valgrind --tool=callgrind --callgrind-out-file="$d/cg.out" "$BIN" --port 0 --data "$d/data" --fsync always \
    > "$d/out" 2> "$d/err" &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT
  for _ in $(seq 1 600); do grep -q '^ready' "$d/out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^ready .*port=\([0-9]*\).*/\1/p' "$d/out")
  [ -n "$port" ] || { echo "instructions.sh: the server did not start; $d/err:" >&2; cat "$d/err" >&2; kill "$pid" 2>/dev/null; exit 1; }
  # shellcheck disable=SC2086
  "$BENCH" --port "$port" --password bench-admin --mix "$MIX" --connections 1 --pipeline 1 --requests "$n" ${BENCH_FLAGS:-} > /dev/null
  kill -TERM "$pid"; wait "$pid" || true
  ir=$(grep -m1 '^summary:\|^totals:' "$d/cg.out" | awk '{print $2}')
  if [ -n "${KEEP:-}" ]; then cp "$d/cg.out" "$KEEP.$n"; fi
  rm -rf "$d"
  trap - EXIT
  echo "$ir"
}
a=$(one "$BASE"); b=$(one "$N")
echo "$(( (b - a) / (N - BASE) )) instructions a request ($MIX${BENCH_FLAGS:+ $BENCH_FLAGS}, $BIN)"
