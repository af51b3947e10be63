#!/usr/bin/env bash
# A batch: 4 archives of ~170 MB of tar (the big CPython input, under 4
# keys) migrated from and to the mock S3 server with automatic jobs
# (`-j auto`: on 2 cores, two archives side by side, one zstd job each)
# against the zstd CLI on the same tars one after another
# (`gzip -dc | zstd -L --ultra --long -T0`: one job each, as the tar is
# under its 512 MiB job size).  BENCH_RUNS rounds (default 1), level
# BENCH_LEVEL (default 22); with BENCH_BATCH_J1=1 also `-j 1` (one
# archive at a time on both cores: every archive cut, the CPU the cut
# costs).
# Targets (2 cores): total CPU <= 1.05 x the CLI runs' sum; wall <= 0.55
# x the CLI runs' sum.
#
# usage: bench/batch.sh
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-1}
L=${BENCH_LEVEL:-22}
K=4
bench_need zstd
IN=$(bench_big_input)
TMP=$(mktemp -d /dev/shm/bench-batch.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
mkdir -p "$TMP/data/bench/heroku-22/runtimes"
for ((k = 1; k <= K; k++)); do
	cp "$IN" "$TMP/data/bench/heroku-22/runtimes/python-3.12.$k.tar.gz"
done
bench_machine; bench_load
note "bench: $K x $(basename "$IN"), level $L, $N round(s)"
bench_reset b.cli b.auto b.j1
cli_all() {	# the CLI on each archive, one after another
	local k
	for ((k = 1; k <= K; k++)); do
		gzip -dc "$IN" | zstd -"$L" --ultra --long -T0 -q >"$TMP/cli.zst"
	done
}
export -f cli_all
migrate() {	# LABEL [GLOBAL OPTIONS]
	local label=$1; shift
	find "$TMP/data/bench" -name '*.tar.zst' -delete
	bench_run "$label" "$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" "$@" \
		migrate --level "$L" --pyc keep --keep-opt-pyc --from s3://bench --to s3://bench
	[ "$(find "$TMP/data/bench" -name '*.tar.zst' | wc -l)" = "$K" ] ||
		die "$label: not $K archives made"
}
for ((r = 1; r <= N; r++)); do
	bench_run b.cli env IN="$IN" TMP="$TMP" K="$K" L="$L" bash -c cli_all
	migrate b.auto
	[ -z "${BENCH_BATCH_J1:-}" ] || migrate b.j1 -j 1
	bench_load >&2
done
bench_load
cli=$(stat -c %s "$TMP/cli.zst")
one=$(find "$TMP/data/bench" -name '*.tar.zst' | head -1)
# the same tar whatever the layout: --pyc keep --keep-opt-pyc gives it back
cmp <(zstd -dcq "$one") <(gzip -dc "$IN") || die "the archive does not hold the input tar"
echo
echo "$K x $(basename "$IN") ($(gzip -dc "$IN" | wc -c) bytes of tar), level $L;" \
	"archivist with --pyc keep --keep-opt-pyc (the CLI's tar)"
echo
echo "$BENCH_HEAD"
echo "|---|---|---|---|---|---|"
bench_row b.cli
bench_row b.auto
[ -z "${BENCH_BATCH_J1:-}" ] || bench_row b.j1
echo
echo "output: CLI $cli bytes, archivist $(stat -c %s "$one") bytes each"
echo "cpu:  archivist / CLI sum = $(calc "$(bench_median b.auto 3) / $(bench_median b.cli 3)" 3) (target <= 1.05)"
echo "wall: archivist / CLI sum = $(calc "$(bench_median b.auto 1) / $(bench_median b.cli 1)" 3) (target <= 0.55)"
[ -z "${BENCH_BATCH_J1:-}" ] ||
	echo "-j 1 (every archive cut): cpu $(calc "$(bench_median b.j1 3) / $(bench_median b.cli 3)" 3) x the CLI sum"
