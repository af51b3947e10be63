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
