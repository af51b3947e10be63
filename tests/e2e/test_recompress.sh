#!/usr/bin/env bash
# archivist recompress against archives made by GNU tar (gnu and pax
# formats), Python's tarfile (pax, and GNU with base-256 numbers) and
# bsdtar, each plain, gzip'ed, gzip'ed in two members and zstd'ed; the
# results are checked with the zstd CLI, GNU tar (list, extract, diff -r,
# tar -d) and Python.  Bad inputs must fail with exit 1, a clear message
# and no output file.  Small inputs and zstd level 1-3 keep it fast.
. "$(dirname "$0")/lib.sh"

T=$TMP/tree
TAG=$(python3 -c 'import sys; print(sys.implementation.cache_tag)')
LONGDIR=$(printf 'd%.0s' $(seq 1 120))
MOD_PYC=pkg/__pycache__/m.$TAG.pyc
OPT1_PYC=pkg/__pycache__/m.$TAG.opt-1.pyc

# The tree: pycs at three optimisation levels (identical ones hardlinked,
# as compileall --hardlink-dupes does, so the plain pyc and a link
# elsewhere point at the .opt-1.pyc), long names and link names,
# symlinks, hardlinks, a far-future mtime, 2 MB of data.
make_tree() {
	mkdir -p "$T/pkg/sub" "$T/$LONGDIR/$(printf 'e%.0s' $(seq 1 100))"
	printf 'X = 1\n\ndef f(x):\n    return x * 2\n' >"$T/pkg/m.py"
	printf '"""doc"""\ndef g(x):\n    assert x\n    return x\n' >"$T/pkg/doc.py"
	printf '' >"$T/pkg/sub/__init__.py"
	printf 'Y = 2\n' >"$T/pkg/sub/stale.py"
	head -c 1500000 /dev/urandom | base64 >"$T/data.txt"
	printf 'deep\n' >"$T/$LONGDIR/$(printf 'e%.0s' $(seq 1 100))/$(printf 'f%.0s' $(seq 1 60)).txt"
	ln -s "$(printf 't%.0s' $(seq 1 150))" "$T/longsym"
	ln -s pkg/m.py "$T/sym"
	ln "$T/data.txt" "$T/data-link.txt"
	find "$T" -exec touch -h -d @1700000000 {} +
	python3 -m compileall -q -o 0 -o 1 -o 2 --hardlink-dupes "$T/pkg" >/dev/null
	ln "$T/$OPT1_PYC" "$T/pkg/alias.pyc"
	touch -d @1700000100 "$T/pkg/sub/stale.py"	# its pyc is now stale
	printf 'far future\n' >"$T/future.txt"
	touch -d @9000000000 "$T/future.txt"	# > 8^11: base-256 in gnu format
}

make_inputs() {
	local py
	(cd "$T" && tar --format=gnu --sort=name -cf "$TMP/gnu.tar" .) &&
	(cd "$T" && tar --format=pax --sort=name -cf "$TMP/pax.tar" .) &&
	bsdtar -cf "$TMP/bsd.tar" -C "$T" . &&
	py='import sys, tarfile
def uid(ti):
    if ti.name.endswith("future.txt"): ti.uid = 8 ** 7 + 1
    return ti
fmt = tarfile.GNU_FORMAT if sys.argv[2] == "gnu" else tarfile.PAX_FORMAT
with tarfile.open(sys.argv[1], "w", format=fmt) as t:
    t.add(sys.argv[3], arcname=".", filter=uid)' &&
	python3 -c "$py" "$TMP/pygnu.tar" gnu "$T" &&
	python3 -c "$py" "$TMP/pypax.tar" pax "$T"
}

# compress NAME KIND: NAME.tar -> the input file of that kind; prints it.
compress() {
	local t=$TMP/$1.tar
	case $2 in
	tar) echo "$t" ;;
	gz) gzip -c -6 "$t" >"$t.gz" && echo "$t.gz" ;;
	gz2) head -c 700000 "$t" | gzip -c >"$t.gz2" &&
		tail -c +700001 "$t" | gzip -c >>"$t.gz2" && echo "$t.gz2" ;;
	zst) zstd -q -3 -c "$t" >"$t.zst" && echo "$t.zst" ;;
	esac
}

