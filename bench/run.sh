#!/usr/bin/env bash
# Runs the benchmarks (all, or those named) and writes each one's table
# to bench/out/result.NAME.md as well as stdout.  Run by hand or with
# `make bench [BENCH=NAME...]`; never by make check.  Level 22 runs take
# minutes each: the whole set takes about an hour on 2 idle cores.
#
# usage: bench/run.sh [recompress|migrate|migrate-many|transfer|list|scaling|batch|put|matrix|jobs]...
# (jobs, the zstd job-layout sweep, runs only when named)
source "$(dirname "$0")/lib.sh"
all=(recompress transfer list migrate migrate-many scaling batch put matrix)
[ $# -gt 0 ] || set -- "${all[@]}"
for b in "$@"; do
	[ -x "$BENCH_DIR/$b.sh" ] || die "no benchmark '$b' (one of: ${all[*]})"
done
[ -x "$ARCHIVIST" ] || die "no $ARCHIVIST: run make first"
bench_need /usr/bin/time time
for b in "$@"; do
	echo "## $b ($(date -u +%FT%TZ))"
	"$BENCH_DIR/$b.sh" | tee "$OUT/result.$b.md"
	echo
done
