#!/usr/bin/env bash
# Benchmark 3: migration of 8 smaller archives (slices of the big CPython
# tree, ~9.5 MB of tar each; see bench_slices in lib.sh) from and to the
# mock S3 server: automatic jobs against -j 1, interleaved, BENCH_RUNS
# times each (default 3), at level 19 (BENCH_LEVEL) to keep it affordable.
# Target: automatic <= 0.55 x -j 1.
#
# usage: bench/migrate-many.sh
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-3}
L=${BENCH_LEVEL:-19}
bench_slices
TMP=$(mktemp -d /dev/shm/bench-many.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
mkdir -p "$TMP/data/bench/heroku-22/runtimes"
tarbytes=0
for k in 1 2 3 4 5 6 7 8; do
	cp "$OUT/slice-$k.tar.gz" "$TMP/data/bench/heroku-22/runtimes/python-3.12.$k.tar.gz"
	tarbytes=$((tarbytes + $(gzip -dc "$OUT/slice-$k.tar.gz" | wc -c)))
done
bench_machine; bench_load
note "bench: 8 archives, $tarbytes bytes of tar, level $L, $N runs"
bench_reset mm.j1 mm.auto
migrate() {	# LABEL [-j N]
	local label=$1; shift
	find "$TMP/data/bench" -name '*.tar.zst' -delete
	bench_run "$label" "$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" "$@" \
		migrate --level "$L" --from s3://bench --to s3://bench
	[ "$(find "$TMP/data/bench" -name '*.tar.zst' | wc -l)" = 8 ] ||
		die "$label: not 8 archives made"
}
for ((r = 1; r <= N; r++)); do
	migrate mm.j1 -j 1
	migrate mm.auto
	bench_load >&2
done
bench_load
echo
echo "8 archives, $tarbytes bytes of tar in all; level $L"
echo
echo "$BENCH_HEAD"
echo "|---|---|---|---|---|---|"
bench_row mm.j1
bench_row mm.auto
echo
echo "automatic / -j 1 = $(calc "$(bench_median mm.auto 1) / $(bench_median mm.j1 1)" 3) (target <= 0.55)"
