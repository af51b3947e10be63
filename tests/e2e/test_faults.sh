#!/usr/bin/env bash
# End-to-end: migrate while the server misbehaves -- 503s, connection
# resets both ways, stalls, a dead server, 500s on every request or every
# write, a 200 that is an <Error>, a clock 20 minutes off.  Each run must
# finish, or fail cleanly (exit 1, the reason said once), and never leave
# a partial or wrong object or a multipart upload behind.  Results are
# checked with boto3, zstd and Python's tarfile (s3check.py,
# compare_runtime.py), never with archivist itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults_lib.sh"
gzip -dc "$W/small.tar.gz" >"$W/small.tar"
gzip -dc "$W/big.tar.gz" >"$W/big.tar"

# --- 20 % 503 SlowDown, resets mid-upload and mid-download ---------------
mark=$(log_mark)
# (A CreateMultipartUpload whose reply is lost did create an upload: the
# run must abort it.)
mock_fault "reset-request 1000000 op=UploadPart count=2" \
	"reset-request 3000 op=PutObject count=2" \
	"reset-response 300000 op=GetObject count=3" \
	"reset-response 0 op=CreateMultipartUpload count=1" \
	"error 503 SlowDown prob=0.2"
out=$(ARCHIVIST_MAX_ATTEMPTS=10 av -j 2 migrate $M --to s3://bkt/f1 2>"$TMP/err"); rc=$?
mock_faults_clear
check_eq "under 20 % 503s and resets: exit 0" 0 "$rc"
check_match "... every archive created" "done: 5 created, 0 skipped, 0 conflict\(s\), 0 invalid, 0 failed" "$out"
log_since "$mark" >"$TMP/f1.log"
check_match "... the faults did happen (503s, resets both ways)" \
	'^error [1-9][0-9]* reset-request 4 reset-response 4 $' \
	"$(s3check faults "$TMP/f1.log" | tr '\n' ' ')"
check_match "... with multipart uploads" '"op":"UploadPart"' "$(cat "$TMP/f1.log")"
mkdir -p "$W/f1"
st=$(s3check verify bkt f1/ --decode "$W/f1")
all_made "... every new key, complete, no upload left" f1 "$st"
for k in $NEW; do
	case $k in *3.12.1*) tar="$W/big.tar" ;; *) tar="$W/small.tar" ;; esac
	check "... $k holds its legacy content" "$PY" "$ROOT/tests/e2e/compare_runtime.py" \
		"$tar" "$W/f1/${k%.zst}" unchecked-hash drop
done
section "errors and resets"

# --- stalls longer than the low-speed timeout: timeouts and retries -------
# A stall before a download, and one after a CompleteMultipartUpload was
# carried out (its reply never comes: the retry finds the object there).
# A Complete may think 10 times the low-speed time (S3 can take minutes
# on a large object), so the 1 s set here gives it 10 s.
# (A stall right after an upload burst takes ~5 s more to be noticed:
# curl averages the speed over 5 s.)
mock_fault "stall 60 op=GetObject count=1" "stall 60 op=CompleteMultipartUpload count=1"
t0=$(date +%s)
out=$(ARCHIVIST_LOW_SPEED_TIME=1 av -v -j 2 migrate $M --stack heroku-22 --stack heroku-24 \
	--to s3://bkt/f2 2>"$TMP/err"); rc=$?
t=$(elapsed "$t0")
mock_faults_clear
check_eq "under 60 s stalls: exit 0" 0 "$rc"
check_eq "... each stall ended in a timeout that was retried" 2 \
	"$(grep -c "timed out.*retrying" "$TMP/err")"
check_match "... the completed upload counts as done" "done: 3 created, 1 skipped, 0 conflict\(s\), 0 invalid, 0 failed" "$out"
if [ "$t" -le 25 ]; then ok "... two 60 s stalls cost ${t} s, not minutes"
else not_ok "... two 60 s stalls cost ${t} s, not minutes"; fi

# Every Complete thinks 3 s in silence, three times the low-speed time:
# it is waited for, not timed out and sent again.
mock_fault "stall 3 op=CompleteMultipartUpload"
mark=$(log_mark)
ARCHIVIST_LOW_SPEED_TIME=1 av -v put --part-size 5M "$W/big.tar" s3://bkt/slow.tar \
	>/dev/null 2>"$TMP/err"; rc=$?
mock_faults_clear
check_eq "a Complete slower than the low-speed time: exit 0" 0 "$rc"
check_eq "... without a timeout" 0 "$(grep -c "timed out" "$TMP/err")"
check_eq "... in one CompleteMultipartUpload" 1 \
	"$(log_since "$mark" | grep -c '"op":"CompleteMultipartUpload"')"
boto 's3.download_file("bkt", "slow.tar", sys.argv[1])' "$TMP/slow.tar"
check_eq "... the object is the file" "$(sha256sum <"$W/big.tar")" "$(sha256sum <"$TMP/slow.tar")"
section "stalls"

# --- the server is down: a closed port ------------------------------------
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s)
ARCHIVIST_MAX_ATTEMPTS=3 av --endpoint "http://127.0.0.1:$port" migrate $M --to s3://bkt/f3 \
	>/dev/null 2>"$TMP/err"; rc=$?
