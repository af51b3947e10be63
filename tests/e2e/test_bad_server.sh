#!/usr/bin/env bash
# End-to-end: ls, migrate --dry-run and get against a server that sends
# bad bytes -- malformed XML, 20 MB of XML, a DOCTYPE with an external
# entity, a 2,000-byte key, bodies cut short under a correct
# Content-Length and bodies longer than declared.  Each is handled or
# refused with a clear message and exit 1, never a crash, never unbounded
# memory, never a short file reported as a download.  curl (with its own
# SigV4) shows what the server really sent; cmp and sha256sum check files.
. "$(dirname "$0")/lib.sh"

# A sanitizer report exits 86, so it cannot pass for an expected exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
if [ ! -x "$MOCK" ] || ! curl --help all 2>/dev/null | grep -q -- --aws-sigv4; then
	skip "bad server replies" "needs build/mock-s3 and curl with --aws-sigv4"
	finish; exit 0
fi
DATA="$TMP/data"
B="$DATA/bkt"
mkdir -p "$B/heroku-22/runtimes" "$TMP/dl"
head -c 3000000 /dev/urandom >"$B/blob.bin"
head -c 20000 /dev/urandom >"$B/heroku-22/runtimes/python-3.12.1.tar.gz"
mock_start "$DATA" --log "$TMP/requests.log" || { not_ok "mock starts"; finish; exit 1; }
mock_env
export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
export ARCHIVIST_MAX_ATTEMPTS=3
av() { "$AV" --no-progress "$@"; }
# raw URL: the reply as curl gets it, signed by curl itself.
raw() {
	curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user minioadmin:minioadmin \
		-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$@"
}
# run OUT CMD...: CMD's stdout and stderr into OUT.out / OUT.err; its exit
# status in RC.  run_mem also sets RSS_KB to its peak memory.
run() {
	local o=$1; shift
	"$@" >"$TMP/$o.out" 2>"$TMP/$o.err"; RC=$?
}
run_mem() {
	local o=$1; shift
	read -r RC RSS_KB < <(python3 -c '
import resource, subprocess, sys
with open(sys.argv[1] + ".out", "wb") as out, open(sys.argv[1] + ".err", "wb") as err:
    rc = subprocess.call(sys.argv[2:], stdout=out, stderr=err)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$TMP/$o" "$@")
}
good_ls=$(av ls s3://bkt)
good_plan=$(av migrate --from s3://bkt --to s3://bkt/new --dry-run)
check_match "the healthy listing and plan" \
	"python-3.12.1-ubuntu-22.04-amd64.tar.zst" "$good_ls$good_plan"

# --- listings that are not listings ---------------------------------------
for v in malformed doctype "huge 20000000"; do
	mock_fault "list $v"
	v=${v%% *}
	case $v in
	malformed) why="not a valid listing"; sent=$(raw "$MOCK_URL/bkt?list-type=2") ;;
	doctype) why="not a valid listing"; sent=$(raw "$MOCK_URL/bkt?list-type=2" | tr -d '\n') ;;
	huge) why="larger than 16 MiB: refused"
		sent=$(raw "$MOCK_URL/bkt?list-type=2" 2>/dev/null | head -c 300000) ;;
	esac
	for cmd in ls dry-run; do
		if [ $cmd = ls ]; then run_mem "$v-$cmd" "$AV" ls s3://bkt
		else run_mem "$v-$cmd" "$AV" migrate --from s3://bkt --to s3://bkt/new --dry-run; fi
		check_eq "list $v, $cmd: exit 1" 1 "$RC"
		check_match "list $v, $cmd: says why" "^archivist: error: list 's3://bkt/': .*$why" \
			"$(cat "$TMP/$v-$cmd.err")"
		check_eq "list $v, $cmd: one line, nothing on stdout" "1 0" \
			"$(wc -l <"$TMP/$v-$cmd.err") $(wc -c <"$TMP/$v-$cmd.out")"
		if [ "$RSS_KB" -lt 100000 ]; then ok "list $v, $cmd: peak memory $((RSS_KB / 1024)) MB"
		else not_ok "list $v, $cmd: peak memory $((RSS_KB / 1024)) MB"; fi
	done
	mock_faults_clear
	case $v in
	malformed) check_match "the server did send cut XML" "<Key>broken</Ke$" "$sent" ;;
	doctype) check_match "the server did send an external entity" \
		'<!ENTITY xxe SYSTEM "file:///etc/passwd">.*<Key>&xxe;</Key>' "$sent" ;;
	huge) check_match "the server did send a valid listing that goes on" \
		'<ListBucketResult.*<Contents><Key>[^<]+</Key>' "$sent" ;;
	esac
done
passwd=$(head -n 1 /etc/passwd)
check_eq "the entity was never expanded: /etc/passwd is nowhere in the output" "" \
	"$(cat "$TMP"/doctype-*.out "$TMP"/doctype-*.err | grep -F "$passwd")"

# --- a 2,000-byte key in the listing --------------------------------------
mock_fault "list longkey"
long=$(raw "$MOCK_URL/bkt?list-type=2" | grep -o '<Key>[^<]\{1500,\}</Key>' | sed 's/<[^>]*>//g')
run longkey-ls "$AV" ls s3://bkt
check_eq "2,000-byte key, ls: exit 0" 0 "$RC"
check_eq "... lists it whole with the others" "$(printf '%s\n' "$good_ls" | awk '{print $3}'; echo "$long")" \
	"$(awk '{print $3}' "$TMP/longkey-ls.out" | sort)"
