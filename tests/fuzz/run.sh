#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ (or the ones named) for
# SECONDS each (default 60), starting from its seed corpus
# tests/fuzz/corpus/NAME/ (read only: new inputs go to a temporary
# directory).  Crash inputs are kept in build-fuzz/artifacts/; reproduce
# with build-fuzz/fuzz_NAME build-fuzz/artifacts/FILE.  Speaks TAP, one
# test per target (tests/run.sh counts them); exits non-zero if any
# target finds a crash, or is not built, or there is none.
#
# usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   (make fuzz FUZZ_SECONDS=N)
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
# every target in tests/fuzz/ unless some are named: each must be built
if [ ${#targets[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		[ -f "$src" ] || continue
		src=${src##*/}
		targets+=("build-fuzz/${src%.c}")
	done
fi
mkdir -p build-fuzz/artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/archivist-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0 failed=0
for bin in "${targets[@]}"; do
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	n=$((n + 1))
	if [ ! -x "$bin" ]; then	# a runner that ran nothing must not pass
		failed=$((failed + 1))
		echo "not ok $n - fuzz_$name: $bin is not built (make fuzz-build)"
		continue
	fi
	mkdir -p "$work/$name"
	# the first corpus directory receives new inputs: the temporary one
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/artifacts/"$name"- \
		"$work/$name" $([ -d "$seeds" ] && echo "$seeds") \
		>"$work/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - fuzz_$name: ${runs:-?} runs in ${secs}s"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz_$name: exit $rc"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==|#[0-9]+ 0x' \
			"$work/$name.log" | head -n 30 | sed 's/^/#   /' >&2
	fi
done
if [ "$n" -eq 0 ]; then
	n=1 failed=1
	echo "not ok 1 - no fuzz target to run"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
