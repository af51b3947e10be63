#!/usr/bin/env bash
# Benchmark 6: how archivist scales.  recompress (default mode) of ~32,
# ~114 and ~168 MB CPython tars (prefixes of the big input's file list,
# see bench_slices in lib.sh) at level 19 (BENCH_LEVEL), BENCH_RUNS times
# each (default 3); then ls of 1k, 10k and 100k keys (bench/list.sh, only
# archivist, BENCH_LIST_RUNS times, default 3).  Time should grow
# linearly with the input, memory stay flat (bounded by zstd's window and
# jobs, and by one listing page).
#
# usage: bench/scaling.sh
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-3}
L=${BENCH_LEVEL:-19}
bench_slices
TMP=$(mktemp -d /dev/shm/bench-scaling.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ins=("$OUT/first-20.tar.gz" "$OUT/first-80.tar.gz" "$OUT/cpython-big.tar.gz")
bench_machine; bench_load
for f in "${ins[@]}"; do bench_reset "sc.$(basename "$f" .tar.gz)"; done
for ((r = 1; r <= N; r++)); do
	for f in "${ins[@]}"; do
		bench_run "sc.$(basename "$f" .tar.gz)" "$ARCHIVIST" -q --no-progress \
			recompress --level "$L" "$f" "$TMP/out.tar.zst"
	done
	bench_load >&2
done
bench_load
echo
echo "recompress, level $L"
echo
echo "| input | tar MB | median s | runs (s) | peak RSS MB | s per 100 MB of tar |"
echo "|---|---|---|---|---|---|"
for f in "${ins[@]}"; do
	l=sc.$(basename "$f" .tar.gz); t=$(gzip -dc "$f" | wc -c); w=$(bench_median "$l" 1)
	echo "| $(basename "$f") | $(calc "$t / 1000000" 1) | $w | $(bench_runs "$l") |" \
		"$(calc "$(bench_median "$l" 2) / 1024" 0) | $(calc "$w / ($t / 100000000)" 1) |"
done
BENCH_RUNS=${BENCH_LIST_RUNS:-3} BENCH_TOOLS=archivist "$BENCH_DIR/list.sh" 1000 10000 100000
