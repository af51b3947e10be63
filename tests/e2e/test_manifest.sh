#!/usr/bin/env bash
# archivist manifest against the mock: both formats checked with Python's
# tomllib and json against objects downloaded independently with boto3,
# --compute-missing, atomic -o, and the conditional --upload.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import boto3, tomllib' 2>/dev/null; then
	skip "manifest e2e" "needs python3 with boto3 and tomllib"
	finish
	exit
fi

if ! mock_start "$TMP/data"; then
	not_ok "mock server starts"
	finish
	exit
fi
mock_env
unset AWS_ENDPOINT_URL_S3 ARCHIVIST_CONFIG SOURCE_DATE_EPOCH
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export ARCHIVIST_MAX_ATTEMPTS=2
PY="$TMP/s3.py"

# s3.py CMD ARGS: the independent client (boto3) used to seed and check.
cat >"$PY" <<'EOF'
import base64, hashlib, json, os, sys, tomllib
import boto3
from botocore.config import Config

s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
B = "runtimes"

def seed():
    s3.create_bucket(Bucket=B)
    def put(key, data, how, meta=None):
        kw = {"Bucket": B, "Key": key, "Body": data, "Metadata": meta or {}}
        if how == "checksum":
            kw["ChecksumSHA256"] = base64.b64encode(hashlib.sha256(data).digest()).decode()
        elif how == "meta":
            kw["Metadata"]["sha256"] = hashlib.sha256(data).hexdigest()
        s3.put_object(**kw)
    legacy = os.urandom(3000)
    put("py/heroku-22/runtimes/python-3.12.3.tar.gz", legacy, "checksum")
    put("py/python-3.12.3-ubuntu-22.04-amd64.tar.zst", os.urandom(1500), "checksum", {
        "archivist-source-key": "py/heroku-22/runtimes/python-3.12.3.tar.gz",
        "archivist-source-size": "3000",
        "archivist-source-sha256": hashlib.sha256(legacy).hexdigest()})
    put("py/python-3.13.0rc1-ubuntu-24.04-arm64.tar.zst", os.urandom(1200), "meta")
    put("py/python-3.10.0-ubuntu-24.04-amd64.tar.zst", os.urandom(900), "checksum")
    put("py/python-3.9.18-ubuntu-26.04-amd64.tar.zst", os.urandom(700), "none")
    put("py/python-3.12-ubuntu-22.04-amd64.tar.zst", b"bad version", "checksum")
    put("py/README.txt", b"not a runtime", "none")
    put("python-3.11.0-ubuntu-22.04-amd64.tar.zst", b"outside the prefix", "checksum")

def objects():
    """key -> (size, sha256) of every new-scheme object, read with GET."""
    out = {}
    for o in s3.list_objects_v2(Bucket=B, Prefix="py/python-")["Contents"]:
        if o["Key"].endswith(".tar.zst") and "python-3.12-" not in o["Key"]:
            body = s3.get_object(Bucket=B, Key=o["Key"])["Body"].read()
            out[o["Key"]] = (len(body), hashlib.sha256(body).hexdigest())
    return out

STACKS = {"26.04": ["heroku-26"], "22.04": ["heroku-22"], "24.04": ["heroku-24"]}

def check_toml(path, base):
    with open(path, "rb") as f:
        arts = tomllib.load(f)["artifacts"]
    want = objects()
    assert len(arts) == len(want), (len(arts), sorted(want))
    for a in arts:
        key = a["url"][len(base) + 1:]
        size, sha = want[key]
        assert a["checksum"] == "sha256:" + sha, key
        name = key.split("/")[-1][:-len(".tar.zst")].split("-")
        assert [a["metadata"]["python_version"], a["metadata"]["distro_name"],
                a["metadata"]["distro_version"], a["arch"]] == name[1:], (a, name)
        assert a["os"] == "linux"
        assert a["metadata"]["stacks"] == STACKS[name[3]], a
    versions = [a["version"] for a in arts]
    assert versions == ["3.9.18", "3.10.0", "3.12.3", "3.13.0-rc1"], versions

