# The workflow on a bucket with a history (fixture_bucket.py), shared by
# test_history.sh (the mock) and test_history_moto.sh (moto's server).
# Source it after lib.sh and the server's setup; $S3_URL names the server,
# $LOG its request log (one JSON object per request, with "method" and
# "path"), $SERVER is "mock" or "moto".  Outcomes are checked with boto3
# and Python's json/tomllib, and through archivist's --json output.

BKT=heroku-buildpack-python
B="s3://$BKT"
av() { "$AV" --no-progress "$@"; }
# jq-like checks: jsonl CODE < lines: CODE sees `lines` (parsed JSON lines)
# and prints what is compared.
jsonl() {
	local code=$1
	shift
	"$PY" -c "import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
$code" "$@"
}
# etag KEY / sha KEY: as boto3 reads them.
etag() { boto 'print(s3.head_object(Bucket=sys.argv[1], Key=sys.argv[2])["ETag"])' "$BKT" "$1"; }
# object_requests MARK: METHOD PATH of the requests on .tar.zst/.tar.gz
# objects since MARK.
object_requests() {
	log_since "$1" | "$PY" -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["path"].endswith((".tar.zst", ".tar.gz")): print(o["method"], o["path"])'
}

history_flow() {
	local out rc mark before

	"$PY" "$ROOT/tests/e2e/fixture_bucket.py" "$S3_URL" "$BKT" "$TMP/fx" >"$TMP/fx.json" ||
		{ not_ok "$SERVER: the fixture seeds"; return; }
	ok "$SERVER: the fixture seeds"
	before=$(boto 'for o in s3.list_objects_v2(Bucket=sys.argv[1])["Contents"]:
    print(o["Key"], o["ETag"])' "$BKT")

	# --- audit: the history is no problem; only two archives unmigrated --
	out=$(av --json audit "$B"); rc=$?
	check_eq "$SERVER: audit exits 1 (two legacy archives without new keys)" 1 "$rc"
	check_eq "$SERVER: audit's only problems are the two unmigrated archives" \
"not-migrated heroku-22/runtimes/python-3.10.14.tar.gz
not-migrated heroku-22/runtimes/python-3.13.0rc1.tar.gz" \
		"$(printf '%s\n' "$out" | jsonl 'for o in lines:
    if o["event"] == "problem": print(o["problem"], o["key"])')"
	check_eq "$SERVER: audit counts the history (--json summary)" \
		"keys 19 legacy 4 legacy_retired 6 stack_files 3 new 6 made_elsewhere 6 unrecognised 0" \
		"$(printf '%s\n' "$out" | jsonl 'o = lines[-1]
print(" ".join("%s %s" % (k, o[k]) for k in ("keys", "legacy", "legacy_retired",
    "stack_files", "new", "made_elsewhere", "unrecognised")))')"
	check_eq "$SERVER: audit lists the objects made elsewhere as present" 6 \
		"$(printf '%s\n' "$out" | grep -c '"event":"present".*"made":"elsewhere"')"

	# --- migrate --dry-run: present, not conflict; retired stacks left -----
	mark=$(log_mark)
	out=$(av --json migrate --from "$B" --to "$B" --level 3 --dry-run); rc=$?
	check_eq "$SERVER: migrate --dry-run exits 0" 0 "$rc"
	check_eq "$SERVER: the plan: create the missing, present what was made elsewhere" \
"create heroku-22/runtimes/python-3.10.14.tar.gz python-3.10.14-ubuntu-22.04-amd64.tar.zst
present heroku-22/runtimes/python-3.11.2.tar.gz python-3.11.2-ubuntu-22.04-amd64.tar.zst
present heroku-22/runtimes/python-3.12.3.tar.gz python-3.12.3-ubuntu-22.04-amd64.tar.zst
create heroku-22/runtimes/python-3.13.0rc1.tar.gz python-3.13.0rc1-ubuntu-22.04-amd64.tar.zst" \
		"$(printf '%s\n' "$out" | jsonl 'for o in lines:
    if o["event"] == "plan": print(o["action"], o["source"], o["destination"])')"
	check_eq "$SERVER: the dry run says it left the 6 archives of retired stacks" \
		"retired_left 6 present 2 conflicts 0" \
		"$(printf '%s\n' "$out" | jsonl 'o = lines[-1]
print("retired_left", o["retired_left"], "present", o["present"], "conflicts", o["conflicts"])')"
	check_eq "$SERVER: the dry run read nothing but listings and HEADs" "" \
		"$(object_requests "$mark" | grep -v '^HEAD ')"

	# --- migrate: exit 0; what was made elsewhere is untouched ------------
	out=$(av --json migrate --from "$B" --to "$B" --level 3); rc=$?
	check_eq "$SERVER: migrate exits 0" 0 "$rc"
	check_eq "$SERVER: migrate created 2, left 2 present" "created 2 present 2 conflicts 0 failed 0" \
		"$(printf '%s\n' "$out" | jsonl 'o = lines[-1]
print("created", o["created"], "present", o["present"], "conflicts", o["conflicts"], "failed", o["failed"])')"
	check_eq "$SERVER: no object that was there changed" "$before" \
		"$(boto 'keys = set(sys.argv[2].split())
for o in s3.list_objects_v2(Bucket=sys.argv[1])["Contents"]:
    if o["Key"] in keys: print(o["Key"], o["ETag"])' "$BKT" "$(printf '%s\n' "$before" | cut -d' ' -f1)")"
	out=$(av audit "$B"); rc=$?
	check_eq "$SERVER: audit passes after the migration" 0 "$rc"

	# --- manifest: checksum sources, in order ------------------------------
	out=$(av manifest "$B" -o "$TMP/m0.json" 2>&1); rc=$?
	check_eq "$SERVER: a manifest without a source for every sha256: exit 1" 1 "$rc"
	check_match "$SERVER: ... the message names --reuse and --compute-missing" \
		"python-3.11.2-ubuntu-22.04-amd64.tar.zst' records no sha256.*--reuse FILE.*--compute-missing" "$out"
	check_eq "$SERVER: ... and nothing is written" "" "$(ls "$TMP/m0.json" 2>/dev/null)"
	out=$(SOURCE_DATE_EPOCH=1714521600 av --json manifest "$B" -o "$TMP/m1.json" --compute-missing); rc=$?
	check_eq "$SERVER: manifest --compute-missing exits 0" 0 "$rc"
	check_eq "$SERVER: each checksum is the object's, from the first source that has it" \
		"$(printf '%s\n' \
		"python-3.10.14-ubuntu-22.04-amd64.tar.zst metadata" \
		"python-3.11.2-ubuntu-22.04-amd64.tar.zst computed" \
		"python-3.12.3-ubuntu-22.04-amd64.tar.zst $FULL_OBJECT_SOURCE" \
		"python-3.12.3-ubuntu-24.04-amd64.tar.zst computed" \
		"python-3.12.3-ubuntu-24.04-arm64.tar.zst computed" \
		"python-3.12.3-ubuntu-26.04-amd64.tar.zst computed" \
		"python-3.13.0rc1-ubuntu-22.04-amd64.tar.zst metadata")" \
		"$(boto 'm = json.load(open(sys.argv[2]))
for a in sorted(m["artifacts"], key=lambda a: a["key"]):
    body = s3.get_object(Bucket=sys.argv[1], Key=a["key"])["Body"].read()
    assert a["checksum"] == "sha256:" + hashlib.sha256(body).hexdigest(), a["key"]
    assert a["size"] == len(body) and a["etag"] == s3.head_object(Bucket=sys.argv[1], Key=a["key"])["ETag"].strip("\""), a
    print(a["key"], a["checksum_source"])' "$BKT" "$TMP/m1.json")"
	check_eq "$SERVER: the retired stack's artifact and stacks are left out" \
		"retired_left_out 1; stacks heroku-22 heroku-24 heroku-26" \
		"$(printf '%s\n' "$out" | jsonl 'import json as j; o = lines[-1]
m = j.load(open(sys.argv[1]))
print("retired_left_out", o["retired_left_out"], end="; ")
print("stacks", " ".join(m["stacks"]))' "$TMP/m1.json")"

	# --- manifest --reuse: unchanged objects are not read again -------------
	mark=$(log_mark)
	out=$(SOURCE_DATE_EPOCH=1714521600 av --json manifest "$B" -o "$TMP/m2.json" --reuse "$TMP/m1.json"); rc=$?
	check_eq "$SERVER: manifest --reuse exits 0" 0 "$rc"
	check_eq "$SERVER: ... without downloading any object" "" "$(object_requests "$mark" | grep -v '^HEAD ')"
	check_eq "$SERVER: ... the reused checksums are said so" \
		'{"metadata": 2, "x-amz-checksum-sha256": '"$FULL_OBJECT_COUNT"', "reused": '"$REUSED_COUNT"', "computed": 0}' \
		"$(printf '%s\n' "$out" | jsonl 'print(json.dumps(lines[-1]["checksum_sources"]))')"
	check_eq "$SERVER: ... and the manifest is the same one" "same" \
		"$("$PY" -c 'import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
strip = lambda m: [(x["key"], x["checksum"], x["size"]) for x in m["artifacts"]]
print("same" if strip(a) == strip(b) else "differs")' "$TMP/m1.json" "$TMP/m2.json")"
	# an object replaced since: its ETag differs, its old checksum is not reused
	boto 's3.put_object(Bucket=sys.argv[1], Key="python-3.12.3-ubuntu-24.04-arm64.tar.zst", Body=b"rebuilt")' "$BKT"
	out=$(av manifest "$B" -o "$TMP/m3.json" --reuse "$TMP/m2.json" 2>&1); rc=$?
	check_eq "$SERVER: an object changed since the reused manifest: exit 1" 1 "$rc"
	check_match "$SERVER: ... named, with why" \
		"python-3.12.3-ubuntu-24.04-arm64.tar.zst' records no sha256.*--reuse has none for its key, size and ETag" "$out"
	mark=$(log_mark)
	check "$SERVER: ... with --compute-missing it is read" \
		av manifest "$B" -o "$TMP/m3.json" --reuse "$TMP/m2.json" --compute-missing
	check_eq "$SERVER: ... and only it" "GET /$BKT/python-3.12.3-ubuntu-24.04-arm64.tar.zst" \
		"$(object_requests "$mark" | grep -v '^HEAD ')"

	# --- the TOML inventory: SemVer versions, Python's spelling beside -------
	check "$SERVER: manifest --format toml" av manifest "$B" --format toml -o "$TMP/inv.toml" \
		--reuse "$TMP/m3.json"
	check_eq "$SERVER: the TOML's versions are SemVer 2.0.0, python_version keeps Python's" \
		"3.10.14/3.10.14 3.11.2/3.11.2 3.12.3/3.12.3 3.12.3/3.12.3 3.12.3/3.12.3 3.12.3/3.12.3 3.13.0-rc1/3.13.0rc1" \
		"$("$PY" -c 'import re, sys, tomllib
semver = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
arts = tomllib.load(open(sys.argv[1], "rb"))["artifacts"]
assert all(semver.match(a["version"]) for a in arts)
print(" ".join(a["version"] + "/" + a["metadata"]["python_version"] for a in arts))' "$TMP/inv.toml")"
	check_eq "$SERVER: --final-only leaves the pre-release out, and only it" \
		"3.10.14 3.11.2 3.12.3 3.12.3 3.12.3 3.12.3" \
		"$(av manifest "$B" --format toml --reuse "$TMP/m3.json" --final-only |
		   "$PY" -c 'import sys, tomllib; print(" ".join(a["version"] for a in tomllib.load(sys.stdin.buffer)["artifacts"]))')"

	# --- publish --replace / --if-match ------------------------------------
	local key=python-3.12.3-ubuntu-24.04-amd64.tar.zst old
	cp "$TMP/fx/legacy.tar.gz" "$TMP/python-3.12.3.tar.gz"
	old=$(etag "$key")
	check_status "$SERVER: publish without --replace leaves it: exit 3" 3 \
		av publish "$TMP/python-3.12.3.tar.gz" --to "$B" --target ubuntu-24.04-amd64 --level 3
	check_eq "$SERVER: ... unchanged" "$old" "$(etag "$key")"
	out=$(av --json publish "$TMP/python-3.12.3.tar.gz" --to "$B" --target ubuntu-24.04-amd64 \
		--level 3 --replace); rc=$?
	check_eq "$SERVER: publish --replace exits 0" 0 "$rc"
	check_eq "$SERVER: ... reports the replaced object's ETag and sha256" \
		"replaced $old None" \
		"$(printf '%s\n' "$out" | jsonl 'o = lines[-1]; print(o["result"], o["replaced"]["etag"], o["replaced"]["sha256"])')"
	check_eq "$SERVER: ... and the object is the new archive" \
		"$(printf '%s\n' "$out" | jsonl 'print(lines[-1]["sha256"])')" \
		"$(boto 'print(hashlib.sha256(s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"].read()).hexdigest())' "$BKT" "$key")"
	check_status "$SERVER: --if-match an ETag it no longer has: exit 3" 3 \
		av publish "$TMP/python-3.12.3.tar.gz" --to "$B" --target ubuntu-24.04-amd64 --level 4 --if-match "$old"
	old=$(etag "$key")
	prev=$(printf '%s\n' "$out" | jsonl 'print(lines[-1]["sha256"])')
	out=$(av --json publish "$TMP/python-3.12.3.tar.gz" --to "$B" --target ubuntu-24.04-amd64 \
		--level 4 --if-match "$old"); rc=$?
	check_eq "$SERVER: --if-match its ETag replaces it, and says what was there" \
		"0 replaced $old $prev" \
		"$rc $(printf '%s\n' "$out" | jsonl 'o = lines[-1]; print(o["result"], o["replaced"]["etag"], o["replaced"]["sha256"])')"
	check_status "$SERVER: a legacy key is never a target: exit 2" 2 \
		av publish "$TMP/python-3.12.3.tar.gz" --to "$B/heroku-22/runtimes" --target ubuntu-24.04-amd64 --replace
}
