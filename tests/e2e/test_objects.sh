#!/usr/bin/env bash
# End-to-end: the object commands (ls, stat, get, put, presign) against the
# mock S3 server, checked with independent clients (boto3, curl, and the
# AWS CLI when installed): no-clobber, multipart, pagination, odd keys,
# retries, resumed downloads, clear errors and exit statuses.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$MOCK" ] || [ ! -x "$ROOT/mocks/mockctl" ]; then
	skip "object commands against the mock" "the mock server is not built"
	finish
	exit 0
fi
DATA="$TMP/data"
LOG="$TMP/requests.log"
mkdir -p "$DATA/bkt" "$DATA/pages"
if ! mock_start "$DATA" --log "$LOG"; then
	not_ok "mock server starts" "$(cat "$DATA/.mock-server.log" 2>/dev/null)"
	finish
	exit 1
fi
EP=$MOCK_URL

# Only what the test sets: no profile, no real ~/.aws.
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN AWS_DEFAULT_REGION
export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin AWS_REGION=us-east-1
export AWS_SHARED_CREDENTIALS_FILE="$TMP/no-credentials" AWS_CONFIG_FILE="$TMP/no-config"
export ARCHIVIST_PART_SIZE=5M
av() { "$AV" --endpoint "$EP" "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# boto3 as the independent client (lib.sh's boto): checks skip without it.
boto_find || true

head -c 100000 /dev/urandom >"$TMP/small"
head -c 100000 /dev/urandom >"$TMP/small2"
head -c 12000000 /dev/urandom >"$TMP/big"	# 3 parts of 5 MiB
head -c 12000000 /dev/urandom >"$TMP/big2"

# --- put, stat, get -------------------------------------------------------
check_status "put a new object" 0 av put "$TMP/small" s3://bkt/dir/small.bin
out=$(av --json stat s3://bkt/dir/small.bin)
check_match "stat gives size and the content's sha256" \
	"\"size\":100000.*\"sha256\":\"$(sha "$TMP/small")\"" "$out"
check "get to a file" av get s3://bkt/dir/small.bin "$TMP/got"
check "the download is the upload" cmp "$TMP/small" "$TMP/got"
av get s3://bkt/dir/small.bin - >"$TMP/got-stdout" 2>/dev/null
check "get to stdout" cmp "$TMP/small" "$TMP/got-stdout"
(cd "$TMP" && mkdir -p dl && cd dl && av get s3://bkt/dir/small.bin >/dev/null 2>&1)
check "get names the file after the key" cmp "$TMP/small" "$TMP/dl/small.bin"
check_eq "get leaves no temporary file" "small.bin" "$(ls "$TMP/dl")"

out=$(av -vv get s3://bkt/dir/small.bin - 2>&1 >/dev/null)
check_match "-vv logs each request" "debug: > GET $EP/bkt/dir/small.bin" "$out"
check_eq "... but no signature or credential" "" "$(echo "$out" | grep -iE 'signature|authorization|credential=')"

# --- no-clobber -----------------------------------------------------------
out=$(av put "$TMP/small" s3://bkt/dir/small.bin 2>&1); rc=$?
check_eq "put of identical content: exit 0" 0 "$rc"
check_match "... and says it is already there" "already there with the same content" "$out"
out=$(av put "$TMP/small2" s3://bkt/dir/small.bin 2>&1); rc=$?
check_eq "put of other content: exit 3 (conflict)" 3 "$rc"
check_match "... with both checksums in the message" "different object is already there.*$(sha "$TMP/small2")" "$out"
av get s3://bkt/dir/small.bin "$TMP/after" 2>/dev/null
check "... and the object is untouched" cmp "$TMP/small" "$TMP/after"
out=$(av --json put "$TMP/small2" s3://bkt/dir/small.bin 2>/dev/null)
check_match "put --json says conflict" '"result":"conflict"' "$out"

# --- multipart ------------------------------------------------------------
out=$(av --json put "$TMP/big" s3://bkt/big.tar.zst 2>/dev/null); rc=$?
check_eq "multipart put: exit 0" 0 "$rc"
check_match "... in 3 parts, sha256 of the whole file" \
	"\"sha256\":\"$(sha "$TMP/big")\",\"result\":\"created\",\"parts\":3" "$out"
av get s3://bkt/big.tar.zst "$TMP/big.got" 2>/dev/null
check "multipart object reads back intact" cmp "$TMP/big" "$TMP/big.got"
check_status "multipart put of other content: exit 3" 3 av put "$TMP/big2" s3://bkt/big.tar.zst
av get s3://bkt/big.tar.zst "$TMP/big.after" 2>/dev/null
check "... and the object is untouched" cmp "$TMP/big" "$TMP/big.after"
check_status "multipart put of identical content: exit 0" 0 av put "$TMP/big" s3://bkt/big.tar.zst

# --- transient failures ---------------------------------------------------
mock_fault 'error 503 SlowDown count=2 method=PUT'
check_status "put retries 503 SlowDown" 0 av put "$TMP/small2" s3://bkt/retried
mock_fault 'complete-error count=1'
check_status "multipart put retries a 200-with-Error Complete" 0 \
	av put "$TMP/big2" s3://bkt/big2-retried
av get s3://bkt/big2-retried "$TMP/big2.got" 2>/dev/null
check "... and the object is whole" cmp "$TMP/big2" "$TMP/big2.got"
mock_fault 'reset-response 4000000 count=2 method=GET key=big.tar.zst'
out=$(av -v get s3://bkt/big.tar.zst "$TMP/resumed" 2>&1); rc=$?
check_eq "get survives two connection resets mid-body" 0 "$rc"
check "... resuming to the exact bytes" cmp "$TMP/big" "$TMP/resumed"
check_eq "... after saying so twice" 2 \
	"$(echo "$out" | grep -cE "get 's3://bkt/big.tar.zst': .*; (resuming after [0-9]+ bytes|retrying)")"
check_eq "... from the byte reached (206 Partial Content)" '200 206 206' \
	"$(grep '"GetObject"' "$LOG" | grep '/bkt/big.tar.zst"' | tail -n 3 |
	   sed 's/.*"status":\([0-9]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
mock_fault 'skew 3600'
check_status "a server clock an hour off is corrected" 0 av stat s3://bkt/retried
mock_faults_clear

# --- odd keys --------------------------------------------------------------
keys=("sp ace/a b" "plus+equals=at@" "pct%20~tilde" "bang!quote'paren()star*"
	"unicode/é中文" "double//slash" "dot/./seg" "dotdot/../seg" "/leading")
for k in "${keys[@]}"; do
	av put "$TMP/small" "s3://bkt/odd/$k" >/dev/null 2>&1 || not_ok "put key '$k'"
done
if [ -n "$PY" ]; then
	listed=$(boto 'for o in s3.list_objects_v2(Bucket="bkt", Prefix="odd/")["Contents"]:
    print(o["Key"])')
	want=$(printf 'odd/%s\n' "${keys[@]}" | LC_ALL=C sort)
	check_eq "boto3 lists the odd keys byte for byte" "$want" "$(printf '%s\n' "$listed" | LC_ALL=C sort)"
else
	skip "boto3 lists the odd keys byte for byte" "no python3 with boto3"
fi
check_eq "archivist ls lists them too" "$(printf 'odd/%s\n' "${keys[@]}" | LC_ALL=C sort)" \
	"$(av ls s3://bkt/odd/ | sed 's/^[^ ]* *[0-9]*  //' | LC_ALL=C sort)"
bad=0
for k in "${keys[@]}"; do
	av get "s3://bkt/odd/$k" "$TMP/odd.got" >/dev/null 2>&1 && cmp -s "$TMP/small" "$TMP/odd.got" ||
		{ bad=1; echo "# get of '$k' failed" >&2; }
done
check_eq "every odd key reads back" 0 "$bad"

# --- pagination ------------------------------------------------------------
for i in $(seq -w 1 1105); do : >"$DATA/pages/k$i"; done
check_eq "ls follows every page (1,105 keys)" 1105 "$(av ls s3://pages | wc -l)"
check_eq "ls --json gives one object per key" 1105 "$(av --json ls s3://pages/k | grep -c '"key":"k')"
check_eq "ls -d / shows the common prefix once" "PRE  odd/" \
	"$(av ls -d / s3://bkt/od | sed 's/^ *//')"
if [ -n "$PY" ]; then
	theirs=$(boto 'p = s3.get_paginator("list_objects_v2")
for page in p.paginate(Bucket="pages"):
    for o in page.get("Contents", []): print(o["Key"])' | md5sum)
	check_eq "ls agrees with boto3's paginator" "$theirs" \
		"$(av ls s3://pages | awk '{print $3}' | md5sum)"
else
	skip "ls agrees with boto3's paginator" "no python3 with boto3"
fi

# --- errors ----------------------------------------------------------------
out=$(AWS_SECRET_ACCESS_KEY=not-the-secret av ls s3://bkt 2>&1); rc=$?
check_eq "bad secret key: exit 1" 1 "$rc"
check_match "... 403 SignatureDoesNotMatch with a hint" \
	"403 SignatureDoesNotMatch.*request id.*hint: the secret key does not match" "$(echo $out)"
check_eq "... and the secret is never printed" "" "$(echo "$out" | grep -F not-the-secret)"
out=$(AWS_ACCESS_KEY_ID=AKIDNOTKNOWN av stat s3://bkt/dir/small.bin 2>&1); rc=$?
check_eq "unknown access key on HEAD: exit 1" 1 "$rc"
out=$(av ls s3://no-such-bucket 2>&1); rc=$?
check_eq "unknown bucket: exit 1" 1 "$rc"
check_match "... NoSuchBucket with a hint" "404 NoSuchBucket.*hint: the bucket does not exist" "$(echo $out)"
out=$(av stat s3://bkt/no/such/key 2>&1); rc=$?
check_eq "stat of a missing key: exit 1" 1 "$rc"
check_match "... says no such object" "no such object \\(404\\)" "$out"
check_status "get of a missing key: exit 1" 1 av get s3://bkt/no/such/key "$TMP/nothing"
check_eq "... leaves no file" "" "$(ls "$TMP" | grep -e nothing)"
check_status "put with no arguments: exit 2" 2 av put
check_status "put of a missing file: exit 2" 2 av put "$TMP/absent" s3://bkt/x
check_status "get without a key: exit 2" 2 av get s3://bkt
check_status "a malformed URI: exit 2" 2 av ls http://bkt/
check_status "presign --expires 0: exit 2" 2 av presign --expires 0 s3://bkt/x
check_status "presign --expires above 7 days: exit 2" 2 av presign --expires 604801 s3://bkt/x
check_status "presign --no-sign-request: exit 2" 2 av --no-sign-request presign s3://bkt/x
check_status "a malformed endpoint: exit 2" 2 "$AV" --endpoint "ftp://x" ls s3://bkt
check_status "connection refused: exit 1" 1 env ARCHIVIST_MAX_ATTEMPTS=2 \
	"$AV" --endpoint http://127.0.0.1:1 ls s3://bkt

# --- presign ---------------------------------------------------------------
url=$(av presign --expires 300 s3://bkt/dir/small.bin)
check_match "presign prints a SigV4 URL" "^$EP/bkt/dir/small.bin\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&.*X-Amz-Expires=300&.*X-Amz-Signature=[0-9a-f]{64}$" "$url"
curl -fsS "$url" -o "$TMP/presigned" 2>/dev/null
check "curl fetches the object with it" cmp "$TMP/small" "$TMP/presigned"
last=${url: -1}
[ "$last" = 0 ] && other=1 || other=0	# always a different last digit
check_fails "a tampered URL is refused" curl -fsS "${url%?}$other" -o /dev/null
url=$(av presign "s3://bkt/odd/sp ace/a b")
curl -fsS "$url" -o "$TMP/presigned2" 2>/dev/null
check "presign encodes odd keys as signed" cmp "$TMP/small" "$TMP/presigned2"

# --- TLS -------------------------------------------------------------------
# A self-signed HTTPS server answering every GET with a one-key listing:
# refused without --ca-bundle, trusted with it.
if command -v openssl >/dev/null 2>&1 && [ -n "$PY" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.pem" \
		-out "$TMP/cert.pem" >/dev/null 2>&1
	"$PY" -c '
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>tls-ok</Key><Size>1</Size></Contents></ListBucketResult>"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True); s.serve_forever()' "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/tls.port" &
	tls_pid=$!
	on_exit "kill $tls_pid 2>/dev/null"
	for _ in $(seq 50); do [ -s "$TMP/tls.port" ] && break; sleep 0.1; done
	TLS="https://127.0.0.1:$(cat "$TMP/tls.port")"
	out=$("$AV" --endpoint "$TLS" ls s3://bkt 2>&1); rc=$?
	check_eq "an untrusted certificate: exit 1, not retried" "1 1" "$rc $(echo "$out" | grep -c error:)"
	check_match "... says so, with the --ca-bundle hint" "tls verification failed.*hint:.*--ca-bundle" "$(echo $out)"
	check_eq "--ca-bundle trusts it" "tls-ok" \
		"$("$AV" --endpoint "$TLS" --ca-bundle "$TMP/cert.pem" ls s3://bkt | awk '{print $3}')"
else
	skip "TLS verification and --ca-bundle" "needs openssl and python3"
fi

# --- interoperability ------------------------------------------------------
if [ -n "$PY" ]; then
	out=$(boto 'b = s3.get_object(Bucket="bkt", Key="big.tar.zst")
print(hashlib.sha256(b["Body"].read()).hexdigest(), b["Metadata"].get("sha256"))')
	check_eq "boto3 reads a multipart object archivist wrote" \
		"$(sha "$TMP/big") $(sha "$TMP/big")" "$out"
	boto 's3.put_object(Bucket="bkt", Key="from-boto/x.bin", Body=open(sys.argv[1], "rb"),
              Metadata={"origin": "boto3"})
s3.upload_file(sys.argv[2], "bkt", "from-boto/big.bin",
               Config=__import__("boto3.s3.transfer").s3.transfer.TransferConfig(
                   multipart_threshold=5 << 20, multipart_chunksize=5 << 20))' \
		"$TMP/small2" "$TMP/big2"
	av get s3://bkt/from-boto/x.bin "$TMP/fb" 2>/dev/null
	check "archivist reads an object boto3 wrote" cmp "$TMP/small2" "$TMP/fb"
	av get s3://bkt/from-boto/big.bin "$TMP/fbb" 2>/dev/null
	check "... and a multipart one" cmp "$TMP/big2" "$TMP/fbb"
	check_match "stat shows boto3's metadata" "origin: boto3" "$(av stat s3://bkt/from-boto/x.bin)"
	check_status "put of the same content over boto3's object: exit 0 (compared by reading)" \
		0 av put "$TMP/small2" s3://bkt/from-boto/x.bin
else
	for d in "boto3 reads a multipart object archivist wrote" "archivist reads boto3's objects"; do
		skip "$d" "no python3 with boto3"
	done
fi
if [ -n "$PY" ]; then
	check_eq "no multipart upload is left behind (conflicts were aborted)" 0 \
		"$(boto 'print(len(s3.list_multipart_uploads(Bucket="bkt").get("Uploads", [])))')"
fi
if command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; then
	aws --endpoint-url "$EP" s3 cp s3://bkt/big.tar.zst "$TMP/awscli.got" >/dev/null 2>&1
	check "aws s3 cp reads what archivist wrote" cmp "$TMP/big" "$TMP/awscli.got"
else
	skip "aws s3 cp reads what archivist wrote" "no aws CLI"
fi

finish