def check_json(path):
    with open(path) as f:
        m = json.load(f)
    want = objects()
    assert m["bucket"] == B and m["prefix"] == "py/", m
    assert m["generated_at"] == "2024-05-01T00:00:00Z", m["generated_at"]
    assert m["stacks"]["heroku-24"]["arches"] == ["amd64", "arm64"]
    assert [a["key"] for a in m["artifacts"]] == [
        "py/python-3.9.18-ubuntu-26.04-amd64.tar.zst",
        "py/python-3.10.0-ubuntu-24.04-amd64.tar.zst",
        "py/python-3.12.3-ubuntu-22.04-amd64.tar.zst",
        "py/python-3.13.0rc1-ubuntu-24.04-arm64.tar.zst"]
    for a in m["artifacts"]:
        assert (a["size"], a["checksum"]) == (want[a["key"]][0], "sha256:" + want[a["key"]][1])
        assert a["url"] == m["base_url"] + "/" + a["key"]
    src = m["artifacts"][2]["legacy_source"]
    legacy = s3.get_object(Bucket=B, Key=src["key"])["Body"].read()
    assert src == {"key": "py/heroku-22/runtimes/python-3.12.3.tar.gz", "size": len(legacy),
                   "checksum": "sha256:" + hashlib.sha256(legacy).hexdigest()}, src
    assert all("legacy_source" not in a for i, a in enumerate(m["artifacts"]) if i != 2)

def same(key, path):
    body = s3.get_object(Bucket=B, Key=key)["Body"].read()
    assert body == open(path, "rb").read(), key

def etag(key):
    print(s3.head_object(Bucket=B, Key=key)["ETag"])

def put(key, data):
    s3.put_object(Bucket=B, Key=key, Body=data.encode())

def add():
    s3.put_object(Bucket=B, Key="py/python-3.14.0a7-ubuntu-26.04-arm64.tar.zst",
                  Body=b"new", ChecksumSHA256=base64.b64encode(hashlib.sha256(b"new").digest()).decode())

globals()[sys.argv[1]](*sys.argv[2:])
EOF

py() { python3 "$PY" "$@"; }
check "seed the bucket with boto3" py seed

BASE="$MOCK_URL/runtimes"
export SOURCE_DATE_EPOCH=1714521600

# A key that records no sha256 fails the run unless --compute-missing.
"$AV" manifest s3://runtimes/py >"$TMP/out" 2>"$TMP/err"
check_eq "an object without sha256 fails the run (exit 1)" 1 $?
check_eq "nothing on stdout then" "" "$(cat "$TMP/out")"
check_match "it names the object and the flag" \
	"python-3.9.18-ubuntu-26.04-amd64.tar.zst' records no sha256.*--compute-missing" \
	"$(cat "$TMP/err")"
check_match "the bad version is a warning" "skipping .*python-3.12-ubuntu.*fewer than 3" \
	"$(cat "$TMP/err")"

check "toml with --compute-missing" "$AV" manifest s3://runtimes/py --format toml \
	--compute-missing --base-url "$BASE" -o "$TMP/inv.toml"
check "toml: tomllib reads it; checksums match boto3 downloads" \
	py check_toml "$TMP/inv.toml" "$BASE"

check "json" "$AV" manifest s3://runtimes/py/ --compute-missing -o "$TMP/m.json"
check "json: fields, order, legacy source, checksums match boto3" py check_json "$TMP/m.json"
"$AV" manifest s3://runtimes/py --compute-missing >"$TMP/m2.json" 2>/dev/null
check "json on stdout is the same bytes (deterministic)" cmp "$TMP/m.json" "$TMP/m2.json"

# -o is atomic: a failed run leaves the old file, no temporary remains.
echo "old" >"$TMP/keep.json"
check_status "a failing run exits 1" 1 "$AV" manifest s3://runtimes/py -o "$TMP/keep.json"
check_eq "and leaves the old -o file alone" "old" "$(cat "$TMP/keep.json")"
check "a good run replaces it" "$AV" manifest s3://runtimes/py --compute-missing -o "$TMP/keep.json"
check "with the full manifest" cmp "$TMP/m.json" "$TMP/keep.json"
check_eq "no temporary files left" "" "$(ls "$TMP" | grep -E '\.json\.' || true)"