# frame_ok FILE: zstd -t passes; zstd -lv shows window <= 128 MiB,
# XXH64 and the decompressed size.
frame_ok() {
	local lv win
	zstd -q -t "$1" || return 1
	lv=$(zstd -lv "$1" 2>&1)
	win=$(printf '%s\n' "$lv" | sed -n 's/^Window Size:.*(\([0-9]*\) B)$/\1/p')
	[ -n "$win" ] && [ "$win" -le 134217728 ] &&
	printf '%s\n' "$lv" | grep -q '^Check: XXH64' &&
	printf '%s\n' "$lv" | grep -q '^Decompressed Size: .*([0-9]* B)'
}

# pycs_ok IN_DIR OUT_DIR: each pyc of OUT equals IN's except bytes 4-15,
# flags 1 where they changed; at least the fresh ones changed.
pycs_ok() {
	python3 - "$1" "$2" <<'EOF'
import os, sys
a, b = sys.argv[1:]
changed = 0
for root, _, files in os.walk(b):
    for f in files:
        if not f.endswith(".pyc"):
            continue
        q = os.path.join(root, f)
        p = os.path.join(a, os.path.relpath(q, b))
        x, y = open(p, "rb").read(), open(q, "rb").read()
        if len(x) != len(y) or x[:4] != y[:4] or x[16:] != y[16:]:
            sys.exit("%s: changed outside bytes 4-15" % q)
        if x != y:
            changed += 1
            if y[4:8] != b"\x01\0\0\0":
                sys.exit("%s: flags %r" % (q, y[4:8]))
        elif "stale" not in f and "__pycache__" in root:
            sys.exit("%s: fresh pyc not rewritten" % q)
print(changed)
sys.exit(0 if changed >= 3 else "only %d pycs changed" % changed)
EOF
}

extract_input() {	# TAR DIR: extract, drop the opt pycs
	mkdir -p "$2" && tar -xf "$1" -C "$2" &&
		find "$2" -name '*.opt-[12].pyc' -delete
}

same_inode() { [ "$(stat -c %i "$1")" = "$(stat -c %i "$2")" ]; }

no_leftovers() {	# DIR: no temporary output files
	[ -z "$(find "$1" -maxdepth 1 -name '*.archivist-*')" ]
}

make_tree
check "make the test archives (GNU tar, bsdtar, Python)" make_inputs

# Keep mode with opt pycs kept: the decompressed output is the input,
# whatever made and compressed it.
for name in gnu pax bsd pygnu pypax; do
	for kind in tar gz gz2 zst; do
		in=$(compress "$name" "$kind")
		out=$TMP/keep-$name-$kind.tar.zst
		check "$name.$kind: recompress --pyc keep --keep-opt-pyc" \
			"$AV" recompress "$in" "$out" --level 1 --pyc keep --keep-opt-pyc
		check "$name.$kind: decompressed output = input tar" \
			cmp <(zstd -dc "$out") "$TMP/$name.tar"
	done
done
check "keep output is a valid frame (zstd -t, -lv)" frame_ok "$TMP/keep-gnu-gz.tar.zst"

# Default mode on each format: structure, content, links, pycs.
for name in gnu pax bsd pygnu pypax; do
	in=$(compress "$name" gz)
	out=$TMP/$name.tar.zst
	check "$name: recompress (unchecked-hash, opt pycs dropped)" \
		"$AV" recompress "$in" "$out" --level 3
	check "$name: zstd -t, window <= 128 MiB, XXH64, content size" frame_ok "$out"
	check "$name: tar -t lists it" tar --zstd -tf "$out"
	rm -rf "$TMP/in-$name" "$TMP/out-$name"
	extract_input "$TMP/$name.tar" "$TMP/in-$name"
	mkdir -p "$TMP/out-$name"
	check "$name: tar --zstd -x" tar --zstd -xf "$out" -C "$TMP/out-$name"
	check "$name: diff -r with the input (pycs apart)" \
		diff -r --no-dereference -x '*.pyc' "$TMP/in-$name" "$TMP/out-$name"
	check "$name: no opt pyc left" \
		test -z "$(find "$TMP/out-$name" -name '*.opt-*')"
	check "$name: pycs changed in bytes 4-15 only, fresh ones to flags 1" \
		pycs_ok "$TMP/in-$name" "$TMP/out-$name"
	check "$name: the hardlink through the dropped opt pyc resolves" \
		same_inode "$TMP/out-$name/pkg/alias.pyc" "$TMP/out-$name/$MOD_PYC"
	check "$name: other hardlinks kept" \
		same_inode "$TMP/out-$name/data.txt" "$TMP/out-$name/data-link.txt"
done

