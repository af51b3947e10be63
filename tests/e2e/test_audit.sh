#!/usr/bin/env bash
# End-to-end: audit against the mock finds each planted problem, and a
# clean migrated bucket passes, also in depth.  Everything is planted with
# boto3 (the migrated archives made by transform_runtime.py), not with
# archivist.
. "$(dirname "$0")/lib.sh"

DATA="$TMP/data"
B="$DATA/bkt"
mkdir -p "$B"/heroku-{20,22}/runtimes
workflow_setup "$DATA"
av() { "$AV" --no-progress "$@"; }
mk() { MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$1" json >/dev/null; }
mk "$B/heroku-20/runtimes/python-3.11.2.tar.gz"
mk "$B/heroku-22/runtimes/python-3.11.2.tar.gz"
# plant SRC NEW: NEW, made from the legacy SRC by transform_runtime.py
# (the transform by the rules, not by archivist), zstd and boto3, with
# the metadata a migration records.
plant() {
	gzip -dc "$B/$1" >"$TMP/p.tar"
	"$PY" "$ROOT/tests/e2e/transform_runtime.py" "$TMP/p.tar" "$TMP/p.new.tar" unchecked-hash drop &&
	zstd -q -3 -f "$TMP/p.new.tar" -o "$TMP/p.tar.zst" &&
	boto 'b = open(sys.argv[3], "rb").read()
etag = s3.head_object(Bucket="bkt", Key=sys.argv[1])["ETag"].strip("\"")
s3.put_object(Bucket="bkt", Key=sys.argv[2], Body=b, Metadata={
 "sha256": hashlib.sha256(b).hexdigest(), "archivist-source-key": sys.argv[1],
 "archivist-source-etag": etag, "archivist-pyc": "unchecked-hash", "archivist-opt-pyc": "drop"})' \
		"$1" "$2" "$TMP/p.tar.zst"
}
check "plant the migrated seed with boto3" plant heroku-20/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-20.04-amd64.tar.zst
check "... both archives" plant heroku-22/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-22.04-amd64.tar.zst

# --- a clean bucket passes, also in depth -------------------------------
out=$(av audit s3://bkt --deep); rc=$?
check_eq "clean bucket: exit 0" 0 "$rc"
check_match "clean bucket: summary" "2 legacy, 2 new, 0 unrecognised, 0 ignored; 2 archive\(s\) checked in depth; 0 problem" "$out"
check_match "deep check confirms the content against the source" "equal to its source after the transform" "$out"
mark=$(log_mark)
check_status "audit (not deep): exit 0" 0 av audit s3://bkt
check_eq "audit sends only GET and HEAD" "GET HEAD" "$(log_methods "$mark")"

# the archives archivist migrates are those the seed planted, byte for byte
check_status "migrate of the same sources elsewhere: exit 0" 0 \
	av migrate --from s3://bkt --to s3://bkt/m --level 3
for k in python-3.11.2-ubuntu-20.04-amd64.tar.zst python-3.11.2-ubuntu-22.04-amd64.tar.zst; do
	zstd -q -d -c "$B/$k" >"$TMP/planted.tar"
	zstd -q -d -c "$B/m/$k" >"$TMP/migrated.tar"
	check "... $k: the same tar as the planted one" cmp "$TMP/planted.tar" "$TMP/migrated.tar"
done
rm -rf "$B/m"

# --- plant one of each problem -------------------------------------------
mk "$B/heroku-22/runtimes/python-3.12.1.tar.gz"			# not migrated
mkdir -p "$B/heroku-18/runtimes"
cp "$B/heroku-20/runtimes/python-3.11.2.tar.gz" "$B/heroku-18/runtimes/python-3.6.15.tar.gz"	# unknown stack
cp "$B/heroku-20/runtimes/python-3.11.2.tar.gz" "$B/heroku-20/runtimes/python-3.12.tar.gz"	# invalid name
echo hello >"$B/README.txt"						# unrecognised
gzip -dc "$B/heroku-20/runtimes/python-3.11.2.tar.gz" >"$TMP/x.tar"
zstd -q -3 --no-check "$TMP/x.tar" -o "$TMP/nocheck.tar.zst"
head -c 3000 /dev/urandom >"$TMP/junk"
putsha() {	# FILE KEY: put with boto3, its sha256 recorded
	boto 'b = open(sys.argv[1], "rb").read()
s3.put_object(Bucket="bkt", Key=sys.argv[2], Body=b, Metadata={"sha256": hashlib.sha256(b).hexdigest()})' "$@"
}
check "plant a frame without checksum" putsha "$TMP/nocheck.tar.zst" python-3.9.1-ubuntu-22.04-amd64.tar.zst
check "plant bytes that are not an archive" putsha "$TMP/junk" python-3.9.2-ubuntu-22.04-amd64.tar.zst
boto 's3.put_object(Bucket="bkt", Key="python-3.9.3-ubuntu-22.04-amd64.tar.zst", Body=b"x")'	# no checksum
# content: an archive that says it was made from a source it does not hold
tar -C "$TMP" -cf "$TMP/other.tar" junk && zstd -q -3 "$TMP/other.tar" -o "$TMP/other.tar.zst"
etag=$(boto 'print(s3.head_object(Bucket="bkt", Key="heroku-22/runtimes/python-3.11.2.tar.gz")["ETag"].strip("\""))')
boto 'b = open(sys.argv[1], "rb").read()
s3.put_object(Bucket="bkt", Key="python-3.9.4-ubuntu-22.04-amd64.tar.zst", Body=b, Metadata={
 "sha256": hashlib.sha256(b).hexdigest(), "archivist-source-key": "heroku-22/runtimes/python-3.11.2.tar.gz",
 "archivist-source-etag": sys.argv[2], "archivist-pyc": "unchecked-hash", "archivist-opt-pyc": "drop"})' "$TMP/other.tar.zst" "$etag"
# checksum: bytes that are not what the object records
zstd -q -3 "$TMP/x.tar" -o "$TMP/x.tar.zst"
boto 's3.put_object(Bucket="bkt", Key="python-3.9.5-ubuntu-22.04-amd64.tar.zst", Body=open(sys.argv[1], "rb").read(),
 Metadata={"sha256": "0" * 64})' "$TMP/x.tar.zst"

out=$(av audit s3://bkt --deep 2>"$TMP/err"); rc=$?
check_eq "problems: exit 1" 1 "$rc"
check_match "not migrated" "^not-migrated +heroku-22/runtimes/python-3.12.1.tar.gz: no python-3.12.1-ubuntu-22.04-amd64.tar.zst" "$out"
check_match "unknown stack" "^unknown-stack +heroku-18/runtimes/python-3.6.15.tar.gz" "$out"
check_match "invalid name" "^invalid-name +heroku-20/runtimes/python-3.12.tar.gz" "$out"
check_match "unrecognised" "^unrecognised +README.txt" "$out"
check_match "no checksum" "^no-checksum +python-3.9.3-ubuntu-22.04-amd64.tar.zst" "$out"
check_match "bad frame" "^bad-frame +python-3.9.1-ubuntu-22.04-amd64.tar.zst: .*content checksum off" "$out"
check_match "bad archive" "^bad-archive +python-3.9.2-ubuntu-22.04-amd64.tar.zst" "$out"
check_match "content differs from the source" "^content +python-3.9.4-ubuntu-22.04-amd64.tar.zst" "$out"
check_match "checksum mismatch" "^checksum +python-3.9.5-ubuntu-22.04-amd64.tar.zst: its bytes do not have the sha256 it records \\(0000" "$out"
check_match "the good archive still passes" "^checked +python-3.11.2-ubuntu-22.04-amd64.tar.zst: .*equal to its source" "$out"

out=$(av --json audit s3://bkt --ignore README.txt --ignore 'python-3.9.*'); rc=$?
check_eq "--ignore leaves the other problems: exit 1" 1 "$rc"
check_match "--ignore and --json" '"event":"summary".*"ignored":6' "$out"
check_eq "every JSON line parses" "ok" "$(printf '%s\n' "$out" | "$PY" -c 'import json,sys; [json.loads(l) for l in sys.stdin]; print("ok")')"
check_status "bad URL: exit 2" 2 av audit s3://
check_status "two URLs: exit 2" 2 av audit s3://bkt s3://bkt
finish
