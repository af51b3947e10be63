#!/usr/bin/env bash
# End-to-end: the zstd layout of each archive follows the cores it can
# use.  A batch with archives waiting makes each one zstd job; an archive
# alone on two cores is cut into two jobs (zstd_cut in --json, the tar
# offset where the first job ends).  Whatever the layout, the objects
# decode with plain zstd to the same tar.  Inputs: 66 MiB tars (the
# smallest size that is cut) of compressible text, GNU tar and gzip -1.
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

# --- recompress: one job with one worker, cut with two --------------------
"$AV" -q --json recompress --level 1 --workers 1 "$B/python-3.12.1.tar.gz" "$TMP/w1.tar.zst" >"$TMP/w1.json"
"$AV" -q --json recompress --level 1 --workers 2 "$B/python-3.12.1.tar.gz" "$TMP/w2.tar.zst" >"$TMP/w2.json"
check_match "recompress --workers 1: one job" '"zstd_cut": *0[,}]' "$(cat "$TMP/w1.json")"
check_match "recompress --workers 2: cut" '"zstd_cut": *[1-9]' "$(cat "$TMP/w2.json")"
check_eq "and both hold the same tar" "$(zstd -dcq "$TMP/w1.tar.zst" | sha256sum)" \
	"$(zstd -dcq "$TMP/w2.tar.zst" | sha256sum)"
finish
