#!/usr/bin/env bash
# Runs each libFuzzer target in build-fuzz/ for SECONDS (default 60) on its
# seed corpus tests/fuzz/corpus/NAME/, and reports one TAP line per target.
# New inputs and crash files go to a temporary directory, never into the
# repository; a crash's input is kept in build-fuzz/crashes/ to reproduce
# it: build-fuzz/fuzz_NAME build-fuzz/crashes/FILE.
#
# usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   (after `make fuzz-build`)
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(build-fuzz/fuzz_*)
work=$(mktemp -d "${TMPDIR:-/tmp}/archivist-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0 failed=0
for bin in "${targets[@]}"; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	n=$((n + 1))
	mkdir -p "$work/$name"
	# the first corpus directory receives new inputs: the temporary one
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix="$work/$name-" "$work/$name" \
		$([ -d "$seeds" ] && echo "$seeds") >"$work/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $name: ${runs:-?} runs in ${secs}s"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name: exit $rc"
		mkdir -p build-fuzz/crashes
		cp "$work/$name"-* build-fuzz/crashes/ 2>/dev/null
		grep -E 'ERROR|SUMMARY|==[0-9]+==|#[0-9]+ 0x' "$work/$name.log" |
			head -n 30 | sed 's/^/#   /' >&2
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
