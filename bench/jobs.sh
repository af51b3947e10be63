#!/usr/bin/env bash
# How the zstd job layout trades size for wall time on 2 cores (the
# reasoning behind zstd_enc_cut): the big CPython tar (bench_big_input)
# at level 22 long mode, compressed by libzstd directly (bench/zstd-jobs.c)
# as one job (what `zstd -22 --ultra --long -T0` does with it: its jobs
# are 512 MiB), as 128 MiB jobs with the whole window as overlap (the
# smallest job libzstd allows with that overlap), cut at 5/8 (archivist),
# cut at 81 MiB with overlaps of 16, 32 and 64 MiB, and cut from the
# content: at the end of the last entry over 8 MiB (the static
# libpython, whose code the shared one before it holds: the second job
# then holds only the stdlib after them), with an 8 MiB overlap.  About
# 12 minutes.  bench/zstd-profile.c measures where the CPU time of a job
# goes along its input (BENCH_PROFILE=1: one more single-job run and one
# second-job run, ~4 minutes).
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
# the end of the last entry over 8 MiB, in MiB
bin=$(python3 -c '
import sys, tarfile
end = 0
for m in tarfile.open(sys.argv[1]):
    if m.size > 8 << 20:
        end = m.offset_data + (m.size + 511) // 512 * 512
print(end / 1048576)' "$OUT/big.tar")
echo "cuts: 5/8 at $cut MiB; after the large binaries at $bin MiB"
echo
for a in "512 9 2" "128 9 2" "512 9 2 $cut" "81 6 2" "81 7 2" "81 8 2" "512 5 2 $bin"; do
	# shellcheck disable=SC2086
	"$OUT/zstd-jobs" "$OUT/big.tar" "$L" $a
done
bench_load
if [ -n "${BENCH_PROFILE:-}" ]; then
	cc -O2 -Wall -Wextra -Werror -o "$OUT/zstd-profile" "$BENCH_DIR/zstd-profile.c" -lzstd
	"$OUT/zstd-profile" "$OUT/big.tar" "$L" >"$OUT/profile.one-job"
	"$OUT/zstd-profile" "$OUT/big.tar" "$L" "$cut" >"$OUT/profile.second-job"
	echo "one job: $(tail -1 "$OUT/profile.one-job")"
	echo "  CPU s at each 16 MiB: $(awk '$1 != "total" && NR % 16 == 0 { printf "%s ", $2 }' "$OUT/profile.one-job")"
	echo "second job from $cut MiB: window loaded in $(head -1 "$OUT/profile.second-job" | cut -d' ' -f2) s;" \
		"$(tail -1 "$OUT/profile.second-job")"
	bench_load
fi
