#!/usr/bin/env bash
# End-to-end: migrate against the mock.  Legacy archives are built from the
# real system Python (timestamp pycs at -O0/-O1/-O2) by GNU tar and gzip;
# results are checked with boto3, zstd, and Python's tarfile
# (compare_runtime.py), never with archivist itself.
. "$(dirname "$0")/lib.sh"

DATA="$TMP/data"
B="$DATA/bkt"
mkdir -p "$B"/heroku-{18,20,22,24}/runtimes
workflow_setup "$DATA"
av() { "$AV" --no-progress "$@"; }

# --- seed: real runtimes, one corrupt archive, names that do not parse ----
mk() { MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$1" json email >/dev/null; }
mk "$B/heroku-20/runtimes/python-3.11.2.tar.gz"
mk "$B/heroku-22/runtimes/python-3.11.2.tar.gz"
mk "$B/heroku-22/runtimes/python-3.12.1.tar.gz"
mk "$B/heroku-24/runtimes/python-3.11.2.tar.gz"
head -c 20000 "$B/heroku-22/runtimes/python-3.11.2.tar.gz" >"$B/heroku-22/runtimes/python-3.10.0.tar.gz"
cp "$B/heroku-20/runtimes/python-3.11.2.tar.gz" "$B/heroku-22/runtimes/python-3.12.tar.gz"
cp "$B/heroku-20/runtimes/python-3.11.2.tar.gz" "$B/heroku-18/runtimes/python-3.6.15.tar.gz"
echo "not an archive" >"$B/README.txt"
legacy_sums() { (cd "$B" && find heroku-* -type f | sort | xargs sha256sum); }
before=$(legacy_sums)
M="--from s3://bkt --to s3://bkt --level 3"

# --- dry run: the plan, and only GET/HEAD requests -------------------------
mark=$(log_mark)
out=$(av --json migrate $M --dry-run); rc=$?
check_eq "dry run exits 1 (invalid keys planned)" 1 "$rc"
plan=$(printf '%s\n' "$out" | "$PY" -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["event"] == "plan": print(o["action"], o["source"], o["destination"] or "-")')
check_eq "dry run plans every legacy key" \
"create heroku-22/runtimes/python-3.10.0.tar.gz python-3.10.0-ubuntu-22.04-amd64.tar.zst
create heroku-20/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-20.04-amd64.tar.zst
create heroku-22/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-22.04-amd64.tar.zst
create heroku-24/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-24.04-amd64.tar.zst
create heroku-22/runtimes/python-3.12.1.tar.gz python-3.12.1-ubuntu-22.04-amd64.tar.zst
invalid heroku-18/runtimes/python-3.6.15.tar.gz -
invalid heroku-22/runtimes/python-3.12.tar.gz -" "$plan"
check_match "dry run says why a key is invalid" '"reason":"[^"]*heroku-18' "$out"
check_eq "dry run sent only GET and HEAD" "GET HEAD" "$(log_methods "$mark")"
check_eq "dry run wrote nothing" "" "$(cd "$B" && ls python-* 2>/dev/null)"

# --- the migration --------------------------------------------------------
out=$(av migrate $M 2>"$TMP/err"); rc=$?
check_eq "migration exits 1 (a corrupt source and invalid keys)" 1 "$rc"
check_match "the corrupt source is named" "python-3.10.0.tar.gz" "$(cat "$TMP/err")"
check_match "summary counts" "done: 4 created, 0 skipped, 0 conflict\(s\), 3 invalid, 0 failed" "$out"
check_eq "legacy objects byte-identical after the migration" "$before" "$(legacy_sums)"
check_eq "no key was written but new-scheme ones" "" \
	"$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["method"] in ("PUT","POST","DELETE") and "/runtimes/" in o["path"]: print(o["path"])' "$LOG")"
check_eq "the corrupt archive left no object" "" "$(cd "$B" && ls python-3.10.0* 2>/dev/null)"
for k in python-3.11.2-ubuntu-20.04-amd64 python-3.11.2-ubuntu-22.04-amd64 \
	 python-3.12.1-ubuntu-22.04-amd64 python-3.11.2-ubuntu-24.04-amd64; do
	boto 's3.download_file("bkt", sys.argv[1], sys.argv[2])' "$k.tar.zst" "$TMP/$k.tar.zst"
	check "$k decodes with plain zstd -d" zstd -q -d -f "$TMP/$k.tar.zst" -o "$TMP/$k.tar"
	case $k in
	*20.04*) src=heroku-20/runtimes/python-3.11.2 ;;
	*3.12.1*) src=heroku-22/runtimes/python-3.12.1 ;;
	*22.04*) src=heroku-22/runtimes/python-3.11.2 ;;
	*) src=heroku-24/runtimes/python-3.11.2 ;;
	esac
	gzip -dc "$B/$src.tar.gz" >"$TMP/legacy.tar"
	check "$k holds its legacy content after the transform" \
		"$PY" "$ROOT/tests/e2e/compare_runtime.py" "$TMP/legacy.tar" "$TMP/$k.tar" unchecked-hash drop
	meta=$(boto 'h = s3.head_object(Bucket="bkt", Key=sys.argv[1]); print(h["Metadata"].get("archivist-source-key"), h["Metadata"].get("archivist-pyc"), h["ContentLength"])' "$k.tar.zst")
	check_eq "$k records its source and settings" "$src.tar.gz unchecked-hash $(stat -c %s "$TMP/$k.tar.zst")" "$meta"
