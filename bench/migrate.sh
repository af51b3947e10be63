#!/usr/bin/env bash
# Benchmark 2: migration end to end of the big CPython archive (see
# bench_big_input in lib.sh) from and to the mock S3 server on 127.0.0.1
# (list, GET, gunzip, pyc rewrite, zstd, sha256, multipart PUT, verify):
#   archivist migrate --from s3://bench --to s3://bench
# against the recompression alone (archivist recompress IN OUT, the same
# default settings), interleaved, BENCH_RUNS times each (default 3).
# Target: migrate <= 1.10 x recompress.
#
# usage: bench/migrate.sh         (BENCH_LEVEL=N, default 22)
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-3}
L=${BENCH_LEVEL:-22}
IN=$(bench_big_input)
TMP=$(mktemp -d /dev/shm/bench-migrate.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
mkdir -p "$TMP/data/bench/heroku-22/runtimes"
cp "$IN" "$TMP/data/bench/heroku-22/runtimes/python-3.12.1.tar.gz"
bench_machine; bench_load
note "bench: $IN, level $L, $N runs"
bench_reset mg.recompress mg.migrate
for ((r = 1; r <= N; r++)); do
	bench_run mg.recompress "$ARCHIVIST" -q --no-progress recompress --level "$L" \
		"$IN" "$TMP/out.tar.zst"
	find "$TMP/data/bench" -name '*.tar.zst' -delete
	bench_run mg.migrate "$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" \
		migrate --level "$L" --from s3://bench --to s3://bench
	bench_load >&2
done
bench_load
got=$(find "$TMP/data/bench" -name '*.tar.zst')
[ -n "$got" ] || die "migrate made no .tar.zst"
cmp -s "$got" "$TMP/out.tar.zst" || die "migrate and recompress outputs differ"
echo
echo "input: $(basename "$IN"), $(stat -c %s "$IN") bytes; level $L; output $(stat -c %s "$got") bytes (identical)"
echo
echo "$BENCH_HEAD"
echo "|---|---|---|---|---|---|"
bench_row mg.recompress
bench_row mg.migrate
echo
echo "migrate / recompress = $(calc "$(bench_median mg.migrate 1) / $(bench_median mg.recompress 1)" 3) (target <= 1.10)"
