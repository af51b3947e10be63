#!/usr/bin/env bash
# pyc normalisation against each real CPython 3.7-3.13 from pyenv.
#
# For each interpreter: compile a small package (timestamp pycs, plus -O
# and -OO opt pycs), make some sources stale, archive it with GNU tar and
# gzip, run `archivist recompress`, extract, and check with the
# interpreter itself that
# - fresh pycs now carry exactly the header py_compile would write in the
#   chosen mode (magic, flags 1 or 3, importlib.util.source_hash), with the
#   code object unchanged; opt pycs are gone; stale pycs and every other
#   file are byte-identical (pyc_check_tree.py);
# - `python --check-hash-based-pycs always` imports the package from
#   those pycs without recompiling or writing anything (every file's bytes
#   and mtime, and the file list, are the same before and after), while
#   importing a stale module does rewrite its pyc (so the check can fail).
. "$(dirname "$0")/lib.sh"

PYENV_VERSIONS=${PYENV_ROOT:-$HOME/.pyenv}/versions
HERE="$ROOT/tests/e2e"
unset SOURCE_DATE_EPOCH	# would make compileall write checked-hash pycs
unset PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX PYTHONHOME PYTHONPATH

# The newest installed patch release of a minor version, or nothing.
find_python() {
	local d
	d=$(ls -d "$PYENV_VERSIONS/$1".* 2>/dev/null |
		grep -E "/$1\.[0-9]+\$" | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/bin/python" ] && echo "$d/bin/python"
}

# make_tree PY DIR: the package, compiled three ways, with stale sources.
make_tree() {
	local py=$1 root=$2/pkg
	mkdir -p "$root/sub"
	printf '"""pkg"""\nfrom . import a\n' >"$root/__init__.py"
	printf 'def f(x):\n    assert x\n    return x * 2\n' >"$root/a.py"
	printf '' >"$root/sub/__init__.py"
	printf 'X = "b\\xc3\\xa9"\n"""doc"""\n' >"$root/sub/b.py"
	printf 'Y = 1\n' >"$root/stale_content.py"
	printf 'Z = 1\n' >"$root/stale_mtime.py"
	printf 'import notapkg\n' >"$root/readme.txt"
	find "$2" -type f -exec touch -d @1700000000 {} +
	"$py" -m compileall -q "$2" >/dev/null &&
	"$py" -O -m compileall -q "$2" >/dev/null &&
	"$py" -OO -m compileall -q "$2" >/dev/null || return 1
	# Edited after compiling, same mtime: only the size tells.
	printf 'Y = 22\n' >"$root/stale_content.py"
	touch -d @1700000000 "$root/stale_content.py"
	# Touched after compiling, same content: only the mtime tells.
	touch -d @1700000100 "$root/stale_mtime.py"
}

stale_pycs() {	# the pycs make_tree left stale, relative to the tree
	(cd "$1" && ls pkg/__pycache__/stale_*.pyc)
}

# snapshot DIR: every file with its size, mtime and sha256.
snapshot() {
	(cd "$1" && find . -type f -printf '%p %s %T@\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# import_check DESC PY DIR MODULES: imports without touching any file.
import_check() {
	local d=$1 py=$2 dir=$3 mods=$4 before after log n want
	before=$(snapshot "$dir")
	log=$(cd "$dir" && "$py" --check-hash-based-pycs always -v \
		-c "import $mods" 2>&1)
	after=$(snapshot "$dir")
	# -v names each pyc it loads: every module came from its pyc.
	n=$(printf '%s\n' "$log" | grep -c "code object from '*$dir")
	want=$(echo "$mods" | tr ',' '\n' | wc -l)
	want=$((want + 1))	# pkg.a also runs pkg/__init__
	if [ "$before" != "$after" ]; then
		not_ok "$d" "files changed during import:" \
			"$(diff <(echo "$before") <(echo "$after") | head -n 10)"
	elif [ "$n" -lt "$want" ]; then
		not_ok "$d" "only $n of $want modules loaded from pycs:" \
			"$(printf '%s\n' "$log" | grep -E "$dir|rror" | head -n 20)"
	else
		ok "$d"
	fi
}

# recompress_works: whether this build has the recompress command (once
# it is listed, any failure of it is a test failure, not a skip).
recompress_works() {
	"$AV" --help 2>&1 | grep -Eq '^ +recompress\b'
}

one_python() {	# MINOR
	local minor=$1 py dir tag stale
	py=$(find_python "$minor")
	if [ -z "$py" ]; then
		skip "python$minor pyc normalisation" \
			"pyenv python$minor not installed"
		return
	fi
	dir="$TMP/$minor"
	mkdir -p "$dir/orig"
	if ! make_tree "$py" "$dir/orig"; then
		not_ok "python$minor: compile the test package"
		return
	fi
	# 6 modules: 6 plain pycs, 6 .opt-1, 6 .opt-2.
	tag=$(find "$dir/orig" -name '*.pyc' | grep -c 'opt-[12]\.pyc$')
	check_eq "python$minor: compileall wrote opt pycs" 12 "$tag"
	stale=$(stale_pycs "$dir/orig" | tr '\n' ' ')
	tar --format=gnu --sort=name -czf "$dir/in.tar.gz" -C "$dir/orig" . ||
		{ not_ok "python$minor: tar"; return; }
	if ! recompress_works; then
		skip "python$minor: recompress and import" \
			"archivist recompress not built yet"
		return
	fi
	for mode in unchecked-hash checked-hash; do
		mkdir -p "$dir/$mode"
		check "python$minor: recompress --pyc $mode" "$AV" recompress \
			"$dir/in.tar.gz" "$dir/$mode.tar.zst" --level 3 --pyc "$mode"
		check "python$minor: extract ($mode)" \
			tar --zstd -xf "$dir/$mode.tar.zst" -C "$dir/$mode"
		# shellcheck disable=SC2086
		check "python$minor: $mode headers as py_compile writes them" \
			"$py" -B "$HERE/pyc_check_tree.py" "$dir/orig" \
			"$dir/$mode" "$mode" drop $stale
		import_check "python$minor: $mode pycs imported as they are" \
			"$py" "$dir/$mode" "pkg.a,pkg.sub.b"
	done
	LAST_PY=$py LAST_DIR=$dir
	# The control: a stale pyc is rejected, recompiled and rewritten.
	before=$(snapshot "$dir/unchecked-hash")
	(cd "$dir/unchecked-hash" && "$py" -c 'import pkg.stale_content') \
		>/dev/null 2>&1
	after=$(snapshot "$dir/unchecked-hash")
	if [ "$before" != "$after" ]; then ok "python$minor: stale pyc recompiled on import"
	else not_ok "python$minor: stale pyc recompiled on import" \
		"import left every file as it was"; fi
}

LAST_PY= LAST_DIR=
for minor in 3.7 3.8 3.9 3.10 3.11 3.12 3.13; do
	one_python "$minor"
done

# keep mode with --keep-opt-pyc, on the newest interpreter's archive:
# every file comes back byte for byte.
if [ -n "$LAST_DIR" ]; then
	mkdir -p "$TMP/keep"
	check "recompress --pyc keep --keep-opt-pyc" "$AV" recompress \
		"$LAST_DIR/in.tar.gz" "$TMP/keep.tar.zst" --level 3 --pyc keep \
		--keep-opt-pyc
	check "extract (keep)" tar --zstd -xf "$TMP/keep.tar.zst" -C "$TMP/keep"
	check "keep mode leaves every file as it was" "$LAST_PY" -B \
		"$HERE/pyc_check_tree.py" "$LAST_DIR/orig" "$TMP/keep" keep keep
else
	skip "recompress --pyc keep --keep-opt-pyc" \
		"needs a pyenv python3.7+ and archivist recompress"
fi
finish