# GNU tar compares the archive with the input tree (opt pycs removed):
# content, modes, mtimes, owners, symlinks and hardlinks.
for name in gnu pax; do
	in=$(compress "$name" tar)
	check "$name: recompress --pyc keep" "$AV" recompress "$in" \
		"$TMP/k-$name.tar.zst" --level 2 --pyc keep
	check "$name: tar -d against the input tree" \
		tar --zstd -df "$TMP/k-$name.tar.zst" -C "$TMP/in-$name"
done

# Reproducible: the bytes do not depend on the zstd worker count, on the
# input's compression or on stdin/stdout.
"$AV" recompress "$TMP/gnu.tar.gz" "$TMP/w1.tar.zst" --level 3 --workers 1 2>/dev/null
"$AV" recompress "$TMP/gnu.tar.gz" "$TMP/w2.tar.zst" --level 3 --workers 2 2>/dev/null
"$AV" recompress "$TMP/gnu.tar.zst" "$TMP/w3.tar.zst" --level 3 --workers 3 2>/dev/null
"$AV" recompress - - --level 3 <"$TMP/gnu.tar" >"$TMP/w4.tar.zst" 2>/dev/null
check "same output for --workers 1 and 2" cmp "$TMP/w1.tar.zst" "$TMP/w2.tar.zst"
check "same output from .tar.zst input, 3 workers" cmp "$TMP/w1.tar.zst" "$TMP/w3.tar.zst"
check "same output through stdin and stdout" cmp "$TMP/w1.tar.zst" "$TMP/w4.tar.zst"
# The level is zstd's: with the transform off, the bytes are what the zstd
# command gives at that level with the same window (--long=27).
for L in 1 3 12; do
	"$AV" recompress "$TMP/gnu.tar" "$TMP/l$L.tar.zst" --level $L --workers 1 --pyc keep --keep-opt-pyc 2>/dev/null
	zstd -q -f -$L --long=27 "$TMP/gnu.tar" -o "$TMP/z$L.tar.zst"
	check "--level $L: the bytes zstd -$L --long=27 makes" cmp "$TMP/l$L.tar.zst" "$TMP/z$L.tar.zst"
done
check "recompressing an output again changes nothing" \
	sh -c "'$AV' recompress '$TMP/w1.tar.zst' '$TMP/w5.tar.zst' --level 3 2>/dev/null &&
	       cmp '$TMP/w1.tar.zst' '$TMP/w5.tar.zst'"

# The report: stderr lines and one JSON line that match the file.
"$AV" --json recompress "$TMP/gnu.tar.gz" "$TMP/j.tar.zst" --level 3 \
	>"$TMP/j.json" 2>"$TMP/j.err"
check_match "stderr names the sha256 and size" \
	"sha256 $(sha256sum "$TMP/j.tar.zst" | cut -c1-64)  size $(stat -c %s "$TMP/j.tar.zst")" \
	"$(cat "$TMP/j.err")"
check_match "stderr counts pycs and drops" \
	"opt pycs dropped.*hardlinks made files, 1 relinked" "$(cat "$TMP/j.err")"
check "--json: one object with sha256, size and counts" python3 - \
	"$TMP/j.json" "$TMP/j.tar.zst" <<'EOF'
import hashlib, json, os, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
j = json.loads(lines[0])
data = open(sys.argv[2], "rb").read()
assert j["command"] == "recompress" and j["output"] == sys.argv[2], j
assert j["sha256"] == hashlib.sha256(data).hexdigest(), j
assert j["size"] == len(data) == os.path.getsize(sys.argv[2]), j
assert j["input_format"] == "gzip" and j["level"] == 3, j
assert j["opt_pycs_dropped"] >= 4 and j["pyc"]["rewritten"] >= 3, j
assert j["pyc"]["stale"] == 1 and j["links_redirected"] == 1, j
assert j["bytes_saved"] == j["tar_size_in"] - j["tar_size_out"] > 0, j
EOF

