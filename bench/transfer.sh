#!/usr/bin/env bash
# Benchmark 4: upload and download of a 1 GiB file to/from the mock S3
# server on 127.0.0.1: archivist put/get against aws s3 cp, rclone and
# s3cmd (those installed; a run over 180 s counts as failed), plus the mock's own ceiling (curl with its
# built-in SigV4: one stream, and 4 streams of 256 MiB in parallel).
# Then, to see which side limits, archivist put and aws s3 cp again
# against two other servers: the mock with --etag-sha256 (ETags from the
# sha256 it computes anyway for signed payloads instead of a second pass
# of MD5), and moto's server (a Python S3 emulator), where installed.
# The file and the mock's data live on tmpfs (/dev/shm), so no disk is
# in the way.  archivist-1put is archivist with --part-size 2G: one
# PutObject instead of 16 parallel 64 MiB parts, like the curl ceiling.  Target: put >= 1.5 x aws's throughput, peak RSS <= 300 MB.
#
# usage: bench/transfer.sh        (BENCH_RUNS=N runs each, default 5;
#                                  BENCH_SIZE_MB=N, default 1024;
#                                  BENCH_ONLY=get: downloads only)
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-5}
MB=${BENCH_SIZE_MB:-1024}
BYTES=$((MB * 1048576))
bench_need aws awscli
export BENCH_TIMEOUT=${BENCH_TIMEOUT:-180}
TMP=$(mktemp -d /dev/shm/bench-transfer.XXXXXX)
MOTO_PID=
trap 'bench_mock_stop; [ -z "$MOTO_PID" ] || kill "$MOTO_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
bench_mock_start "$TMP/data"
mkdir -p "$TMP/data/bench"
head -c "$BYTES" /dev/urandom >"$TMP/file"
for i in 0 1 2 3; do	# quarters, for the parallel ceiling
	dd if="$TMP/file" of="$TMP/q$i" bs=1M skip=$((i * MB / 4)) count=$((MB / 4)) status=none
done
export RCLONE_CONFIG_MOCK_TYPE=s3 RCLONE_CONFIG_MOCK_PROVIDER=Minio \
	RCLONE_CONFIG_MOCK_ACCESS_KEY_ID=minioadmin \
	RCLONE_CONFIG_MOCK_SECRET_ACCESS_KEY=minioadmin \
	RCLONE_CONFIG_MOCK_ENDPOINT=$ENDPOINT RCLONE_CONFIG_MOCK_REGION=us-east-1
S3CMD=(s3cmd -c /dev/null --access_key=minioadmin --secret_key=minioadmin
	--host=127.0.0.1:$MOCK_PORT --host-bucket=127.0.0.1:$MOCK_PORT
	--no-ssl --no-check-md5 --no-progress -q)
CURL=(curl -fsS --aws-sigv4 aws:amz:us-east-1:s3 --user minioadmin:minioadmin
	-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')

clean() { rm -rf "$TMP/data/bench/"* "$TMP/data/bench/".[!.]* "$TMP/got" 2>/dev/null || true; }
put_tools=(archivist archivist-1put aws)
bench_have rclone && put_tools+=(rclone)
bench_have s3cmd && put_tools+=(s3cmd)

do_put() {	# TOOL
	case $1 in
	archivist) bench_run put.archivist "$ARCHIVIST" -q --endpoint "$ENDPOINT" \
			put "$TMP/file" s3://bench/obj ;;
	archivist-1put) bench_run put.archivist-1put "$ARCHIVIST" -q --endpoint "$ENDPOINT" \
			put --part-size 2G "$TMP/file" s3://bench/obj ;;
	aws) bench_run put.aws aws --endpoint-url "$ENDPOINT" s3 cp --only-show-errors \
			"$TMP/file" s3://bench/obj ;;
	rclone) bench_run put.rclone env -u AWS_CA_BUNDLE rclone copyto --s3-no-check-bucket \
			"$TMP/file" mock:bench/obj ;;
	s3cmd) bench_run put.s3cmd "${S3CMD[@]}" put "$TMP/file" s3://bench/obj ;;
	curl) bench_run put.curl "${CURL[@]}" -T "$TMP/file" "$ENDPOINT/bench/obj" ;;
	curl4) bench_run put.curl4 sh -c 'for i in 0 1 2 3; do "$@" -T '"$TMP"'/q$i '"$ENDPOINT"'/bench/q$i & done; wait' \
			sh "${CURL[@]}" ;;
	esac
}
do_get() {	# TOOL (the object is s3://bench/obj, made by archivist put)
	case $1 in
	archivist) bench_run get.archivist "$ARCHIVIST" -q --endpoint "$ENDPOINT" \
			get s3://bench/obj "$TMP/got" ;;
	aws) bench_run get.aws aws --endpoint-url "$ENDPOINT" s3 cp --only-show-errors \
			s3://bench/obj "$TMP/got" ;;
	rclone) bench_run get.rclone env -u AWS_CA_BUNDLE rclone copyto mock:bench/obj "$TMP/got" ;;
	s3cmd) bench_run get.s3cmd "${S3CMD[@]}" --force get s3://bench/obj "$TMP/got" ;;
	curl) bench_run get.curl "${CURL[@]}" -o "$TMP/got" "$ENDPOINT/bench/obj" ;;
	curl4) bench_run get.curl4 sh -c 'for i in 0 1 2 3; do "$@" -o '"$TMP"'/g$i '"$ENDPOINT"'/bench/q$i & done; wait' \
			sh "${CURL[@]}" ;;
	esac
}
bench_machine; bench_load
note "bench: $N runs of each, $MB MiB"
all=("${put_tools[@]}" curl curl4)
gets=("${all[@]/archivist-1put}")
for t in "${all[@]}"; do bench_reset put.$t get.$t; done
for ((r = 1; r <= N; r++)); do
	[ "${BENCH_ONLY:-}" != get ] || break
	for t in "${all[@]}"; do clean; do_put "$t" || note "bench: $t failed"; done
