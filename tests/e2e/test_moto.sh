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
# raw: requests signed by botocore, each line of stdin "METHOD PATH SECRET
# MUTATE" (SECRET - for the right one, MUTATE applied after signing, - for
# none); prints the status the front answered to each, one per line.
raw() {
	"$PY" -c '
import sys, http.client
from urllib.parse import urlsplit
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url = sys.argv[1]
for line in sys.stdin:
    method, path, secret, mutate = line.split()
    secret = "minioadmin" if secret == "-" else secret
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
    elif mutate == "date":	# the same day, another second
        d = h["X-Amz-Date"]
        h["X-Amz-Date"] = d[:-3] + ("01Z" if d[-3:] != "01Z" else "02Z")
    c = http.client.HTTPConnection(urlsplit(url).netloc)
    c.request(method, path, body=body, headers=h)
    print(c.getresponse().status)
' "$MOTO_URL"
}
got=$(raw <<'EOF'
PUT /bkt/raw - -
GET /bkt/raw wrong -
GET /bkt/raw - path
PUT /bkt/raw - body
PUT /bkt/raw - sha
GET /bkt/raw - anon
GET /bkt/raw - date
EOF
)
n=0
for d in "a request signed by botocore passes:200" "the wrong secret is refused:403" \
	"a path other than the signed one is refused:403" \
	"a body other than the signed one is refused:400" \
	"a payload hash other than the signed one is refused:403" \
	"an unsigned request is refused:403" "a date other than the signed one is refused:403"; do
	n=$((n + 1))
	check_eq "front: ${d%:*}" "${d##*:}" "$(sed -n "${n}p" <<<"$got")"
done
check_eq "front: curl's own SigV4 passes" 200 "$(curl -s -o /dev/null -w '%{http_code}' \
	--aws-sigv4 aws:amz:us-east-1:s3 --user minioadmin:minioadmin \
	-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
	"$MOTO_URL/bkt/raw")"

# archivist with the wrong secret: refused by botocore's check, exit 1.
echo hello >"$TMP/f"
mark=$(log_mark)
check_status "archivist with the wrong secret: exit 1" 1 \
	env AWS_SECRET_ACCESS_KEY=wrong "$AV" --no-progress put "$TMP/f" s3://bkt/wrong
check_match "  ... refused as SignatureDoesNotMatch" '"auth":"SignatureDoesNotMatch"' "$(log_since "$mark")"
check_eq "  ... and nothing was written" "absent" \
	"$(boto '
try: s3.head_object(Bucket="bkt", Key="wrong"); print("present")
except Exception: print("absent")')"

# Every request archivist sends from here on must pass botocore's check.
start=$(log_mark)
sha() { sha256sum "$1" | cut -d' ' -f1; }
# obj_sha BUCKET KEY: the sha256 of the object's bytes, read by boto3.
obj_sha() {
	boto 'print(hashlib.sha256(s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"].read()).hexdigest())' "$@"
}
# writes MARK: one line per write since MARK: "METHOD path if-none-match checksum-headers"
writes() {
	log_since "$1" | "$PY" -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["method"] in ("PUT", "POST") and o["auth"] == "ok":
        print(o["method"], o["path"], o["query"].split("=")[0] or "-", o["if_none_match"], ",".join(o["checksum"]) or "-")'
}

# --- put, get, stat, multipart, conditional writes ----------------------
export ARCHIVIST_PART_SIZE=5M
head -c 100000 /dev/urandom >"$TMP/small"
head -c 100000 /dev/urandom >"$TMP/small2"
head -c 12000000 /dev/urandom >"$TMP/big"	# 3 parts of 5 MiB
head -c 12000000 /dev/urandom >"$TMP/big2"
mark=$(log_mark)
check_status "put a new object" 0 av put "$TMP/small" "s3://bkt/dir/a b+c~.bin"
check_eq "... boto3 reads the same bytes" "$(sha "$TMP/small")" "$(obj_sha bkt "dir/a b+c~.bin")"
check_eq "... sent with If-None-Match: * and a sha256 checksum" \
	"PUT /bkt/dir/a b+c~.bin - * x-amz-checksum-sha256" "$(writes "$mark")"
check_match "stat gives size and sha256" "\"size\":100000.*\"sha256\":\"$(sha "$TMP/small")\"" \
	"$(av --json stat "s3://bkt/dir/a b+c~.bin")"