run longkey-json "$AV" --json ls s3://bkt
check_match "... also as JSON" "\"key\":\"$long\"" "$(cat "$TMP/longkey-json.out")"
run longkey-plan "$AV" migrate --from s3://bkt --to s3://bkt/new --dry-run
check_eq "2,000-byte key, dry run: exit 0" 0 "$RC"
check_eq "... the same plan, one more key ignored" \
	"$(printf '%s\n' "$good_plan" | sed 's/; [0-9]* other key/; N other key/')" \
	"$(sed 's/; [0-9]* other key/; N other key/' "$TMP/longkey-plan.out")"
check_match "... counted as ignored" "; $(($(printf '%s\n' "$good_plan" | sed -n 's/.*; \([0-9]*\) other key.*/\1/p') + 1)) other key" \
	"$(cat "$TMP/longkey-plan.out")"
mock_faults_clear
check_eq "the key was 2,000 bytes or more" 1 "$([ "${#long}" -ge 2000 ] && echo 1)"
run longkey-get "$AV" get "s3://bkt/$long" "$TMP/dl/long"
check_eq "get of a key over S3's 1024 bytes: refused as usage (exit 2)" 2 "$RC"
check_match "... saying why" "keys are at most 1024 bytes" "$(cat "$TMP/longkey-get.err")"

# --- bodies cut short under a correct Content-Length ----------------------
want=$(sha256sum <"$B/blob.bin")
mock_fault "truncate 1000000 op=GetObject count=2"
run trunc-get "$AV" -v get s3://bkt/blob.bin "$TMP/dl/blob"
check_eq "cut twice mid-body: get exits 0" 0 "$RC"
check_eq "... resumed twice" 2 "$(grep -c 'resuming after 1000000 bytes' "$TMP/trunc-get.err")"
check_eq "... the file is whole" "$want" "$(sha256sum <"$TMP/dl/blob")"
mock_fault "truncate 0 op=GetObject"
rm -f "$TMP/dl/blob"
run trunc-fail "$AV" get s3://bkt/blob.bin "$TMP/dl/blob"
check_eq "cut before any byte, every time: exit 1" 1 "$RC"
check_match "... says so" "get 's3://bkt/blob.bin': network error: .*after 3 attempts" "$(cat "$TMP/trunc-fail.err")"
check_eq "... no file, no temporary file left" "" "$(ls -A "$TMP/dl")"
run trunc-stdout "$AV" get s3://bkt/blob.bin -
check_eq "... to stdout: exit 1 too" 1 "$RC"
mock_faults_clear
# Interrupted (SIGTERM; SIGINT is ignored in a background job) after 1 MB
# of the body, while the server stalls the resumed rest.
mock_fault "reset-response 1000000 op=GetObject count=1" "stall 30 op=GetObject count=1"
"$AV" get s3://bkt/blob.bin "$TMP/dl/blob" 2>/dev/null & pid=$!
for _ in $(seq 50); do ls "$TMP"/dl/blob.archivist-* >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"; wait "$pid"; rc=$?
check_eq "get interrupted by SIGTERM: dies of it, no file or temporary file left" "143 " \
	"$rc $(ls -A "$TMP/dl")"
mock_faults_clear
mock_fault "truncate 400 op=ListObjectsV2 count=2"
run trunc-ls "$AV" ls s3://bkt
check_eq "a listing cut twice: ls exits 0" "0" "$RC"
check_eq "... with the whole listing" "$good_ls" "$(cat "$TMP/trunc-ls.out")"
mock_fault "truncate 400 op=ListObjectsV2 count=1"
run trunc-plan "$AV" migrate --from s3://bkt --to s3://bkt/new --dry-run
check_eq "a listing cut once: the same plan" "0 $good_plan" "$RC $(cat "$TMP/trunc-plan.out")"
mock_fault "truncate 400 op=ListObjectsV2"
run trunc-ls2 "$AV" ls s3://bkt
check_eq "a listing cut every time: exit 1, nothing listed" "1 0" "$RC $(wc -c <"$TMP/trunc-ls2.out")"
mock_faults_clear

# --- bodies longer than declared ------------------------------------------
mock_fault "overlong 5000 op=GetObject count=1"
run over-get "$AV" get s3://bkt/blob.bin "$TMP/dl/blob2"
check_eq "a body longer than declared: get exits 0" 0 "$RC"
check_eq "... the file has the declared bytes only" "$want" "$(sha256sum <"$TMP/dl/blob2")"
mock_fault "overlong 5000 op=GetObject count=1"
check_eq "... also to stdout" "$want" "$(av get s3://bkt/blob.bin - | sha256sum)"
check_eq "... and the next request on a fresh connection works" "$want" "$(av get s3://bkt/blob.bin - | sha256sum)"
mock_fault "overlong 5000 op=ListObjectsV2 count=1"
run over-ls "$AV" ls s3://bkt
check_eq "a listing longer than declared: the same listing" "0 $good_ls" "$RC $(cat "$TMP/over-ls.out")"
mock_faults_clear
check "the mock exits cleanly" mock_stop
finish
