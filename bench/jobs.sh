#!/usr/bin/env bash
# How the zstd job layout trades size for wall time on 2 cores (the
# reasoning behind zstd_enc_cut): the big CPython tar (bench_big_input)
# at level 22 long mode, compressed by libzstd directly (bench/zstd-jobs.c)
# as one job (what `zstd -22 --ultra --long -T0` does with it: its jobs
# are 512 MiB), as 128 MiB jobs with the whole window as overlap (the
# smallest job libzstd allows with that overlap), cut at 5/8 (archivist),
# and cut at 81 MiB with overlaps of 16, 32 and 64 MiB.  About 10 minutes.
#
# usage: bench/jobs.sh           (BENCH_LEVEL=N, default 22)
source "$(dirname "$0")/lib.sh"
L=${BENCH_LEVEL:-22}
IN=$(bench_big_input)
gzip -dc "$IN" >"$OUT/big.tar"
trap 'rm -f "$OUT/big.tar"' EXIT
cc -O2 -Wall -Wextra -Werror -o "$OUT/zstd-jobs" "$BENCH_DIR/zstd-jobs.c" -lzstd
bench_machine; bench_load
cut=$(calc "int($(stat -c %s "$OUT/big.tar") / 8 * 5 / 65536) / 16" 4)	# zstd_enc_cut, MiB
echo
for a in "512 9 2" "128 9 2" "512 9 2 $cut" "81 6 2" "81 7 2" "81 8 2"; do
	# shellcheck disable=SC2086
	"$OUT/zstd-jobs" "$OUT/big.tar" "$L" $a
done
bench_load