check "get" av get "s3://bkt/dir/a b+c~.bin" "$TMP/got"
check "... the download is the upload" cmp "$TMP/small" "$TMP/got"
check_status "put of other content: exit 3" 3 av put "$TMP/small2" "s3://bkt/dir/a b+c~.bin"
check_eq "... the object is untouched" "$(sha "$TMP/small")" "$(obj_sha bkt "dir/a b+c~.bin")"
mark=$(log_mark)
out=$(av --json put "$TMP/big" s3://bkt/big.tar.zst 2>/dev/null); rc=$?
check_eq "multipart put: exit 0" 0 "$rc"
check_match "... in 3 parts" '"result":"created","parts":3' "$out"
check_eq "... boto3 reads the same bytes" "$(sha "$TMP/big")" "$(obj_sha bkt big.tar.zst)"
check_eq "... Complete sent with If-None-Match: *, parts with checksums" \
"POST /bkt/big.tar.zst uploadId * -
POST /bkt/big.tar.zst uploads None x-amz-checksum-algorithm
PUT /bkt/big.tar.zst partNumber None x-amz-checksum-sha256
PUT /bkt/big.tar.zst partNumber None x-amz-checksum-sha256
PUT /bkt/big.tar.zst partNumber None x-amz-checksum-sha256" "$(writes "$mark" | LC_ALL=C sort)"
check "get of the multipart object" av get s3://bkt/big.tar.zst "$TMP/big.got"
check "... reads back intact" cmp "$TMP/big" "$TMP/big.got"
r=$(boto 'print(s3.get_object(Bucket="bkt", Key="big.tar.zst", Range="bytes=0-0")["ContentLength"])')
check_eq "(moto honours Range)" 1 "$r"

# another writer gets there between archivist's check and its write: moto
# answers 412, archivist reports a conflict, the other bytes stay.
moto_race "bkt/race-put"
out=$(av put "$TMP/small" s3://bkt/race-put 2>&1); rc=$?
check_eq "PutObject losing a race: exit 3" 3 "$rc"
check_match "... reported as a conflict" "conflict|different object|already" "$out"
check_eq "... the other writer's bytes stay" "written by another writer" \
	"$(boto 'print(s3.get_object(Bucket="bkt", Key="race-put")["Body"].read().decode())')"
check_match "... moto answered 412" '"path":"/bkt/race-put".*"status":412' "$(log_since "$mark")"
check_eq "... and the refused write was not sent again" 1 \
	"$(log_since "$mark" | grep '"method":"PUT"' | grep -c '"path":"/bkt/race-put"')"
moto_race "bkt/race-mpu"
out=$(av put "$TMP/big" s3://bkt/race-mpu 2>&1); rc=$?
check_eq "CompleteMultipartUpload losing a race: exit 3" 3 "$rc"
check_eq "... the other writer's bytes stay" "written by another writer" \
	"$(boto 'print(s3.get_object(Bucket="bkt", Key="race-mpu")["Body"].read().decode())')"
check_match "... moto answered 412 to Complete" '"method":"POST","path":"/bkt/race-mpu","query":"uploadId=[^"]*","status":412' \
	"$(log_since "$mark" | sed 's/"checksum":[^]]*],//; s/"if_none_match":[^,]*,//; s/"auth":"ok",//; s/,"time":"[^"]*"//')"
check_eq "... and the refused Complete was not sent again" 1 \
	"$(log_since "$mark" | grep '"method":"POST"' | grep '"path":"/bkt/race-mpu"' | grep -c '"query":"uploadId=')"
check_eq "... and no multipart upload is left" 0 \
	"$(boto 'print(len(s3.list_multipart_uploads(Bucket="bkt").get("Uploads", [])))')"

# listing: more keys than one page (pages of 10 here)
boto 'for i in range(25): s3.put_object(Bucket="bkt", Key="many/k%04d" % i, Body=b"")'
moto_max_keys 10
mark=$(log_mark)
check_eq "ls follows the continuation token (25 keys, pages of 10)" \
	"$(seq -f 'many/k%04g' 0 24)" "$(timeout 60 "$AV" ls s3://bkt/many/ | awk '{print $NF}')"
check_eq "... in 3 requests, the later two with the token" "0 1 1" \
	"$(log_since "$mark" | "$PY" -c 'import json, sys
print(*[int("continuation-token=" in json.loads(l)["query"]) for l in sys.stdin])')"
moto_max_keys 1000

# --- publish ------------------------------------------------------------
W="$TMP/work"
mkdir -p "$W"
mk() { MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$1" json >/dev/null; }
mk "$W/python-3.11.2.tar.gz"
gzip -dc "$W/python-3.11.2.tar.gz" >"$W/legacy.tar"
boto 's3.create_bucket(Bucket="rel")'
out=$(av --json publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3); rc=$?
check_eq "publish: exit 0" 0 "$rc"
K=python-3.11.2-ubuntu-22.04-amd64.tar.zst
boto 's3.download_file("rel", sys.argv[1], sys.argv[2])' "$K" "$TMP/pub.tar.zst"
zstd -q -d -f "$TMP/pub.tar.zst" -o "$TMP/pub.tar"
check "... the object holds the input after the pyc transform" \
	"$PY" "$ROOT/tests/e2e/compare_runtime.py" "$W/legacy.tar" "$TMP/pub.tar" unchecked-hash drop
check_eq "... its sha256 is the one printed" \
	"$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')" "$(obj_sha rel "$K")"
check_status "republishing the same input: exit 0" 0 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3
check_status "other content at the key: exit 3" 3 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 5
check_eq "... the object is untouched" "$(sha "$TMP/pub.tar.zst")" "$(obj_sha rel "$K")"

# --- migrate ------------------------------------------------------------
boto 's3.create_bucket(Bucket="leg")'
cp "$W/python-3.11.2.tar.gz" "$W/a.tar.gz"
cp "$W/python-3.11.2.tar.gz" "$W/b.tar.gz"
boto 'for k, f in zip(sys.argv[1::2], sys.argv[2::2]): s3.upload_file(f, "leg", k)' \
	heroku-20/runtimes/python-3.11.2.tar.gz "$W/a.tar.gz" \
	heroku-22/runtimes/python-3.12.1.tar.gz "$W/b.tar.gz" \
	heroku-22/runtimes/python-3.12.tar.gz "$W/b.tar.gz"
before=$(boto 'print(sorted((o["Key"], o["ETag"]) for o in s3.list_objects_v2(Bucket="leg")["Contents"]))')
out=$(av migrate --from s3://leg --to s3://leg --level 3 2>"$TMP/err"); rc=$?
check_eq "migrate: exit 1 (an invalid key)" 1 "$rc"
check_match "... summary counts" "done: 2 created, 0 skipped, 0 conflict\(s\), 1 invalid, 0 failed" "$out"
for k in python-3.11.2-ubuntu-20.04-amd64:a python-3.12.1-ubuntu-22.04-amd64:b; do
	boto 's3.download_file("leg", sys.argv[1], sys.argv[2])' "${k%:*}.tar.zst" "$TMP/m.tar.zst"
	zstd -q -d -f "$TMP/m.tar.zst" -o "$TMP/m.tar"
	gzip -dc "$W/${k#*:}.tar.gz" >"$TMP/l.tar"
	check "... ${k%:*} holds its legacy content after the transform" \
		"$PY" "$ROOT/tests/e2e/compare_runtime.py" "$TMP/l.tar" "$TMP/m.tar" unchecked-hash drop
done
check_eq "... legacy objects untouched" "$before" \
	"$(boto 'print(sorted((o["Key"], o["ETag"]) for o in s3.list_objects_v2(Bucket="leg")["Contents"] if o["Key"].endswith(".gz")))')"
mark=$(log_mark)
out=$(av migrate --from s3://leg --to s3://leg --level 3 --stack heroku-20 --stack heroku-22 --manifest "$TMP/mig.json" 2>/dev/null); rc=$?
check_eq "a rerun: exit 1 (the invalid key again)" 1 "$rc"
check_match "... skips what is done" "done: 0 created, 2 skipped" "$out"
check_eq "... and writes nothing" "" "$(writes "$mark")"

# --- manifest -------------------------------------------------------------
check "manifest (json)" av manifest s3://leg -o "$TMP/man.json"
check "manifest (toml)" av manifest s3://leg --format toml -o "$TMP/man.toml"
check_eq "the manifests list what was made, with checksums boto3 agrees with" ok "$(boto '
import tomllib
for path in sys.argv[1:]:
    if path.endswith(".toml"):
        arts = {x["url"].rsplit("/", 1)[1]: x for x in tomllib.load(open(path, "rb"))["artifacts"]}
    else:
        arts = {a["key"]: a for a in json.load(open(path))["artifacts"]}
    assert sorted(arts) == ["python-3.11.2-ubuntu-20.04-amd64.tar.zst", "python-3.12.1-ubuntu-22.04-amd64.tar.zst"], (path, sorted(arts))
    for k, a in arts.items():
        body = s3.get_object(Bucket="leg", Key=k)["Body"].read()
        assert a["checksum"] == "sha256:" + hashlib.sha256(body).hexdigest(), (path, k)
print("ok")' "$TMP/man.json" "$TMP/man.toml" "$TMP/mig.json")"

# --- audit ----------------------------------------------------------------
out=$(av audit s3://leg --deep --ignore heroku-22/runtimes/python-3.12.tar.gz); rc=$?
check_eq "audit of the migrated bucket: exit 0" 0 "$rc"
check_match "... checked in depth against the sources" "2 archive\(s\) checked in depth; 0 problem" "$out"
boto 'b = open(sys.argv[1], "rb").read()
s3.put_object(Bucket="leg", Key="python-3.9.5-ubuntu-22.04-amd64.tar.zst", Body=b, Metadata={"sha256": "0" * 64})
s3.put_object(Bucket="leg", Key="python-3.9.3-ubuntu-22.04-amd64.tar.zst", Body=b"x")' "$TMP/m.tar.zst"
out=$(av audit s3://leg --deep --ignore heroku-22/runtimes/python-3.12.tar.gz 2>/dev/null); rc=$?
check_eq "audit with problems planted by boto3: exit 1" 1 "$rc"
check_match "... checksum mismatch found" "^checksum +python-3.9.5-ubuntu-22.04-amd64.tar.zst" "$out"
check_match "... missing checksum found" "^no-checksum +python-3.9.3-ubuntu-22.04-amd64.tar.zst" "$out"

# --- presign: a URL botocore's check accepts, with curl ---------------------
url=$(av presign s3://bkt/big.tar.zst --expires 300 2>/dev/null)
check_eq "a presigned URL is accepted (curl, no credentials)" "$(sha "$TMP/big")" \
	"$(curl -fsS "$url" | sha256sum | cut -d' ' -f1)"

check_eq "no request archivist sent was refused by botocore's check" "" "$(moto_rejected "$start")"
finish