done
check_match "new archives carry an XXH64 checksum" "Check: XXH64" \
	"$(zstd -lv "$TMP/python-3.11.2-ubuntu-20.04-amd64.tar.zst" 2>&1)"

# --- a rerun does nothing, and writes the manifests -------------------------
mark=$(log_mark)
out=$(av migrate $M --stack heroku-20 --stack heroku-22 --stack heroku-24 --manifest "$TMP/m.json" 2>/dev/null); rc=$?
check_eq "the rerun exits 1 (the corrupt source and invalid key again)" 1 "$rc"
check "the rerun wrote a TOML manifest too" av migrate $M --stack heroku-20 --manifest "$TMP/inventory.toml"
check_eq "the manifests list what was made, with its source and real checksum" "ok" "$(boto '
import tomllib
m = json.load(open(sys.argv[1]))
inv = tomllib.load(open(sys.argv[2], "rb"))
arts = {a["key"]: a for a in m["artifacts"]}
assert sorted(arts) == ["python-3.11.2-ubuntu-20.04-amd64.tar.zst", "python-3.11.2-ubuntu-22.04-amd64.tar.zst",
    "python-3.11.2-ubuntu-24.04-amd64.tar.zst", "python-3.12.1-ubuntu-22.04-amd64.tar.zst"], sorted(arts)
for k, a in arts.items():
    body = s3.get_object(Bucket="bkt", Key=k)["Body"].read()
    assert a["checksum"] == "sha256:" + hashlib.sha256(body).hexdigest(), k
    assert a["size"] == len(body), k
    assert a["legacy_source"]["key"].startswith("heroku-2") and a["legacy_source"]["key"].endswith(".tar.gz"), a
assert arts["python-3.12.1-ubuntu-22.04-amd64.tar.zst"]["legacy_source"]["key"] == "heroku-22/runtimes/python-3.12.1.tar.gz"
assert len(inv["artifacts"]) == 4 and all(x["checksum"] == arts[x["url"].rsplit("/", 1)[1]]["checksum"] for x in inv["artifacts"])
print("ok")' "$TMP/m.json" "$TMP/inventory.toml")"
check_match "rerun skips what is done" "done: 0 created, 4 skipped" "$out"
check_eq "rerun sent no write" 0 "$(log_since "$mark" | grep -c '"method":"\(PUT\|POST\)"')"

