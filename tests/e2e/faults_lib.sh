# Shared by the reliability tests (test_faults.sh, test_races.sh): a mock
# serving five legacy archives, and ways to look at the results with
# boto3 (s3check.py), never with archivist.  Source it after lib.sh.
#
# Legacy keys (bucket "bkt"): heroku-{20,22,24}/runtimes/python-3.11.2
# (a small runtime) and heroku-{22,24}/runtimes/python-3.12.1 (the same
# plus 6 MiB of random bytes, so that it goes up in two 5 MiB parts).
# The configuration is three-stacks.json: three active stacks with legacy
# archives, so that every fault meets archives on several stacks.
# A sanitizer report exits 86, so it cannot pass for an expected exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import boto3' 2>/dev/null; then PY=$p; break; fi
done
if [ ! -x "$MOCK" ] || [ -z "$PY" ] || ! command -v zstd >/dev/null; then
	skip "$(basename "$0")" "needs build/mock-s3, zstd and python3 with boto3"
	finish; exit 0
fi
DATA="$TMP/data"
LOG="$TMP/requests.log"
B="$DATA/bkt"
W="$TMP/work"
mkdir -p "$B"/heroku-{20,22,24}/runtimes "$W/tree"
mock_start "$DATA" --log "$LOG" --seed 7 --min-part-size 5M ||
	{ not_ok "mock starts"; finish; exit 1; }
mock_env
export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
export ARCHIVIST_PART_SIZE=5M
export ARCHIVIST_CONFIG="$ROOT/tests/e2e/three-stacks.json"
av() { "$AV" --no-progress "$@"; }
s3check() { "$PY" "$ROOT/tests/e2e/s3check.py" "$@"; }
elapsed() { echo $(($(date +%s) - $1)); }

MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$W/small.tar.gz" json email >/dev/null
tar -xzf "$W/small.tar.gz" -C "$W/tree"
"$PY" -c 'import random, sys; sys.stdout.buffer.write(random.Random(1).randbytes(6 << 20))' \
	>"$W/tree/lib/blob.bin"
tar --format=gnu --sort=name -C "$W/tree" -czf "$W/big.tar.gz" .
for s in 20 22 24; do cp "$W/small.tar.gz" "$B/heroku-$s/runtimes/python-3.11.2.tar.gz"; done
cp "$W/big.tar.gz" "$B/heroku-22/runtimes/python-3.12.1.tar.gz"
cp "$W/big.tar.gz" "$B/heroku-24/runtimes/python-3.12.1.tar.gz"
NEW="python-3.11.2-ubuntu-20.04-amd64.tar.zst
python-3.11.2-ubuntu-22.04-amd64.tar.zst
python-3.11.2-ubuntu-24.04-amd64.tar.zst
python-3.12.1-ubuntu-22.04-amd64.tar.zst
python-3.12.1-ubuntu-24.04-amd64.tar.zst"
# The subsets that --stack selects.
NEW_22_24=$(printf '%s\n' "$NEW" | grep -v 'ubuntu-20')
NEW_22=$(printf '%s\n' "$NEW" | grep 'ubuntu-22')
M="--from s3://bkt --level 3"
legacy_sums() { (cd "$B" && find heroku-* -type f | sort | xargs sha256sum); }
LEGACY_BEFORE=$(legacy_sums)

# state P...: one line per object under each P/ -- "ok KEY SHA256" when it
# is complete, "BAD KEY: why" otherwise -- and "uploads P/ N" for the
# multipart uploads left (s3check.py verify).  boto3 takes a second to
# load, so most checks share one state of every prefix, taken at the end.
state() { local p a=(); for p; do a+=("$p/"); done; s3check verify bkt "${a[@]}"; }
# of P STATE: STATE's lines about P, without the sha256s.
of() { printf '%s\n' "$2" | grep -E "^(ok|BAD) $1/|^uploads $1/ " | sed 's/ [0-9a-f]\{64\}$//'; }
# all_made DESC P STATE [KEYS]: every new key (or KEYS) is under P,
# complete, and no upload is left.
all_made() {
	check_eq "$1" "$(printf '%s\n' "${4:-$NEW}" | sed "s|^|ok $2/|")
uploads $2/ 0" "$(of "$2" "$3")"
}
T0=$(date +%s%N)
# section NAME: a TAP comment with the time the section took.
section() { local t; t=$(date +%s%N); echo "# $(((t - T0) / 1000000)) ms: $1"; T0=$t; }

# faults_end: what must hold whatever happened: the legacy objects are
# byte-identical, no request wrote a legacy key, the mock stops cleanly.
faults_end() {
	check_eq "legacy objects byte-identical" "$LEGACY_BEFORE" "$(legacy_sums)"
	check_eq "no request wrote or deleted a legacy key" "" \
		"$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["method"] in ("PUT", "POST", "DELETE") and "/runtimes/" in o["path"]: print(o["path"])' "$LOG")"
	check "the mock exits cleanly" mock_stop
}
