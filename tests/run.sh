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
cd "$(dirname "$0")/.."
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

run_one() {	# BUILD NAME COMMAND...
	local build=$1 name=$2 out rc p=0 f=0 s=0 t0 secs
	shift 2
	out="$log_dir/out"
	t0=$SECONDS
	timeout -k 10 "${TEST_TIMEOUT:-600}" "$@" >"$out" 2>"$log_dir/err" </dev/null
	rc=$?
	secs=$((SECONDS - t0))
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
		sed 's/^/    | /' "$log_dir/err" | tail -n 40
	else
		if [ "$s" -gt 0 ]; then echo "ok   [$build] $name: $p passed, $s skipped (${secs} s)"; else echo "ok   [$build] $name: $p passed (${secs} s)"; fi
		grep -Ei '^ok [0-9]+.*# skip' "$out" | sed 's/^/    /'
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$s" -gt 0 ] && skipped_in+=("[$build] $name")
	return 0
}

for build in "$@"; do
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		selected "$(basename "$t")" || continue
		run_one "$build" "$(basename "$t")" "$t"
	done
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		selected "$(basename "$t")" || continue
		BUILD="$build" run_one "$build" "$(basename "$t")" bash "$t"
	done
done

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
	elif ! make --no-print-directory -j2 fuzz-build >"$log_dir/fuzz-build" 2>&1; then
		echo "FAIL [fuzz] make fuzz-build"
		tail -n 40 "$log_dir/fuzz-build" | sed 's/^/    | /'
		failed=$((failed + 1))
	else
		run_one fuzz fuzz_targets tests/fuzz/run.sh "$fuzz_secs"
	fi
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ ${#skipped_in[@]} -gt 0 ]; then
	echo "skipped in:"
	printf '    %s\n' "${skipped_in[@]}"
fi
[ "$failed" -eq 0 ]