done
# Downloads: one object put by archivist (checked against the file), in
# one PutObject: CompleteMultipartUpload of 1 GiB can take the mock longer
# than archivist's 30 s low-speed limit on a loaded machine.
clean
"$ARCHIVIST" -q --endpoint "$ENDPOINT" put --part-size 2G "$TMP/file" s3://bench/obj
for i in 0 1 2 3; do cp "$TMP/q$i" "$TMP/data/bench/q$i"; done
for ((r = 1; r <= N; r++)); do
	for t in ${gets[@]}; do
		do_get "$t" || { note "bench: $t failed"; continue; }
		[ "$t" = curl4 ] || cmp -s "$TMP/file" "$TMP/got" || die "$t: download differs"
		rm -f "$TMP/got" "$TMP"/g?
	done
done

# The same uploads, other servers.
alt_put() {	# SERVER ENDPOINT TOOL
	case $3 in
	archivist) bench_run "put.archivist@$1" "$ARCHIVIST" -q --endpoint "$2" \
			put "$TMP/file" s3://bench/obj ;;
	aws) bench_run "put.aws@$1" aws --endpoint-url "$2" s3 cp --only-show-errors \
			"$TMP/file" s3://bench/obj ;;
	esac
}
alts=()
bench_mock_stop
mkdir -p "$TMP/data2/bench"
bench_mock_start "$TMP/data2" --etag-sha256
alts+=(mock-etag-sha256)
bench_reset put.archivist@mock-etag-sha256 put.aws@mock-etag-sha256
for ((r = 1; r <= N; r++)); do
	for t in archivist aws; do
		rm -rf "$TMP/data2/bench/"*
		alt_put mock-etag-sha256 "$ENDPOINT" "$t" || note "bench: $t failed"
	done
done
bench_mock_stop
if "${PYTHON:-python3}" -c 'import moto.server' 2>/dev/null; then
	port=$("${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"${PYTHON:-python3}" -m moto.server -H 127.0.0.1 -p "$port" >"$TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	moto=http://127.0.0.1:$port
	for i in $(seq 50); do curl -s -o /dev/null "$moto" && break; sleep 0.2; done
	aws --endpoint-url "$moto" s3 mb s3://bench >/dev/null || die "moto does not start"
	export BENCH_SERVER_PID=$MOTO_PID
	alts+=(moto)
	bench_reset put.archivist@moto put.aws@moto
	for ((r = 1; r <= N; r++)); do
		for t in archivist aws; do
			aws --endpoint-url "$moto" s3 rm --quiet s3://bench/obj
			alt_put moto "$moto" "$t" || note "bench: $t failed"
		done
	done
	kill "$MOTO_PID"; wait "$MOTO_PID" 2>/dev/null; MOTO_PID=
else
	note "bench: no moto (python3 -m moto.server): the moto rows are left out"
fi
bench_load
echo
echo "$BENCH_HEAD MiB/s |  (upload $MB MiB)"
echo "|---|---|---|---|---|---|---|"
for t in "${all[@]}"; do bench_row put.$t "$BYTES"; done
echo
echo "$BENCH_HEAD MiB/s |  (download $MB MiB)"
echo "|---|---|---|---|---|---|---|"
for t in ${gets[@]}; do bench_row get.$t "$BYTES"; done
echo
echo "$BENCH_HEAD MiB/s |  (upload $MB MiB, other servers)"
echo "|---|---|---|---|---|---|---|"
for s in "${alts[@]}"; do for t in archivist aws; do bench_row "put.$t@$s" "$BYTES"; done; done
echo
echo "put: aws / archivist = $(calc "$(bench_median put.aws 1) / $(bench_median put.archivist 1)" 2) x (target >= 1.5);" \
	"archivist peak RSS $(calc "$(bench_median put.archivist 2) / 1024" 0) MB (target <= 300)"
echo "get: aws / archivist = $(calc "$(bench_median get.aws 1) / $(bench_median get.archivist 1)" 2) x;" \
	"archivist peak RSS $(calc "$(bench_median get.archivist 2) / 1024" 0) MB (target <= 300)"
echo "mock ceiling: one curl stream $(calc "$BYTES / 1048576 / $(bench_median put.curl 1)" 0) MiB/s up," \
	"$(calc "$BYTES / 1048576 / $(bench_median get.curl 1)" 0) MiB/s down; 4 streams" \
	"$(calc "$BYTES / 1048576 / $(bench_median put.curl4 1)" 0) up, $(calc "$BYTES / 1048576 / $(bench_median get.curl4 1)" 0) down"
for s in "${alts[@]}"; do
	echo "put to $s: aws / archivist = $(calc "$(bench_median "put.aws@$s" 1) / $(bench_median "put.archivist@$s" 1)" 2) x;" \
		"server CPU per run: archivist's $(bench_median "put.archivist@$s" 4) s, aws's $(bench_median "put.aws@$s" 4) s"
done
