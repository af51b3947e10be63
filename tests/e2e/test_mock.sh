#!/usr/bin/env bash
# The mock S3 server, checked by clients no one here wrote: boto3 (through
# mock_check.py), curl and the aws CLI.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import boto3' 2>/dev/null; then
	skip "mock checks with boto3" "python3 has no boto3 (apt-get install python3-boto3)"
	finish
	exit
fi

check "mockctl refuses a missing binary" \
	bash -c "! MOCK_BIN=/nonexistent '$ROOT/mocks/mockctl' start '$TMP/none' 0"
mock_start "$TMP/data" --min-part-size 5K --seed 7 --log "$TMP/requests.log" ||
	{ not_ok "the mock starts"; finish; exit; }
ok "the mock starts on a free port ($MOCK_PORT)"
check_eq "mockctl status" "$MOCK_PORT $MOCK_PID" \
	"$("$ROOT/mocks/mockctl" status "$MOCK_DIR")"

presign() {	# KEY SECONDS: a boto3-presigned GET URL
	python3 - "$MOCK_URL" "$1" "$2" <<'PY'
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="minioadmin", aws_secret_access_key="minioadmin",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("get_object", ExpiresIn=int(sys.argv[3]),
                                Params={"Bucket": "bkt", "Key": sys.argv[2]}))
PY
}
expiring=$(presign "range/k" 1)	# expired by the time it is used

# boto3: one line per check, "ok DESC" or "not ok DESC: DETAIL".
done_seen=0
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) not_ok "${line#not ok }" ;;
	done) done_seen=1 ;;
	*) echo "# $line" >&2 ;;
	esac
done < <(python3 "$ROOT/tests/e2e/mock_check.py" "$MOCK_URL" "$MOCK_DIR" \
	"$TMP/requests.log" "$TMP" 2>&1)
check_eq "boto3 checks ran to the end" 1 "$done_seen"

# curl: presigned URLs, keep-alive, the admin endpoint, unsigned requests.
url=$(presign "range/k" 60)
curl -fsS "$url" -o "$TMP/presigned" 2>"$TMP/curl.err"
check_eq "curl fetches a presigned URL" 1024 "$(stat -c %s "$TMP/presigned" 2>/dev/null)"
check_eq "curl: an expired presigned URL gets 403" 403 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$expiring")"
out=$(curl -sv "$MOCK_URL/_mock/ping" "$MOCK_URL/_mock/ping" 2>&1)
check_match "keep-alive: the second request reuses the connection" \
	"Re-using existing connection" "$out"
check_eq "a bad fault rule is refused" 400 \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary 'error 99' \
		"$MOCK_URL/_mock/faults")"
check_eq "unsigned GET without --anonymous-read: 403" 403 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$MOCK_URL/bkt/range/k")"

# The aws CLI (another botocore user, with its own transfer code).
if command -v aws >/dev/null 2>&1; then
	mock_env
	export AWS_CONFIG_FILE=$TMP/aws-config AWS_SHARED_CREDENTIALS_FILE=$TMP/none
	printf '[default]\ns3 =\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"
	head -c 300000 /dev/urandom >"$TMP/cli.bin"
	check "aws s3 cp up" aws --endpoint-url "$MOCK_URL" s3 cp "$TMP/cli.bin" \
		"s3://bkt/cli/file one.bin"
	check_match "aws s3 ls" "300000 file one.bin" \
		"$(aws --endpoint-url "$MOCK_URL" s3 ls s3://bkt/cli/ 2>&1)"
	aws --endpoint-url "$MOCK_URL" s3 cp "s3://bkt/cli/file one.bin" \
		"$TMP/cli.out" >/dev/null 2>&1
	check "aws s3 cp down: identical" cmp "$TMP/cli.bin" "$TMP/cli.out"
	check "aws s3 rm --recursive" aws --endpoint-url \
		"$MOCK_URL" s3 rm --recursive s3://bkt/cli/
	check_eq "... leaves nothing" "" \
		"$(aws --endpoint-url "$MOCK_URL" s3 ls s3://bkt/cli/ 2>&1)"