t=$(elapsed "$t0")
check_eq "server down: exit 1" 1 "$rc"
check_match "... says the connection failed, after 3 attempts" \
	"list 's3://bkt/': network error: .*(onnect|refused).*after 3 attempts" "$(cat "$TMP/err")"
check_eq "... in one error line" 1 "$(grep -c 'error:' "$TMP/err")"
if [ "$t" -le 10 ]; then ok "... gives up in ${t} s"; else not_ok "... gives up in ${t} s"; fi

# --- every request answers 500 --------------------------------------------
mark=$(log_mark)
mock_fault "error 500"
ARCHIVIST_MAX_ATTEMPTS=3 av migrate $M --to s3://bkt/f3 >/dev/null 2>"$TMP/err"; rc=$?
mock_faults_clear
check_eq "all 500s: exit 1" 1 "$rc"
check_match "... says what the server said" \
	"list 's3://bkt/': 500 InternalError.*after 3 attempts" "$(cat "$TMP/err")"
check_eq "... 3 attempts, nothing else sent" "3 GET" \
	"$(log_since "$mark" | "$PY" -c 'import json, sys
r = [json.loads(l)["method"] for l in sys.stdin]; print(len(r), " ".join(sorted(set(r))))')"

# --- every write answers 500 (and so does the abort) ----------------------
mock_fault "error 500 op=UploadPart" "error 500 op=PutObject" "error 500 op=AbortMultipartUpload"
out=$(ARCHIVIST_MAX_ATTEMPTS=2 av -j 2 migrate $M --stack heroku-22 --stack heroku-24 \
	--to s3://bkt/f3 2>"$TMP/err"); rc=$?
mock_faults_clear
check_eq "writes fail: exit 1" 1 "$rc"
check_match "... every archive failed, none created" "done: 0 created, 0 skipped, 0 conflict\(s\), 0 invalid, 4 failed" "$out"
check_match "... names the key and what the server said" \
	"put 's3://bkt/f3/python-3.11.2-ubuntu-22.04-amd64.tar.zst': 500 InternalError" "$(cat "$TMP/err")"
check_eq "... no object at any new key; the failed aborts left 2 uploads" "uploads f3/ 2" "$(state f3)"
check "the next healthy run completes" av -j 2 migrate $M --stack heroku-22 --stack heroku-24 --to s3://bkt/f3
section "dead server, 500s"

# --- CompleteMultipartUpload answers 200 with an <Error> -------------------
K="--stack heroku-22 --version 3.12.1"
mark=$(log_mark)
mock_fault "complete-error count=2"
out=$(av --json migrate $M $K --to s3://bkt/f4 2>"$TMP/err"); rc=$?
mock_faults_clear
check_eq "two 200-with-Error on Complete: exit 0" 0 "$rc"
check_eq "... seen twice, then a real completion" "complete-error 2" \
	"$(log_since "$mark" | s3check faults /dev/stdin)"
check_match "... reported created" '"event":"result","result":"created"' "$out"
mock_fault "complete-error"
out=$(ARCHIVIST_MAX_ATTEMPTS=3 av --json migrate $M $K --to s3://bkt/f4b 2>"$TMP/err"); rc=$?
mock_faults_clear
check_eq "200-with-Error on every Complete: exit 1" 1 "$rc"
check_match "... reported failed" '"event":"result","result":"failed"' "$out"
check_eq "... never reported created" "" "$(printf '%s\n' "$out" | grep '"result":"created"')"
check_match "... the error says what the server said" "InternalError.*after 3 attempts" "$(cat "$TMP/err")"
section "complete-error"

# --- the server's clock is 20 minutes ahead -------------------------------
mark=$(log_mark)
mock_fault "skew 1200"
out=$(av -j 2 migrate $M --to s3://bkt/f5 2>"$TMP/err"); rc=$?
ls_out=$(av ls s3://bkt/f5/ 2>&1)
mock_faults_clear
check_eq "20 minutes of skew: exit 0" 0 "$rc"
check_match "... every archive created" "done: 5 created" "$out"
check_match "... after S3 said RequestTimeTooSkewed" '"status":403.*"error":"RequestTimeTooSkewed"' \
	"$(log_since "$mark")"
check_eq "... ls works too" 5 "$(printf '%s\n' "$ls_out" | grep -c 'f5/python-')"
section "skew"

# --- where the runs above left their objects ------------------------------
st=$(state f2 f3 f4 f4b f5)
all_made "stalls: every new key, complete, no upload left" f2 "$st" "$NEW_22_24"
all_made "writes fail then a healthy run: every new key, complete, no upload left" f3 "$st" "$NEW_22_24"
check_eq "complete-error: the first run made a complete object, the second none, no upload left" \
	"ok f4/python-3.12.1-ubuntu-22.04-amd64.tar.zst
uploads f4/ 0
uploads f4b/ 0" "$(of f4 "$st"; of f4b "$st")"
all_made "skew: every new key, complete, no upload left" f5 "$st"
faults_end
finish
