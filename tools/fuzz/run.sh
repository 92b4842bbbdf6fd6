#!/usr/bin/env bash
# run.sh TARGET SECONDS: fuzz one target (wire, storage, engine) with the toolchain's libFuzzer
# and AddressSanitizer for SECONDS, starting from tools/fuzz/corpus/TARGET.
#
#   tools/fuzz/run.sh wire 60
#   JOBS=2 tools/fuzz/run.sh storage 600      # two fuzzing processes
#
# Builds into .build/fuzz (its own scratch path: the normal build stays as it is). New inputs
# that reach new code go to .build/fuzz/corpus/TARGET (not the repository's seeds); a crash is
# written to .build/fuzz/crashes/ and this script exits 1, naming it: add it to
# tools/fuzz/corpus/TARGET with the fix, and FuzzCorpusTests replays it for ever after.
# Prints libFuzzer's final statistics (executions, executions per second, coverage, features).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: tools/fuzz/run.sh wire|storage|engine SECONDS}
seconds=${2:-60}
# Requests are short; segments and snapshots are not.
case $target in wire) max_len=${MAX_LEN:-512} ;; engine) max_len=${MAX_LEN:-4096} ;; storage) max_len=${MAX_LEN:-16384} ;; *) echo "run.sh: unknown target $target" >&2; exit 2 ;; esac
# lld: gold crashes linking the sanitizers' runtime (an internal error in its DWARF reader).
swift build -c release --product fuzz --scratch-path .build/fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >/dev/null
corpus=.build/fuzz/corpus/$target
crashes=.build/fuzz/crashes
mkdir -p "$corpus" "$crashes"
parallel=()
# Several processes: libFuzzer then writes each one's output to fuzz-N.log (under .build/fuzz).
[ "${JOBS:-1}" -gt 1 ] && parallel=(-jobs="$JOBS" -workers="$JOBS")
status=0
(cd .build/fuzz && FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ./release/fuzz "$target" "corpus/$target" "../../tools/fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="crashes/$target-" "${parallel[@]}" > "$target.log" 2>&1) || status=$?
log=.build/fuzz/$target.log
[ "${JOBS:-1}" -gt 1 ] && log=".build/fuzz/fuzz-*.log"
# The crash report if there was one; else the last status line (coverage, features, corpus) and totals.
grep -h -A 30 "==ERROR\|deadly signal\|fuzz property violated" $log | head -n 40 || true
grep -h "cov:" $log | tail -n 1 || true
grep -h "stat::number_of_executed_units\|stat::average_exec_per_sec\|stat::peak_rss_mb" $log || true
if ls "$crashes/$target-"* >/dev/null 2>&1; then
    echo "run.sh: $target crashed; inputs: $(ls "$crashes/$target-"*)" >&2
    exit 1
fi
exit "$status"
