#!/usr/bin/env bash
# End-to-end: the zstd layout of each archive follows the cores it can
# use.  A batch with archives waiting makes each one zstd job; an archive
# alone on two cores is cut into two jobs (zstd_cut in --json, the tar
# offset where the first job ends).  Whatever the layout, the objects
# decode with plain zstd to the same tar.  Inputs: 66 MiB tars (the
# smallest size that is cut) of compressible text, GNU tar and gzip -1,
# and a 132 MiB tar whose one-job frame must be the zstd CLI's.
. "$(dirname "$0")/lib.sh"

DATA="$TMP/data"
B="$DATA/bkt/heroku-22/runtimes"
mkdir -p "$B"
workflow_setup "$DATA"
av() { "$AV" --no-progress "$@"; }
if [ "$(nproc)" -lt 2 ]; then
	skip "$(basename "$0")" "needs two cores"
	finish
	exit 0
fi

mkdir -p "$TMP/tree/lib"
"$PY" - "$TMP/tree/lib/big.txt" <<'PYEOF'
import random, sys
r = random.Random(7)
words = ["".join(r.choice("abcdefghij") for _ in range(r.randint(2, 9)))
         for _ in range(4000)]
with open(sys.argv[1], "w") as f:
    n = 0
    while n < 66 << 20:
        line = " ".join(r.choice(words) for _ in range(12)) + "\n"
        f.write(line)
        n += len(line)
PYEOF
tar --format=gnu -C "$TMP/tree" -cf - . | gzip -1 >"$B/python-3.12.1.tar.gz"
for v in 2 3 4; do cp "$B/python-3.12.1.tar.gz" "$B/python-3.12.$v.tar.gz"; done
tarsize=$(gzip -dc "$B/python-3.12.1.tar.gz" | wc -c)

# cuts VERSION-GLOB ARGS...: "version zstd_cut" per archive made.
cuts() {
	local glob=$1; shift
	av --json "$@" migrate --from s3://bkt --to s3://bkt --level 1 --version "$glob" |
	"$PY" -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("event") == "result" and "stats" in o:
        print(o["destination"].split("-")[1], o["stats"]["zstd_cut"])' | sort
}

# --- a batch: -j 4 starts all four at once, none is cut ------------------
out=$(cuts '3.12.[1-4]' -j 4)
check_eq "four archives side by side: one zstd job each" \
"3.12.1 0
3.12.2 0
3.12.3 0
3.12.4 0" "$out"
sha_of() { boto 'b = s3.get_object(Bucket="bkt", Key=sys.argv[1])["Body"].read(); print(hashlib.sha256(b).hexdigest())' "$1"; }
k() { echo "python-3.12.$1-ubuntu-22.04-amd64.tar.zst"; }
one_job=$(sha_of "$(k 1)")

# --- -j 2: the first two start with the others waiting: one job each -----
rm -f "$DATA"/bkt/python-3.12.*
out=$(cuts '3.12.[1-4]' -j 2)
check_eq "with archives waiting, the first two are one job each" \
"3.12.1 0
3.12.2 0" "$(printf '%s\n' "$out" | head -2)"
check_eq "so their bytes are the -j 4 ones" "$one_job" "$(sha_of "$(k 1)")"

# --- -j 1: nobody else can use the second core: every archive is cut -----
rm -f "$DATA"/bkt/python-3.12.*
out=$(cuts '3.12.[12]' -j 1)
cut=$(printf '%s\n' "$out" | awk 'NR == 1 { print $2 }')
check_eq "one at a time on two cores: each is cut" "2" \
	"$(printf '%s\n' "$out" | awk '$2 > 0 && $2 < '"$tarsize"' { n++ } END { print n + 0 }')"
check "the cut is inside the tar" test "$cut" -gt $((tarsize / 4)) -a "$cut" -lt "$tarsize"
two_jobs=$(sha_of "$(k 1)")
check "a cut frame has other bytes" test "$one_job" != "$two_jobs"

# --- a single archive: cut ----------------------------------------------
out=$(cuts '3.12.3')
check_match "a single archive is cut" "^3\.12\.3 [1-9]" "$out"

# --- whatever the layout, plain zstd gives back the same tar --------------
boto 's3.download_file("bkt", sys.argv[1], sys.argv[2])' "$(k 1)" "$TMP/cut.tar.zst"
boto 's3.download_file("bkt", sys.argv[1], sys.argv[2])' "$(k 3)" "$TMP/cut3.tar.zst"
rm -f "$DATA"/bkt/python-3.12.1-*
cuts '3.12.1' -j 1 >/dev/null
check_eq "the same layout gives the same bytes" "$two_jobs" "$(sha_of "$(k 1)")"
check_eq "cut and uncut frames hold the same tar" \
	"$(gzip -dc "$B/python-3.12.1.tar.gz" | sha256sum)" "$(zstd -dcq "$TMP/cut.tar.zst" | sha256sum)"

