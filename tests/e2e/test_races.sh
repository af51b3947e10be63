#!/usr/bin/env bash
# End-to-end: migrate against other writers and sudden death -- two
# migrations at once, a migration racing a publish of other content to
# the same key, and kill -9 at random points followed by a rerun.  No key
# may be written twice, no object replaced, none left partial, and no
# multipart upload left once a run completes.  Checked with boto3 and
# zstd (s3check.py) and the mock's request log, never with archivist.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults_lib.sh"

# --- two migrations at once, two archives at a time each ------------------
# The second starts once the first has begun a multipart upload, with the
# parts slowed down, so it sees that upload while it is still in flight.
mark=$(log_mark)
mock_fault "stall 1 op=UploadPart count=2"
av -j 2 migrate $M --to s3://bkt/f6 >"$TMP/a.out" 2>"$TMP/a.err" & pa=$!
for _ in $(seq 100); do
	# (not log_since: it waits for the log to settle, and A keeps it busy)
	tail -n +"$((mark + 1))" "$LOG" | grep -q '"op":"CreateMultipartUpload".*"status":200' && break
	sleep 0.1
done
av -j 2 migrate $M --to s3://bkt/f6 >"$TMP/b.out" 2>"$TMP/b.err" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
mock_faults_clear
check_eq "two concurrent migrations both exit 0" "0 0" "$ra $rb"
[ "$ra" -eq 0 ] || sed 's/^/# a: /' "$TMP/a.err" >&2
[ "$rb" -eq 0 ] || sed 's/^/# b: /' "$TMP/b.err" >&2
log_since "$mark" >"$TMP/f6.log"
check_eq "... each new key was written exactly once" \
	"$(printf '%s\n' "$NEW" | sed 's|^|1 /bkt/f6/|')" "$(s3check requests "$TMP/f6.log")"
check_eq "... between them, 5 created (the rest identical)" 5 \
	"$(cat "$TMP/a.out" "$TMP/b.out" | grep -c '^created ')"
section "concurrent migrations"

# --- migrate racing a publish of other content to the same key ------------
MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$W/other.tar.gz" json >/dev/null
mock_fault "stall 1 op=PutObject count=2"
av --json migrate $M --stack heroku-20 --to s3://bkt/f7 >"$TMP/m.out" 2>"$TMP/m.err" & pm=$!
av --json publish "$W/other.tar.gz" --to s3://bkt/f7 --stack heroku-20 --version 3.11.2 \
	--level 3 >"$TMP/p.out" 2>"$TMP/p.err" & pp=$!
wait $pm; rm_=$?
wait $pp; rp=$?
mock_faults_clear
check_eq "migrate vs publish: one wins (0), the other sees a conflict (3)" "0 3" \
	"$(printf '%s\n' "$rm_" "$rp" | sort | tr '\n' ' ' | sed 's/ $//')"
if [ "$rm_" -eq 0 ]; then win=m lose=p; else win=p lose=m; fi
want=$(grep -o '"sha256":"[0-9a-f]*"' "$TMP/$win.out" | head -n 1 | cut -d'"' -f4)
check_match "... the loser says so" "conflict" "$(cat "$TMP/$lose.out" "$TMP/$lose.err")"
section "migrate vs publish"

# --- kill -9 at random points, then a rerun -------------------------------
# Kill points spread over the length of an undisturbed run (measured);
# parts are slowed down so that some land during a multipart upload.
KM="$M --stack heroku-22"
mkdir -p "$TMP/spool"
mock_fault "stall 0.3 op=UploadPart"
t0=$(date +%s%N)
av -j 2 migrate $KM --to s3://bkt/k0 >/dev/null 2>&1
span=$((($(date +%s%N) - t0) / 1000000))
RANDOM=20261126
for r in 1 2 3 4 5; do
	ms=$((RANDOM % span))
	TMPDIR=$TMP/spool "$AV" --no-progress -j 2 migrate $KM --to "s3://bkt/k$r" >/dev/null 2>&1 & pid=$!
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "# killed run $r after $ms of $span ms"
done
mock_faults_clear
check_eq "after kill -9: no temporary file left (spools are unlinked when made)" "" "$(ls -A "$TMP/spool")"
st=$(state k1 k2 k3 k4 k5)
check_eq "after kill -9: no object is partial or wrong" "" "$(printf '%s\n' "$st" | grep '^BAD')"
echo "# $(printf '%s\n' "$st" | grep -c '^ok') of 10 objects were there," \
	"$(printf '%s\n' "$st" | awk '/^uploads/ {n += $3} END {print n}') uploads"
for r in 1 2 3 4 5; do	# the five reruns at once
	"$AV" --no-progress -j 1 migrate $KM --to "s3://bkt/k$r" >"$TMP/k$r.out" 2>&1 & pids[r]=$!
done
for r in 1 2 3 4 5; do
	wait "${pids[r]}"; check_eq "the rerun after kill -9 $r completes" 0 "$?"
done
section "kill -9"

# --- where the runs above left their objects ------------------------------
st=$(state f6 f7 k1 k2 k3 k4 k5)
all_made "concurrent migrations: every new key, complete, no upload left" f6 "$st"
check_eq "migrate vs publish: the object is the winner's, complete" \
	"ok f7/python-3.11.2-ubuntu-20.04-amd64.tar.zst $want
uploads f7/ 0" "$(printf '%s\n' "$st" | grep -E ' f7/|^uploads f7/')"
for r in 1 2 3 4 5; do
	check_eq "kill -9 $r and a rerun: every key, complete, no upload left" \
		"$(printf '%s\n' "$NEW_22" | sed "s|^|ok k$r/|")
uploads k$r/ 0" "$(of "k$r" "$st")"
done
faults_end
finish