# --- conflicts: other content at a new key is left alone -----------------
boto 's3.put_object(Bucket="bkt", Key="c/python-3.11.2-ubuntu-20.04-amd64.tar.zst", Body=b"other")'
check_status "a different object at the new key: exit 3" 3 \
	av migrate --from s3://bkt --to s3://bkt/c --level 3 --stack heroku-20
check_eq "the conflicting object is untouched" "other" \
	"$(boto 'print(s3.get_object(Bucket="bkt", Key="c/python-3.11.2-ubuntu-20.04-amd64.tar.zst")["Body"].read().decode())')"

# --- shards: the union of the shards is the plan, without overlap ---------
S="--from s3://bkt --to s3://bkt/s --level 3 --version 3.1[12].*"
dests() { "$PY" -c 'import json,sys
print("\n".join(sorted(json.loads(l)["destination"] for l in sys.stdin if "\"plan\"" in l)))'; }
full=$(av --json migrate $S --dry-run | dests)
s1=$(av --json migrate $S --dry-run --shard 1/2 | dests)
s2=$(av --json migrate $S --dry-run --shard 2/2 | dests)
check_eq "shards 1/2 + 2/2 = the full plan" "$full" "$(printf '%s\n%s\n' "$s1" "$s2" | grep . | sort)"
check_eq "shards do not overlap" "" "$(comm -12 <(echo "$s1") <(echo "$s2"))"
check_eq "the plan has the 4 good archives" 4 "$(echo "$full" | wc -l)"
check "shard 1/2 runs" av migrate $S --shard 1/2
check "shard 2/2 runs" av migrate $S --shard 2/2
check_eq "together the shards made every key" "$full" \
	"$(boto 'print("\n".join(sorted(o["Key"] for o in s3.list_objects_v2(Bucket="bkt", Prefix="s/")["Contents"])))')"

# --- interrupted: kill -9 during an upload, abandoned multipart, rerun ----
K="--from s3://bkt --to s3://bkt/k --level 3 --stack heroku-20 --stack heroku-24 -j 1"
mock_fault "stall 3 method=PUT count=1"
"$AV" --no-progress migrate $K >/dev/null 2>&1 &	# not av: $! must be archivist
pid=$!
sleep 1.5
kill -9 "$pid"; wait "$pid" 2>/dev/null
mock_faults_clear
boto 's3.create_multipart_upload(Bucket="bkt", Key="k/python-3.11.2-ubuntu-24.04-amd64.tar.zst")'
check "rerun after kill -9 completes" av migrate $K
check_eq "no multipart upload is left behind" "0" \
	"$(boto 'print(len(s3.list_multipart_uploads(Bucket="bkt").get("Uploads", [])))')"
for k in python-3.11.2-ubuntu-20.04-amd64 python-3.11.2-ubuntu-24.04-amd64; do
	boto 's3.download_file("bkt", "k/" + sys.argv[1], sys.argv[2])' "$k.tar.zst" "$TMP/k.tar.zst"
	check "k/$k is complete after the rerun" zstd -q -t "$TMP/k.tar.zst"
done

# --- two runs at once: each key written once, both succeed ----------------
R="--from s3://bkt --to s3://bkt/r --level 3 --stack heroku-20 --stack heroku-24"
mark=$(log_mark)
av migrate $R >/dev/null 2>&1 & p1=$!
av migrate $R >/dev/null 2>&1 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "two concurrent runs both exit 0" "0 0" "$r1 $r2"
check_eq "each new key was written exactly once" "2" \
	"$(log_since "$mark" | grep '"method":"PUT"' | grep '"status":200' | grep -c '"path":"/bkt/r/')"

# --- usage errors send nothing --------------------------------------------
mark=$(log_mark)
check_status "bad shard: exit 2" 2 av migrate $M --shard 3/2
check_status "missing --to: exit 2" 2 av migrate --from s3://bkt
check_status "bad URL: exit 2" 2 av migrate --from s3:// --to s3://bkt
check_status "bad level: exit 2" 2 av migrate $M --level 99
check_eq "usage errors sent no request" 0 "$(log_since "$mark" | wc -l)"
finish
