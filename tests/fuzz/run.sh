#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ for SECONDS each (default 60),
# starting from its seed corpus tests/fuzz/corpus/NAME/ (read only: new
# inputs go to a temporary directory).  Crash inputs are kept in
# build-fuzz/artifacts/.  Exits non-zero if any target finds a crash.
#
# usage: tests/fuzz/run.sh [SECONDS]     (make fuzz FUZZ_SECONDS=N)
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
failed=0 ran=0
mkdir -p build-fuzz/artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/archivist-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	mkdir -p "$work/$name"
	ran=$((ran + 1))
	if "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix=build-fuzz/artifacts/"$name"- \
		"$work/$name" $( [ -d "$seeds" ] && echo "$seeds") \
		>"$work/$name.log" 2>&1; then
		echo "ok   fuzz_$name: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' \
			"$work/$name.log" | grep -Eo '[0-9]+$') runs in ${secs}s"
	else
		failed=$((failed + 1))
		echo "FAIL fuzz_$name:"
		grep -E 'ERROR|SUMMARY|Test unit written' "$work/$name.log" |
			sed 's/^/    /'
	fi
done
echo "$ran fuzz targets, $failed failed"
[ "$failed" -eq 0 ]
