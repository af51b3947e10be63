#!/usr/bin/env bash
# Benchmark 5 (and the listing half of 6): listing N keys from the mock
# S3 server (all pages of ListObjectsV2, 1000 keys a page): archivist ls
# against aws s3 ls --recursive, s3cmd ls -r and rclone lsl (those
# installed).  The keys are small files made directly in the mock's data
# directory (on tmpfs), 100 per "directory".  Target: 10,000 keys <= 1 s.
#
# usage: bench/list.sh [KEYS...]    (default 10000; BENCH_RUNS=N, default 7)
#                                   (BENCH_TOOLS="archivist aws": only those)
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-7}
[ $# -gt 0 ] || set -- 10000
bench_need aws awscli
TMP=$(mktemp -d /dev/shm/bench-list.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
export RCLONE_CONFIG_MOCK_TYPE=s3 RCLONE_CONFIG_MOCK_PROVIDER=Minio \
	RCLONE_CONFIG_MOCK_ACCESS_KEY_ID=minioadmin \
	RCLONE_CONFIG_MOCK_SECRET_ACCESS_KEY=minioadmin \
	RCLONE_CONFIG_MOCK_ENDPOINT=$ENDPOINT RCLONE_CONFIG_MOCK_REGION=us-east-1
S3CMD=(s3cmd -c /dev/null --access_key=minioadmin --secret_key=minioadmin
	--host=127.0.0.1:$MOCK_PORT --host-bucket=127.0.0.1:$MOCK_PORT --no-ssl)
tools=(archivist aws)
if [ -n "${BENCH_TOOLS:-}" ]; then read -ra tools <<<"$BENCH_TOOLS"; else
	bench_have s3cmd && tools+=(s3cmd)
	bench_have rclone && tools+=(rclone)
fi

mkkeys() {	# COUNT: bucket list-COUNT with COUNT keys of 16 bytes
	python3 - "$TMP/data/list-$1" "$1" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "heroku-%02d/runtimes/d%04d" % (i % 3 * 2 + 20, i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "python-3.%d.%d-%06d.tar.gz" % (i % 14, i % 30, i)), "w") as f:
        f.write("0123456789abcdef")
PY
}
run_ls() {	# TOOL COUNT: one listing to a file, checked for COUNT lines
	local t=$1 n=$2 b=list-$2 o=$TMP/ls.out
	case $t in
	archivist) bench_run ls$n.$t sh -c '"$@" >'"$o" sh "$ARCHIVIST" -q --endpoint "$ENDPOINT" ls s3://$b/ ;;
	aws) bench_run ls$n.$t sh -c '"$@" >'"$o" sh aws --endpoint-url "$ENDPOINT" s3 ls --recursive s3://$b/ ;;
	s3cmd) bench_run ls$n.$t sh -c '"$@" >'"$o" sh "${S3CMD[@]}" ls -r s3://$b/ ;;
	rclone) bench_run ls$n.$t sh -c '"$@" >'"$o" sh env -u AWS_CA_BUNDLE rclone lsl mock:$b ;;
	esac
	[ "$(wc -l <"$o")" = "$n" ] || die "$t listed $(wc -l <"$o") keys, not $n"
}
bench_machine; bench_load
for n in "$@"; do
	mkkeys "$n"
	for t in "${tools[@]}"; do bench_reset ls$n.$t; done
	for ((r = 1; r <= N; r++)); do
		for t in "${tools[@]}"; do run_ls "$t" "$n"; done
	done
	rm -rf "$TMP/data/list-$n"
done
bench_load
echo
echo "| keys | tool | median s | runs (s) | cpu s | peak RSS MB | vs archivist |"
echo "|---|---|---|---|---|---|---|"
for n in "$@"; do
	a=$(bench_median ls$n.archivist 1)
	for t in "${tools[@]}"; do
		echo "| $n | $t | $(bench_median ls$n.$t 1) | $(bench_runs ls$n.$t) | $(bench_median ls$n.$t 3) |" \
			"$(calc "$(bench_median ls$n.$t 2) / 1024" 0) |" \
			"$(calc "$(bench_median ls$n.$t 1) / $a" 1) x |"
	done
done
