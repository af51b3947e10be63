#!/usr/bin/env bash
# End-to-end: a bucket with a history (tests/e2e/fixture_bucket.py: retired
# stacks, vendored libraries, objects made elsewhere, a pre-release, arm64)
# on the mock: audit, migrate --dry-run, migrate, manifest (sources of each
# checksum, --reuse), publish --replace / --if-match.  The same flow runs
# against moto in test_history_moto.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/history_lib.sh"

workflow_setup "$TMP/data"
S3_URL=$MOCK_URL
SERVER=mock
# The mock gives x-amz-checksum-type FULL_OBJECT, as S3 does for a PutObject.
FULL_OBJECT_SOURCE=x-amz-checksum-sha256 FULL_OBJECT_COUNT=1 REUSED_COUNT=4
history_flow

# --- a write by someone else between the HEAD and the upload ----------------
# The HEAD's reply is held 6 s; meanwhile another client (boto3, which
# takes a second or two to start) replaces the object; the upload's
# If-Match on the ETag read must then fail (412).
key=python-3.12.3-ubuntu-22.04-amd64.tar.zst
mock_fault "stall 6 op=HeadObject count=1"
av --json publish "$TMP/python-3.12.3.tar.gz" --to "$B" --target ubuntu-22.04-amd64 --level 3 \
	--replace >"$TMP/race.out" 2>"$TMP/race.err" & pid=$!
sleep 1
boto 's3.put_object(Bucket=sys.argv[1], Key=sys.argv[2], Body=b"theirs")' "$BKT" "$key"
wait "$pid"; rc=$?
mock_faults_clear
check_eq "a write in between: exit 3" 3 "$rc"
check_match "... said so: nothing replaced" "changed or vanished since its ETag .* was read.*nothing replaced" \
	"$(cat "$TMP/race.err")"
check_eq "... their object stands" "theirs" \
	"$(boto 'print(s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"].read().decode())' "$BKT" "$key")"

# --- the same race on a multipart upload: If-Match on the Complete ----------
key=python-3.12.3-ubuntu-26.04-amd64.tar.zst
mock_fault "stall 6 op=UploadPart count=1"
ARCHIVIST_PART_SIZE=5M av --json publish "$TMP/fx/big.tar.zst" --as-is --version 3.12.3 --to "$B" \
	--target ubuntu-26.04-amd64 --replace >"$TMP/race.out" 2>"$TMP/race.err" & pid=$!
sleep 1
boto 's3.put_object(Bucket=sys.argv[1], Key=sys.argv[2], Body=b"theirs")' "$BKT" "$key"
wait "$pid"; rc=$?
mock_faults_clear
check_eq "multipart: a write in between: exit 3" 3 "$rc"
check_eq "... their object stands" "theirs" \
	"$(boto 'print(s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"].read().decode())' "$BKT" "$key")"
check_eq "... and no upload is left behind" 0 \
	"$(boto 'print(len(s3.list_multipart_uploads(Bucket=sys.argv[1]).get("Uploads", [])))' "$BKT")"
mark=$(log_mark)
out=$(ARCHIVIST_PART_SIZE=5M av --json publish "$TMP/fx/big.tar.zst" --as-is --version 3.12.3 --to "$B" \
	--target ubuntu-26.04-amd64 --replace); rc=$?
check_eq "multipart: --replace replaces it" "0 replaced" "$rc $(printf '%s\n' "$out" | jsonl 'print(lines[-1]["result"])')"
check_eq "... in parts, with If-Match on the Complete" 1 \
	"$(log_since "$mark" | grep -c '"op":"CompleteMultipartUpload".*"status":200')"
check "the mock exits cleanly" mock_stop
finish
