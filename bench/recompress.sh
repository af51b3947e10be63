#!/usr/bin/env bash
# Benchmark 1: recompression of a ~170 MB real CPython tar.gz (see
# bench_big_input in lib.sh) at zstd level 22 long mode:
#   archivist recompress --pyc keep --keep-opt-pyc IN OUT
# against
#   gzip -dc IN | zstd -22 --ultra --long -T0 > OUT
# interleaved, BENCH_RUNS times each (default 3), then the default mode
# (pycs rewritten, opt pycs dropped) once, for its size.
# Targets: wall <= 0.65 x the CLI's, size <= +0.5 %, peak RSS <= 2 GB.
#
# usage: bench/recompress.sh      (BENCH_LEVEL=N to try another level)
source "$(dirname "$0")/lib.sh"
N=${BENCH_RUNS:-3}
L=${BENCH_LEVEL:-22}
bench_need zstd
IN=$(bench_big_input)
R=$OUT/recompress
mkdir -p "$R"
trap 'rm -f "$R"/*.zst' EXIT
bench_machine; bench_load
tarsize=$(gzip -dc "$IN" | wc -c)
note "bench: $IN: $(stat -c %s "$IN") bytes, tar $tarsize bytes; level $L, $N runs"
bench_reset rc.cli rc.archivist rc.default
for ((r = 1; r <= N; r++)); do
	bench_run rc.cli sh -c 'gzip -dc "$1" | zstd -'"$L"' --ultra --long -T0 -q >"$2"' \
		sh "$IN" "$R/cli.tar.zst"
	bench_run rc.archivist "$ARCHIVIST" -q --no-progress recompress --level "$L" \
		--pyc keep --keep-opt-pyc "$IN" "$R/keep.tar.zst"
	bench_load >&2
done
bench_run rc.default "$ARCHIVIST" -q --no-progress recompress --level "$L" "$IN" "$R/default.tar.zst"
bench_load
# --pyc keep --keep-opt-pyc must give back the very tar.
cmp <(zstd -dcq "$R/keep.tar.zst") <(gzip -dc "$IN") || die "keep mode changed the tar"
zstd -tq "$R/default.tar.zst" || die "default output does not decompress"
gz=$(stat -c %s "$IN"); cli=$(stat -c %s "$R/cli.tar.zst")
keep=$(stat -c %s "$R/keep.tar.zst"); def=$(stat -c %s "$R/default.tar.zst")
deftar=$(zstd -dcq "$R/default.tar.zst" | wc -c)
wc_=$(bench_median rc.cli 1); wa=$(bench_median rc.archivist 1)
echo
echo "input: $(basename "$IN"), $gz bytes gzip -6, tar $tarsize bytes; level $L"
echo
echo "$BENCH_HEAD output bytes |"
echo "|---|---|---|---|---|---|---|"
echo "$(bench_row rc.cli) $cli |"
echo "$(bench_row rc.archivist) $keep |"
echo "$(bench_row rc.default) $def |"
echo
echo "wall: archivist / CLI = $(calc "$wa / $wc_" 3) (target <= 0.65)"
echo "size: archivist keep / CLI = $(calc "($keep / $cli - 1) * 100" 2) % (target <= +0.5 %)"
echo "peak RSS: archivist $(calc "$(bench_median rc.archivist 2) / 1024" 0) MB (target <= 2048)"
echo "default mode: $def bytes (tar $deftar) = $(calc "$def / $gz * 100" 1) % of the gzip," \
	"$(calc "$def / $cli * 100" 1) % of the CLI's"