# --upload: created when absent, untouched when unchanged, replaced with
# If-Match, and a conflict when someone else wrote meanwhile.
check "upload creates the manifest" "$AV" manifest s3://runtimes/py --compute-missing \
	--format toml --base-url "$BASE" --upload py/inventory.toml
check "the uploaded manifest is the toml above" py same py/inventory.toml "$TMP/inv.toml"
E1=$(py etag py/inventory.toml)
check_match "boto3 reads its ETag" '^"[0-9a-f]{32}"$' "$E1"
check "upload again, nothing changed" "$AV" manifest s3://runtimes/py --compute-missing \
	--format toml --base-url "$BASE" --upload py/inventory.toml
check_eq "the object was not rewritten" "$E1" "$(py etag py/inventory.toml)"
py add
check "a new artifact: upload replaces (If-Match)" "$AV" manifest s3://runtimes/py \
	--compute-missing --format toml --base-url "$BASE" --upload py/inventory.toml \
	-o "$TMP/inv2.toml"
check "the replacement is the new manifest" py same py/inventory.toml "$TMP/inv2.toml"
check_match "which lists 3.14.0a7" 'version = "3.14.0a7"' "$(cat "$TMP/inv2.toml")"

# Someone else writes the manifest while the listing stalls (archivist
# reads its ETag first, boto3 writes ~1 s later, archivist PUTs after 6 s: room for a slow
# python start on a busy machine).
mock_fault "stall 6 op=ListObjectsV2 count=1"
"$AV" manifest s3://runtimes/py --compute-missing --format toml --upload py/inventory.toml \
	>"$TMP/out" 2>"$TMP/err" &
AVPID=$!
sleep 0.3
py put py/inventory.toml "written by someone else"
wait $AVPID
check_eq "a concurrent write is a conflict (exit 3)" 3 $?
check_match "it says so" "changed since it was read" "$(cat "$TMP/err")"
echo -n "written by someone else" >"$TMP/theirs"
check "their manifest is left untouched" py same py/inventory.toml "$TMP/theirs"

mock_fault "stall 6 op=ListObjectsV2 count=1"
"$AV" manifest s3://runtimes/py --compute-missing --upload py/new.json >"$TMP/out" 2>&1 &
AVPID=$!
sleep 0.3
py put py/new.json "created meanwhile"
wait $AVPID
check_eq "created meanwhile is a conflict too (If-None-Match)" 3 $?

# Failures: HEAD errors fail the run; usage and configuration errors are 2.
mock_fault "error 500 InternalError op=HeadObject key=*3.10.0*"
check_status "a HEAD failing after retries: exit 1" 1 "$AV" manifest s3://runtimes/py \
	--compute-missing -o "$TMP/never.json"
check_eq "and no file" "no" "$([ -e "$TMP/never.json" ] && echo yes || echo no)"
mock_faults_clear
out=$("$AV" --json manifest s3://runtimes/py --compute-missing -o "$TMP/j.json" 2>/dev/null)
check "--json: one summary line" python3 -c "import json, sys
d = json.loads(sys.argv[1])
assert (d['artifacts'], d['hashed'], d['uploaded']) == (5, 1, False), d" "$out"
check_status "bad --format: exit 2" 2 "$AV" manifest s3://runtimes/py --format yaml
check_status "no URI: exit 2" 2 "$AV" manifest
echo '{"name": "python"}' >"$TMP/bad.json"
"$AV" --config "$TMP/bad.json" manifest s3://runtimes/py >"$TMP/out" 2>&1
check_eq "a bad config: exit 2" 2 $?
check_match "naming the file and field" "bad.json: missing field 'base_url'" "$(cat "$TMP/out")"
check "ruby config: no python artifact is listed" sh -c \
	"'$AV' --config '$ROOT/config/ruby-example.json' manifest s3://runtimes/py --format toml | grep -qx 'artifacts = \[\]'"

finish