else
	skip "aws s3 cp and ls against the mock" "no aws CLI"
fi

# The pages of a listing share one walk of the tree until a write: a key
# added and one deleted between two pages show in the second.
check_eq "a write between two pages shows in the next page" "k0 k1 | k2 k4 k9" \
	"$(python3 - "$MOCK_URL" <<'PY'
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
    aws_access_key_id="minioadmin", aws_secret_access_key="minioadmin",
    config=Config(s3={"addressing_style": "path"}))
for i in range(5):
    s3.put_object(Bucket="bkt", Key="lc/k%d" % i, Body=b"x")
p1 = s3.list_objects_v2(Bucket="bkt", Prefix="lc/", MaxKeys=2)
s3.put_object(Bucket="bkt", Key="lc/k9", Body=b"x")
s3.delete_object(Bucket="bkt", Key="lc/k3")
p2 = s3.list_objects_v2(Bucket="bkt", Prefix="lc/", MaxKeys=10,
                        ContinuationToken=p1["NextContinuationToken"])
name = lambda p: " ".join(o["Key"][3:] for o in p.get("Contents", []))
print(name(p1), "|", name(p2))
for k in ("k0", "k1", "k2", "k4", "k9"):
    s3.delete_object(Bucket="bkt", Key="lc/" + k)
PY
)"

# A served directory tree, read anonymously (--no-sign-request clients).
mkdir -p "$TMP/tree/pub/dir"
echo "tree file" >"$TMP/tree/pub/dir/file.txt"
main_dir=$MOCK_DIR
mock_start "$TMP/tree" --anonymous-read || not_ok "a second mock starts"
check_eq "--anonymous-read: unsigned GET of a served file" "tree file" \
	"$(curl -s "$MOCK_URL/pub/dir/file.txt")"
check_eq "--anonymous-read: unsigned PUT still 403" 403 \
	"$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x \
		"$MOCK_URL/pub/new")"
if command -v aws >/dev/null 2>&1; then
	check_match "aws s3 ls --no-sign-request" "file.txt" \
		"$(aws --endpoint-url "$MOCK_URL" --no-sign-request s3 ls \
			s3://pub/dir/ 2>&1)"
fi

anon_dir=$MOCK_DIR

# --etag-sha256 (for benchmarks): the ETag is half the body's sha256,
# unless the client sends Content-MD5, which needs the MD5 anyway.
mkdir -p "$TMP/fast/bkt"
mock_start "$TMP/fast" --etag-sha256 || not_ok "a third mock starts"
check_eq "--etag-sha256: ETags from sha256, or MD5 with Content-MD5" \
	"$(printf 'fast body' | sha256sum | cut -c1-32) $(printf 'md5 body' | md5sum | cut -c1-32)" \
	"$(python3 - "$MOCK_URL" <<'PY'
import base64, hashlib, sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
    aws_access_key_id="minioadmin", aws_secret_access_key="minioadmin",
    config=Config(s3={"addressing_style": "path"}))
a = s3.put_object(Bucket="bkt", Key="a", Body=b"fast body")["ETag"].strip('"')
md5 = base64.b64encode(hashlib.md5(b"md5 body").digest()).decode()
b = s3.put_object(Bucket="bkt", Key="b", Body=b"md5 body", ContentMD5=md5)["ETag"].strip('"')
print(a, b)
PY
)"
check "the --etag-sha256 mock stops cleanly" mock_stop "$MOCK_DIR"

# SIGTERM: both stop cleanly (under build-san, with no leak report).
check "the anonymous mock stops cleanly" mock_stop "$anon_dir"
check "the main mock stops cleanly" mock_stop "$main_dir"
check "no temporary files left" test -z "$(ls -A "$main_dir/.mock-tmp")"
finish
