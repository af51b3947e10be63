#!/usr/bin/env bash
# The put target alone: 1 GiB from tmpfs to the mock S3 server (data on
# tmpfs), `archivist put` against `aws s3 cp`, BENCH_RUNS rounds in a row
# (default 3), interleaved, after one untimed round, with the mock's CPU
# time for each run (so a server at its limit shows).  bench/transfer.sh
# has the other peers and servers.  Target: archivist's throughput >= 1.5
# x aws's.
#
# usage: bench/put.sh             (BENCH_RUNS=N, BENCH_SIZE_MB=N)
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-3}
MB=${BENCH_SIZE_MB:-1024}
bench_need aws awscli
export AWS_EC2_METADATA_DISABLED=true
TMP=$(mktemp -d /dev/shm/bench-put.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
mkdir -p "$TMP/data/bench"
head -c $((MB * 1048576)) /dev/urandom >"$TMP/file"
bench_machine; bench_load
# One untimed upload of each first: a fresh mock spends more CPU on its
# first 1 GiB (6.9 s against 4.1 s after, measured) and would charge it
# to whichever client ran first.
"$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" put "$TMP/file" s3://bench/w.bin
aws --endpoint-url "$ENDPOINT" --only-show-errors s3 cp "$TMP/file" s3://bench/w.bin
bench_reset p.archivist p.aws
for ((r = 1; r <= N; r++)); do
	rm -f "$TMP/data/bench/"*
	bench_run p.archivist "$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" \
		put "$TMP/file" s3://bench/a.bin
	rm -f "$TMP/data/bench/"*
	bench_run p.aws aws --endpoint-url "$ENDPOINT" --only-show-errors s3 cp \
		"$TMP/file" s3://bench/b.bin
	bench_load >&2
done
bench_load
echo
echo "$BENCH_HEAD MiB/s |  (upload $MB MiB)"
echo "|---|---|---|---|---|---|---|"
bench_row p.archivist $((MB * 1048576))
bench_row p.aws $((MB * 1048576))
echo
echo "archivist / aws throughput = $(calc "$(bench_median p.aws 1) / $(bench_median p.archivist 1)" 2) (target >= 1.5)"