# --- identity by content: two runs racing with different layouts ----------
# B plans first (the keys absent), then its downloads stall while A makes
# and uploads both archives; B's uploads then find A's objects: the same
# source, settings and tar in another zstd layout, so identical, nothing
# rewritten, no conflict.  Both ways round: A one job each, B cut; then
# A cut, B one job each.
# race PREFIX A_JOBS B_JOBS B_STALLED_GETS
race() {
	local to=s3://bkt/$1/ mark ra rb
	mark=$(log_mark)
	mock_fault "stall 12 op=GetObject count=$4"
	av --json -j "$3" migrate --from s3://bkt --to "$to" --level 1 --version '3.12.[12]' \
		>"$TMP/b.out" 2>"$TMP/b.err" & pb=$!
	sleep 2
	av --json -j "$2" migrate --from s3://bkt --to "$to" --level 1 --version '3.12.[12]' \
		>"$TMP/a.out" 2>"$TMP/a.err"; ra=$?
	wait $pb; rb=$?
	mock_faults_clear
	check_eq "$1: both runs exit 0" "0 0" "$ra $rb"
	[ "$rb" = 0 ] || sed 's/^/# b: /' "$TMP/b.err" >&2
	results() { "$PY" -c 'import json, sys
print(" ".join(sorted(o["result"] for o in map(json.loads, sys.stdin) if o.get("event") == "result")))' <"$1"; }
	check_eq "$1: A created both" "created created" "$(results "$TMP/a.out")"
	check_eq "$1: B found both identical, in another layout" "identical identical" \
		"$(results "$TMP/b.out")"
	log_since "$mark" >"$TMP/race.log"
	check_eq "$1: each key written once, B's two uploads refused" "2 0 2" "$("$PY" -c '
import json, sys
ok = refused = other = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["op"] in ("PutObject", "CompleteMultipartUpload") and "/'"$1"'/" in o["path"]:
        if o["status"] == 200: ok += 1
        elif o["status"] == 412: refused += 1
        else: other += 1
print(ok, other, refused)' "$TMP/race.log")"
}
layout() { boto 'print(s3.head_object(Bucket="bkt", Key=sys.argv[1])["Metadata"].get("archivist-zstd-layout"))' "$1/$(k 1)"; }
race r1 2 1 1
check_eq "r1: the object is A's, one job" "jobs=1" "$(layout r1)"
race r2 1 2 2
check_match "r2: the object is A's, cut" "^jobs=2 cut=[1-9][0-9]*$" "$(layout r2)"
tarsha() { boto 'print(s3.head_object(Bucket="bkt", Key=sys.argv[1])["Metadata"].get("archivist-tar-sha256"))' "$1/$(k 1)"; }
check_eq "both record the sha256 of the tar they hold" \
	"$(gzip -dc "$B/python-3.12.1.tar.gz" | sha256sum | cut -d' ' -f1) $(gzip -dc "$B/python-3.12.1.tar.gz" | sha256sum | cut -d' ' -f1)" \
	"$(tarsha r1) $(tarsha r2)"
out=$(av -j 1 migrate --from s3://bkt --to s3://bkt/r1/ --level 1 --version '3.12.[12]')
check_match "a rerun in the other layout skips both" "done: 0 created, 2 skipped" "$out"

# --- recompress: one job with one worker, cut with two --------------------
"$AV" -q --json recompress --level 1 --workers 1 "$B/python-3.12.1.tar.gz" "$TMP/w1.tar.zst" >"$TMP/w1.json"
"$AV" -q --json recompress --level 1 --workers 2 "$B/python-3.12.1.tar.gz" "$TMP/w2.tar.zst" >"$TMP/w2.json"
check_match "recompress --workers 1: one job" '"zstd_cut": *0[,}]' "$(cat "$TMP/w1.json")"
check_match "recompress --workers 2: cut" '"zstd_cut": *[1-9]' "$(cat "$TMP/w2.json")"
check_eq "and both hold the same tar" "$(zstd -dcq "$TMP/w1.tar.zst" | sha256sum)" \
	"$(zstd -dcq "$TMP/w2.tar.zst" | sha256sum)"

# --- one job is one job, also past 128 MiB -----------------------------------
# A tar of 132 MiB (the text and the text with its letters rotated): one
# job gives the zstd CLI's own frame for one job of up to 512 MiB, byte
# for byte; jobs of 128 MiB would differ.  In the plain build only: the
# layout is chosen the same way in both, and under the sanitizers the
# 132 MiB cost half a minute of a suite that must stay short.
if [ "$(basename "$BUILD")" != build ]; then
	finish
	exit 0
fi
tr 'a-j' 'b-ja' <"$TMP/tree/lib/big.txt" >"$TMP/tree/lib/big2.txt"
tar --format=gnu -C "$TMP/tree" -cf "$TMP/big.tar" .
rm -f "$TMP/tree/lib/big2.txt"
"$AV" -q --json recompress --level 1 --workers 1 --pyc keep --keep-opt-pyc \
	"$TMP/big.tar" "$TMP/b1.tar.zst" >"$TMP/b1.json"
check_match "132 MiB, --workers 1: one job" '"zstd_jobs": *1,.*"zstd_cut": *0[,}]' "$(cat "$TMP/b1.json")"
zstd -q -1 --long=27 -T1 -B512MiB -c "$TMP/big.tar" >"$TMP/b1.cli.zst"
check_eq "... the zstd CLI's frame (-1 --long=27 -T1 -B512MiB), byte for byte" \
	"$(sha256sum <"$TMP/b1.cli.zst")" "$(sha256sum <"$TMP/b1.tar.zst")"
rm -f "$TMP/big.tar" "$TMP/b1.tar.zst" "$TMP/b1.cli.zst"
finish
