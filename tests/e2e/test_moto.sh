#!/usr/bin/env bash
# End-to-end against a second S3 server: moto, behind a front that checks
# each request's signature with botocore (tests/e2e/moto_front.py).  The
# objects and workflows run here as against the mock, and every request
# archivist sends must pass botocore's check.  Skipped, by name, when moto
# is not installed.
. "$(dirname "$0")/lib.sh"

moto_setup
av() { "$AV" --no-progress "$@"; }
boto 's3.create_bucket(Bucket="bkt")'

# --- the front: botocore's signature check, independent of archivist ----
# raw METHOD PATH [SECRET] [MUTATE]: a request signed by botocore (with
# SECRET, default the right one), MUTATE applied to it after signing;
# prints the status the front answered.
raw() {
	"$PY" - "$MOTO_URL" "$@" <<'PY'
import sys, http.client, datetime
from urllib.parse import urlsplit
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, method, path = sys.argv[1:4]
secret = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else "minioadmin"
mutate = sys.argv[5] if len(sys.argv) > 5 else ""
body = b"payload" if method == "PUT" else b""
req = AWSRequest(method=method, url=url + path, data=body)
S3SigV4Auth(Credentials("minioadmin", secret), "s3", "us-east-1").add_auth(req)
h = dict(req.headers.items())
if mutate == "path":
    path = path + "x"
elif mutate == "body":
    body = b"PAYLOAD"
elif mutate == "sha":
    h["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
elif mutate == "anon":
    del h["Authorization"]
elif mutate == "date":
    d = h["X-Amz-Date"]	# the same day, another second
    h["X-Amz-Date"] = d[:-3] + ("01Z" if d[-3:] != "01Z" else "02Z")
c = http.client.HTTPConnection(urlsplit(url).netloc)
c.request(method, path, body=body, headers=h)
print(c.getresponse().status)
PY
}
check_eq "front: a request signed by botocore passes" 200 "$(raw PUT /bkt/raw)"
check_eq "front: the wrong secret is refused" 403 "$(raw GET /bkt/raw wrong)"
check_eq "front: a path other than the signed one is refused" 403 "$(raw GET /bkt/raw '' path)"
check_eq "front: a body other than the signed one is refused" 400 "$(raw PUT /bkt/raw '' body)"
check_eq "front: a payload hash other than the signed one is refused" 403 "$(raw PUT /bkt/raw '' sha)"
check_eq "front: an unsigned request is refused" 403 "$(raw GET /bkt/raw '' anon)"
check_eq "front: a date other than the signed one is refused" 403 "$(raw GET /bkt/raw '' date)"
check_eq "front: curl's own SigV4 passes" 200 "$(curl -s -o /dev/null -w '%{http_code}' \
	--aws-sigv4 aws:amz:us-east-1:s3 --user minioadmin:minioadmin \
	-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
	"$MOTO_URL/bkt/raw")"

# archivist with the wrong secret: refused by botocore's check, exit 1.
echo hello >"$TMP/f"
mark=$(log_mark)
check_status "archivist with the wrong secret: exit 1" 1 \
	env AWS_SECRET_ACCESS_KEY=wrong "$AV" --no-progress put "$TMP/f" s3://bkt/wrong
check_match "  ... refused as SignatureDoesNotMatch" '"auth": "SignatureDoesNotMatch"' "$(log_since "$mark")"
check_eq "  ... and nothing was written" "absent" \
	"$(boto '
try: s3.head_object(Bucket="bkt", Key="wrong"); print("present")
except Exception: print("absent")')"
finish