# Bad input: exit 1, a clear message, no output and no temporary file.
mkdir -p "$TMP/bad"
bad() {	# DESC PATTERN FILE
	local rc
	"$AV" recompress "$3" "$TMP/bad/out.tar.zst" --level 1 >/dev/null 2>"$TMP/bad.err"
	rc=$?
	if [ "$rc" -ne 1 ]; then not_ok "$1" "exit $rc, wanted 1" "$(cat "$TMP/bad.err")"
	elif ! grep -Eq "archivist: error: .*$2" "$TMP/bad.err"; then
		not_ok "$1" "message does not match /$2/:" "$(cat "$TMP/bad.err")"
	elif [ -e "$TMP/bad/out.tar.zst" ] || ! no_leftovers "$TMP/bad"; then
		not_ok "$1" "output left behind: $(ls "$TMP/bad")"
	else ok "$1"; fi
	rm -f "$TMP/bad/"*
}
gz=$TMP/gnu.tar.gz
cp "$gz" "$TMP/corrupt.gz"
printf 'XXXXXXXX' | dd of="$TMP/corrupt.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
bad "corrupt gzip" "corrupt gzip data" "$TMP/corrupt.gz"
head -c 300000 "$gz" >"$TMP/trunc.gz"
bad "truncated gzip" "gzip data truncated" "$TMP/trunc.gz"
{ cat "$gz"; printf 'trailing junk'; } >"$TMP/junk.gz"
bad "gzip with trailing garbage" "trailing garbage" "$TMP/junk.gz"
head -c 500000 "$TMP/gnu.tar.zst" >"$TMP/trunc.zst"
bad "truncated zstd" "zstd data truncated" "$TMP/trunc.zst"
printf 'hello, this is not an archive\n%.0s' $(seq 1 100) >"$TMP/text"
bad "not an archive" "not a tar archive" "$TMP/text"
printf '' >"$TMP/empty"
bad "empty input" "empty input" "$TMP/empty"
cp "$TMP/gnu.tar" "$TMP/badsum.tar"
at=$(python3 -c 'import sys, tarfile; print(tarfile.open(sys.argv[1]).getmembers()[3].offset)' "$TMP/gnu.tar")
printf 'Z' | dd of="$TMP/badsum.tar" bs=1 seek=$((at + 5)) conv=notrunc 2>/dev/null
bad "bad header checksum" "bad header checksum at offset $at" "$TMP/badsum.tar"
head -c 1000000 "$TMP/gnu.tar" >"$TMP/trunc.tar"
bad "truncated tar (size past the end)" "archive truncated" "$TMP/trunc.tar"
printf 'x' | xz -c >"$TMP/x.xz" 2>/dev/null || printf '\3757zXZ\0' >"$TMP/x.xz"
bad "xz input" "xz input is not supported" "$TMP/x.xz"
check_status "OUT is a directory: exit 1" 1 \
	"$AV" recompress "$gz" "$TMP/bad" --level 1
check "OUT /dev/null is written to, not replaced" sh -c \
	"'$AV' recompress '$gz' /dev/null --level 1 && test -c /dev/null"
check_status "unwritable output directory: exit 1" 1 \
	"$AV" recompress "$gz" "$TMP/no/such/dir/out.tar.zst" --level 1

# Usage errors: exit 2, nothing written.
check_status "no arguments: exit 2" 2 "$AV" recompress
check_status "one argument: exit 2" 2 "$AV" recompress "$gz"
check_status "--level 0: exit 2" 2 "$AV" recompress "$gz" "$TMP/bad/o" --level 0
check_status "--level 23: exit 2" 2 "$AV" recompress "$gz" "$TMP/bad/o" --level 23
check_status "--pyc bogus: exit 2" 2 "$AV" recompress "$gz" "$TMP/bad/o" --pyc bogus
check_status "unknown option: exit 2" 2 "$AV" recompress "$gz" "$TMP/bad/o" --fast
check_status "missing input: exit 2" 2 "$AV" recompress "$TMP/nonexistent.tar" "$TMP/bad/o"
check_status "a directory as input: exit 2" 2 "$AV" recompress "$TMP/bad" "$TMP/bad/o"
check "no output after usage errors" test ! -e "$TMP/bad/o"
check_match "--help tells the flags" "--keep-opt-pyc.*--workers" \
	"$("$AV" recompress --help | tr '\n' ' ')"

# Interrupted (SIGTERM while compressing): no output, no temporary file.
mkdir -p "$TMP/int"
head -c 30000000 /dev/urandom >"$TMP/int/big.bin"
tar -C "$TMP/int" -cf "$TMP/int/in.tar" big.bin
"$AV" -q recompress "$TMP/int/in.tar" "$TMP/int/out.tar.zst" --level 19 &
pid=$!
for _ in $(seq 1 50); do	# until the temporary output exists
	compgen -G "$TMP/int/out.tar.zst.archivist-*" >/dev/null && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM ends recompress with that signal" 143 "$?"
check_eq "an interrupted recompress leaves no output and no temporary file" "" \
	"$(cd "$TMP/int" && ls out.tar.zst* 2>/dev/null)"
finish
