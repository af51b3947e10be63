#!/usr/bin/env bash
# Runs every test program against one or more build directories and prints
# one closing line: "N passed, N failed[, N skipped]", then the programs
# that skipped something, by name.
#
# A test program speaks TAP on stdout: "ok N - name", "not ok N - name",
# "ok N - name # SKIP reason".  A program that exits non-zero without
# reporting a failure counts as one failure (a crash, a sanitizer report).
#
# usage: tests/run.sh BUILD_DIR...   (TESTS='glob' limits the programs)
set -u
cd "$(dirname "$0")/.." || exit
export CMOCKA_MESSAGE_OUTPUT=TAP
# A sanitizer report exits 86: a test expecting exit 1 or 2 from a failing
# command must not take a leak or an overflow report for it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}
passed=0 failed=0 skipped=0
skipped_in=()	# "[build] name" of each program that skipped something
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/archivist-tests.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

# selected NAME: 1 if NAME matches one of the space-separated globs in TESTS.
selected() {
	local g globs
	[ -n "${TESTS:-}" ] || return 0
	read -ra globs <<<"$TESTS"	# no pathname expansion of the globs
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2254
		case "$1" in $g) return 0 ;; esac
	done
	return 1
}

# start_one DIR COMMAND...: runs COMMAND with its stdout, stderr, exit
# status and elapsed seconds in DIR.
start_one() {
	local dir=$1 t0
	shift
	t0=$SECONDS
	timeout -k 10 "${TEST_TIMEOUT:-600}" "$@" >"$dir/out" 2>"$dir/err" </dev/null
	echo $? >"$dir/rc"
	echo $((SECONDS - t0)) >"$dir/secs"
}

# report_one BUILD NAME DIR: counts and prints what start_one left in DIR.
report_one() {
	local build=$1 name=$2 dir=$3 out rc p=0 f=0 s=0 secs
	out="$dir/out"
	rc=$(cat "$dir/rc" 2>/dev/null || echo 125)
	secs=$(cat "$dir/secs" 2>/dev/null || echo "?")
	p=$(grep -Ec '^ok [0-9]+' "$out")
	s=$(grep -Eic '^ok [0-9]+.*# skip' "$out")
	f=$(grep -Ec '^not ok [0-9]+' "$out")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$out"
	fi
	if [ $((p + f + s)) -eq 0 ]; then	# it ran nothing: not a pass
		f=1
		echo "not ok - $name reported no test" >>"$out"
	fi
	if [ "$f" -gt 0 ]; then
		echo "FAIL [$build] $name: $p passed, $f failed, $s skipped (${secs} s)"
		grep -E '^not ok' "$out" | sed 's/^/    /'
		sed 's/^/    | /' "$dir/err" | tail -n 40
	else
		if [ "$s" -gt 0 ]; then echo "ok   [$build] $name: $p passed, $s skipped (${secs} s)"; else echo "ok   [$build] $name: $p passed (${secs} s)"; fi
		grep -Ei '^ok [0-9]+.*# skip' "$out" | sed 's/^/    /'
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$s" -gt 0 ] && skipped_in+=("[$build] $name")
	return 0
}

# The programs run side by side, TEST_JOBS at a time (default: one more
# than the cores, since some wait on timers and servers); each has its own servers and ports, and their
# reports are printed in order once all have ended.  The longest start
# first (the fuzz targets, then the end-to-end tests named in SLOW, the
# sanitizer build's before the plain one's), so that no long one is left
# running alone at the end.
jobs=${TEST_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
SLOW="test_secrets.sh test_layout.sh test_creds.sh test_recompress.sh
test_faults.sh test_moto.sh test_history.sh test_migrate.sh test_manifest.sh"
names=() n=0
queue() {	# BUILD NAME COMMAND...
	local build=$1 name=$2
	shift 2
	n=$((n + 1))
	mkdir "$log_dir/$n"
	names+=("$build $name")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	start_one "$log_dir/$n" "$@" &
}
queue_e2e() {	# BUILD TEST
	selected "$(basename "$2")" || return 0
	queue "$1" "$(basename "$2")" env BUILD="$1" bash "$2"
}

# libFuzzer targets: built once (make fuzz-build), each run briefly on its
# seed corpus and counted as one test.  FUZZ_SECONDS per target (default
# 5; 0 leaves them out); TESTS selects them as "fuzz_targets".
fuzz_secs=${FUZZ_SECONDS:-5}
selected fuzz_targets || fuzz_secs=0
if [ "$fuzz_secs" != 0 ]; then
	if ! command -v clang >/dev/null; then
		echo "ok   [fuzz] fuzz_targets: skipped (no clang)"
		skipped=$((skipped + 1))
		skipped_in+=("[fuzz] fuzz_targets (no clang)")
	elif ! make --no-print-directory -j"$jobs" fuzz-build >"$log_dir/fuzz-build" 2>&1; then
		echo "FAIL [fuzz] make fuzz-build"
		tail -n 40 "$log_dir/fuzz-build" | sed 's/^/    | /'
		failed=$((failed + 1))
	else
		queue fuzz fuzz_targets tests/fuzz/run.sh "$fuzz_secs"
	fi
fi

builds=("$@")
for slow in $SLOW; do
	for ((i = ${#builds[@]} - 1; i >= 0; i--)); do
		[ -f "tests/e2e/$slow" ] && queue_e2e "${builds[$i]}" "tests/e2e/$slow"
	done
done
for build in "$@"; do
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		case " ${SLOW//$'\n'/ } " in *" $(basename "$t") "*) continue ;; esac
		queue_e2e "$build" "$t"
	done
done
for build in "$@"; do
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		selected "$(basename "$t")" || continue
		queue "$build" "$(basename "$t")" "$t"
	done
done
wait
for i in $(seq 1 "$n"); do
	read -r b name <<<"${names[$((i - 1))]}"
	report_one "$b" "$name" "$log_dir/$i"
done

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ ${#skipped_in[@]} -gt 0 ]; then
	echo "skipped in:"
	printf '    %s\n' "${skipped_in[@]}"
fi
[ "$failed" -eq 0 ]
