# Shared helpers for end-to-end tests: TAP output, temp dirs, the mock.
#
# A test script sources this file, calls the check helpers, and ends with
# `finish`.  $BUILD names the build directory (build or build-san).
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AV="$ROOT/$BUILD/archivist"
MOCK="$ROOT/$BUILD/mock-s3"
T_NUM=0
T_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/archivist-e2e.XXXXXX")
T_CLEANUP=()
trap 't_cleanup' EXIT
# No test, and nothing a test runs (archivist, boto3, the aws CLI), may
# ask the EC2 instance metadata service at 169.254.169.254: the tests of
# that provider point AWS_EC2_METADATA_SERVICE_ENDPOINT at 127.0.0.1.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_EC2_METADATA_SERVICE_ENDPOINT
# "python3" in a test is the interpreter itself: through a version
# manager's shim each start costs a fraction of a second, and the tests
# start it hundreds of times.
PYTHON3=$(command python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PYTHON3" ] || PYTHON3=$(command -v python3)
python3() { "$PYTHON3" "$@"; }

t_cleanup() {
	local c
	for c in "${T_CLEANUP[@]+"${T_CLEANUP[@]}"}"; do eval "$c"; done
	rm -rf "$TMP"
}

# on_exit CMD: runs CMD when the script ends.
on_exit() { T_CLEANUP+=("$1"); }

ok() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - $1"; }
not_ok() {
	T_NUM=$((T_NUM + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@" >&2
	return 0
}
skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - $1 # SKIP ${2:-}"; }

# check DESC CMD...: passes if CMD exits 0.
check() {
	local d=$1; shift
	if "$@" >"$TMP/.out" 2>&1; then ok "$d"; else
		not_ok "$d" "command: $*" "$(tail -n 20 "$TMP/.out")"; fi
}

# check_fails DESC CMD...: passes if CMD exits non-zero.
check_fails() {
	local d=$1; shift
	if "$@" >"$TMP/.out" 2>&1; then not_ok "$d" "unexpected success: $*"
	else ok "$d"; fi
}

# check_status DESC EXPECTED CMD...: passes if CMD exits with EXPECTED.
check_status() {
	local d=$1 want=$2 rc; shift 2
	"$@" >"$TMP/.out" 2>&1; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else
		not_ok "$d" "wanted exit $want, got $rc: $*" "$(tail -n 20 "$TMP/.out")"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else
		not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_match DESC REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else
		not_ok "$1" "no match for /$2/ in:" "$3"; fi
}

finish() {
	echo "1..$T_NUM"
	[ "$T_FAILED" -eq 0 ]
}

# ---- the mock S3 server (mocks/mockctl) ----

# mock_start DIR [MOCK-S3 OPTIONS...]: starts the mock on a free port,
# serving DIR (created if missing); sets MOCK_PORT, MOCK_PID, MOCK_URL and
# MOCK_DIR, and stops it when the script ends.  Returns non-zero if it
# does not start.
mock_start() {
	local dir=$1 out
	shift
	out=$(MOCK_BIN="$MOCK" "$ROOT/mocks/mockctl" start "$dir" 0 "$@") || return 1
	read -r MOCK_PORT MOCK_PID <<<"$out"
	MOCK_URL="http://127.0.0.1:$MOCK_PORT"
	MOCK_DIR=$(cd "$dir" && pwd)
	on_exit "\"$ROOT/mocks/mockctl\" stop '$MOCK_DIR' >/dev/null 2>&1"
}

# mock_stop [DIR]: stops the mock serving DIR (default $MOCK_DIR) and waits;
# fails if the server's log shows a sanitizer report.
mock_stop() { "$ROOT/mocks/mockctl" stop "${1:-$MOCK_DIR}"; }

# mock_fault RULE...: adds fault rules (one per argument) through the admin
# endpoint of the mock at $MOCK_URL; mock_faults_clear removes them all.
mock_fault() {
	printf '%s\n' "$@" | curl -fsS -X POST --data-binary @- \
		"$MOCK_URL/_mock/faults" >/dev/null
}
mock_faults_clear() { curl -fsS -X DELETE "$MOCK_URL/_mock/faults" >/dev/null; }

# mock_env: exports the credentials, region and endpoint of the mock at
# $MOCK_URL for archivist, the aws CLI and boto3.
mock_env() {
	export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_ENDPOINT_URL=$MOCK_URL
	unset AWS_SESSION_TOKEN AWS_PROFILE
}

# ---- boto3, the independent client ----

# boto_find: sets PY to a python3 that has boto3 (Debian's or another);
# returns non-zero when there is none.
boto_find() {
	local p
	PY=""
	# (the interpreter itself, not a version manager's shim: each start
	# through a shim costs a second on a busy machine)
	for p in /usr/bin/python3 python3; do
		PY=$("$p" -c 'import sys, boto3; print(sys.executable)' 2>/dev/null) &&
			[ -x "$PY" ] && return 0
	done
	PY=""
	return 1
}

# boto CODE [ARGS...]: runs python CODE with `s3`, a boto3 client for the
# server at $S3_URL (default: the mock at $MOCK_URL), and sys, hashlib, json imported; ARGS in sys.argv[1:].
boto() {
	local code=$1
	shift
	"$PY" - "$@" <<BOTO
import sys, hashlib, json, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url="${S3_URL:-$MOCK_URL}", region_name="us-east-1",
    aws_access_key_id="minioadmin", aws_secret_access_key="minioadmin",
    config=Config(s3={"addressing_style": "path"}))
$code
BOTO
}

# workflow_setup DIR: the common start of the workflow tests: boto3, the
# mock serving DIR with a request log at $LOG, its environment, and no
# real AWS files.  Skips the whole script (exit 0) without boto3 or mock.
workflow_setup() {
	if [ ! -x "$MOCK" ] || ! boto_find; then
		skip "$(basename "$0")" "needs build/mock-s3 and python3 with boto3"
		finish
		exit 0
	fi
	LOG="$TMP/requests.log"
	mock_start "$1" --log "$LOG" || { not_ok "mock starts"; finish; exit 1; }
	mock_env
	export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
}

# log_mark / log_since MARK: the request log's length, and what came after.
# The mock logs a request when it ends, which can be just after its client
# has exited: log_mark first waits (up to 2 s) for the log to stop growing,
# so a late line of an earlier command is not counted after the mark.
log_mark() {
	local n m i
	n=$(wc -l <"$LOG")
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.2
		m=$(wc -l <"$LOG")
		[ "$m" = "$n" ] && break
		n=$m
	done
	echo "$n"
}
log_since() { log_mark >/dev/null; tail -n +"$(($1 + 1))" "$LOG"; }
# log_methods MARK: the HTTP methods of the requests since MARK, sorted, unique.
log_methods() {
	log_since "$1" | "$PY" -c 'import json, sys
print(" ".join(sorted({json.loads(l)["method"] for l in sys.stdin})))'
}

# ---- moto's S3 server, behind a botocore signature check ----
#
# tests/e2e/moto_front.py runs moto's server and, in front of it, a check
# of every request's SigV4 signature by botocore (nothing shared with
# archivist's signer); a request signed wrongly is answered 403 and never
# reaches moto.  Credentials: the same as the mock's (minioadmin).

# moto_find: sets MOTO_PY to a python3 with moto's server and botocore;
# returns non-zero when there is none.
moto_find() {
	local p
	MOTO_PY=""
	for p in /usr/bin/python3 python3; do
		MOTO_PY=$("$p" -c 'import sys, moto.server, botocore, werkzeug
print(sys.executable)' 2>/dev/null) && [ -x "$MOTO_PY" ] && return 0
	done
	MOTO_PY=""
	return 1
}

# moto_start: starts moto and its front on free 127.0.0.1 ports; sets
# MOTO_URL, MOTO_PORT, MOTO_PID and MOTO_LOG (the front's request log:
# one JSON line per request with method, path, query, status and auth),
# and stops them when the script ends.  Returns non-zero if moto is not
# installed (MOTO_MISSING=1) or does not start.
moto_start() {
	local dir i
	MOTO_MISSING=0
	moto_find || { MOTO_MISSING=1; return 1; }
	dir=$(mktemp -d "$TMP/moto.XXXXXX")
	MOTO_LOG="$dir/requests.log"
	"$MOTO_PY" "$ROOT/tests/e2e/moto_front.py" "$dir/port" "$MOTO_LOG" \
		minioadmin minioadmin >"$dir/server.log" 2>&1 </dev/null &
	MOTO_PID=$!
	on_exit "moto_stop $MOTO_PID"
	for i in $(seq 1 300); do
		if [ -s "$dir/port" ]; then
			read -r MOTO_PORT _ <"$dir/port"
			MOTO_URL="http://127.0.0.1:$MOTO_PORT"
			return 0
		fi
		kill -0 "$MOTO_PID" 2>/dev/null || break
		sleep 0.05
	done
	sed 's/^/# moto: /' "$dir/server.log" >&2
	moto_stop "$MOTO_PID"
	return 1
}

# moto_stop [PID]: stops the moto started by moto_start (SIGTERM, then
# SIGKILL after 5 s) and waits for it.
moto_stop() {
	local pid=${1:-${MOTO_PID:-}} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# moto_env: exports the credentials, region and endpoint of moto for
# archivist, the aws CLI and boto3 (the boto helper uses $S3_URL).
moto_env() {
	export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_ENDPOINT_URL=$MOTO_URL S3_URL=$MOTO_URL
	unset AWS_SESSION_TOKEN AWS_PROFILE
}

# moto_setup: the start of a test against moto: boto3, moto and its
# environment, no real AWS files.  Without moto (or boto3) the whole
# script is one visible skip, by name, and exits 0.
moto_setup() {
	if ! boto_find || ! moto_find; then
		skip "$(basename "$0")" "moto not installed (pip install 'moto[server]')"
		finish
		exit 0
	fi
	moto_start || { not_ok "moto starts"; finish; exit 1; }
	moto_env
	LOG=$MOTO_LOG
	export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
}

# moto_race BUCKET/KEY: another writer writes other bytes at the key
# just before archivist's next write of it reaches moto.
moto_race() {
	curl -fsS -X POST --data-binary "$1" "$MOTO_URL/_front/race" >/dev/null
}

# moto_max_keys N: moto answers lists with pages of at most N keys.
moto_max_keys() {
	curl -fsS -X POST --data-binary "$1" "$MOTO_URL/_front/max-keys" >/dev/null
}

# moto_rejected MARK: the requests since MARK that the front refused
# (bad signature etc.), one JSON line each.
moto_rejected() {
	log_since "$1" | grep -v '"auth":"ok"'
}
