#!/usr/bin/env bash
# The CI matrix of docs/examples/migrate-matrix.yml, on one machine: a
# bucket of legacy archives on the mock S3 server (127.0.0.1, started
# here), migrated by N processes with --shard 1/N .. N/N at once, then
# audited, with the manifests written, as the workflow's last job does.
#
# It checks from the mock's request log that every new key was written
# exactly once (one PutObject or CompleteMultipartUpload each, none
# refused), and that a rerun of the matrix writes nothing.  Then, for
# the time each runner takes, it runs the whole migration once alone
# and each shard alone (on an empty destination each time) and reports
# wall and CPU time and bytes per shard: on a real matrix each runner
# has its own machine, so a shard's time alone is its runner's time;
# the slowest shard against the whole is the matrix's speed-up.
#
# usage: bench/matrix.sh          (BENCH_SHARDS=N, default 4;
#                                  BENCH_LEVEL=L, default 12)
source "$(dirname "$0")/lib.sh"
N=${BENCH_SHARDS:-4}
L=${BENCH_LEVEL:-12}
export AWS_EC2_METADATA_DISABLED=true
bench_slices
TMP=$(mktemp -d /dev/shm/bench-matrix.XXXXXX)
trap 'bench_mock_stop; rm -rf "$TMP"' EXIT
LOG=$TMP/requests.log
bench_mock_start "$TMP/data" --log "$LOG"
R=$TMP/data/bench
# 27 archives of 10 to 32 MB of tar: the 8 slices on three stacks that
# had legacy keys, and the 32 MB prefix on each.  heroku-18 and -20 are
# retired, so they are migrated because --stack names them, as a
# migration of the whole history would.
for s in 18 20 22; do
	mkdir -p "$R/heroku-$s/runtimes"
	for k in 1 2 3 4 5 6 7 8; do
		cp "$OUT/slice-$k.tar.gz" "$R/heroku-$s/runtimes/python-3.11.$k.tar.gz"
	done
	cp "$OUT/first-20.tar.gz" "$R/heroku-$s/runtimes/python-3.10.1.tar.gz"
done
nkeys=$(find "$R" -name '*.tar.gz' | wc -l)
bench_machine; bench_load
note "bench: $nkeys legacy archives, level $L, $N shards"

clean() { find "$R" -maxdepth 1 -name '*.tar.zst' -delete; }
STACKS=(--stack heroku-18 --stack heroku-20 --stack heroku-22)
mig() { "$ARCHIVIST" -q --no-progress --endpoint "$ENDPOINT" ${J:+-j "$J"} \
	migrate --level "$L" --from s3://bench --to s3://bench "${STACKS[@]}" "$@"; }

# writes SINCE: "key count" of the successful writes in the log after
# line SINCE, with the refused ones (412) counted apart
writes() {
	tail -n +"$(($1 + 1))" "$LOG" | python3 -c '
import collections, json, sys
ok, refused = collections.Counter(), collections.Counter()
for l in sys.stdin:
    o = json.loads(l)
    if o["op"] in ("PutObject", "CompleteMultipartUpload") and o["path"].endswith(".tar.zst"):
        (ok if o["status"] == 200 else refused)[o["path"]] += 1
print(len(ok), sum(ok.values()), max(ok.values() or [0]), sum(refused.values()))'
}

# --- the matrix: N processes at once, then the audit and the manifests ---
echo
echo "## the matrix: $N processes at once"
mark=$(wc -l <"$LOG")
t0=$(date +%s.%N)
pids=()
for ((i = 1; i <= N; i++)); do
	J=1 mig --shard "$i/$N" >"$TMP/shard-$i.out" 2>&1 & pids+=($!)
done
i=0
for p in "${pids[@]}"; do
	i=$((i + 1))
	wait "$p" || die "shard $i failed: $(tail -3 "$TMP/shard-$i.out")"
done
t1=$(date +%s.%N)
read -r keys puts most refused < <(writes "$mark")
made=$(find "$R" -maxdepth 1 -name '*.tar.zst' | wc -l)
echo "wall $(calc "$t1 - $t0" 1) s; $made new keys; writes: $puts for $keys keys" \
	"(at most $most per key), $refused refused"
[ "$made" = "$nkeys" ] && [ "$keys" = "$nkeys" ] && [ "$puts" = "$nkeys" ] &&
	[ "$most" = 1 ] && [ "$refused" = 0 ] || die "not every key written exactly once"
"$ARCHIVIST" -q --endpoint "$ENDPOINT" audit s3://bench --ignore 'heroku-*' >"$TMP/audit.out" ||
	die "audit found problems: $(cat "$TMP/audit.out")"
"$ARCHIVIST" -q --endpoint "$ENDPOINT" manifest s3://bench --format toml --include-retired \
	--upload manifest.toml -o "$TMP/manifest.toml" || die "manifest failed"
echo "audit: clean; manifest.toml: $(grep -c '^\[\[artifacts\]\]' "$TMP/manifest.toml") artifacts"
mark=$(wc -l <"$LOG")
for ((i = 1; i <= N; i++)); do mig --shard "$i/$N" >/dev/null & pids[i - 1]=$!; done
for p in "${pids[@]}"; do wait "$p" || die "a rerun shard failed"; done
read -r keys puts most refused < <(writes "$mark")
echo "rerun of the matrix: $puts writes"
[ "$puts" = 0 ] || die "the rerun wrote"

# --- each runner's time: the whole alone, then each shard alone ---------
echo
echo "## each shard alone (its runner's time) against the whole"
echo
echo "| run | archives | tar.gz MB | wall s | cpu s |"
echo "|---|---|---|---|---|"
row() {	# LABEL ARGS...
	local label=$1 tf; shift
	clean
	tf=$TMP/time
	/usr/bin/time -f '%e %U %S' -o "$tf" "$ARCHIVIST" --no-progress --json \
		--endpoint "$ENDPOINT" migrate --level "$L" --from s3://bench \
		--to s3://bench "${STACKS[@]}" "$@" >"$TMP/row.json" 2>/dev/null || die "$label failed"
	read -r w u s <"$tf"
	python3 - "$TMP/row.json" "$label" "$w" "$(calc "$u + $s" 1)" <<'PY'
import json, sys
n = b = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("event") == "result" and o["result"] == "created":
        n += 1; b += o["stats"]["input_size"]
print("| %s | %d | %.1f | %s | %s |" % (sys.argv[2], n, b / 1e6, sys.argv[3], sys.argv[4]))
PY
}
row "whole (1 runner)" | tee "$TMP/whole"
for ((i = 1; i <= N; i++)); do row "shard $i/$N" --shard "$i/$N"; done | tee "$TMP/shards"
bench_load
w=$(awk -F'|' '{ print $5 }' "$TMP/whole")
s=$(awk -F'|' '{ print $5 }' "$TMP/shards" | sort -g | tail -1)
wc_=$(awk -F'|' '{ print $6 }' "$TMP/whole")
sc=$(awk -F'|' '{ print $6 }' "$TMP/shards" | sort -g | tail -1)
echo
echo "slowest shard / whole: wall $(calc "$s / $w" 3), cpu $(calc "$sc / $wc_" 3)" \
	"(1/N = $(calc "1 / $N" 3))"
