#!/usr/bin/env bash
# Builds a Python runtime archive the way the legacy buildpack published
# them: an install tree (bin/, lib/pythonX.Y/ with timestamp pycs for
# optimisation levels 0, 1 and 2), archived by GNU tar and gzipped.
#
# usage: scripts/mkruntime.sh PYTHON OUT.tar.gz [MODULE...]
#   PYTHON   a real interpreter (its stdlib is copied and compiled by it)
#   MODULE   stdlib modules/packages to include (default: a medium set)
# MKRUNTIME_BIN=stub puts a small script in bin/ instead of the interpreter
# binary (for fast tests).
# Prints the interpreter's full version (X.Y.Z) on stdout.
set -euo pipefail
py=$1 out=$2
shift 2
mods=("$@")
[ ${#mods[@]} -gt 0 ] || mods=(json email http urllib xml logging asyncio
	concurrent importlib collections encodings html wsgiref
	os.py abc.py functools.py typing.py dataclasses.py enum.py re)
unset SOURCE_DATE_EPOCH	# it would make py_compile write checked-hash pycs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkruntime.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
read -r xy full stdlib < <("$py" -c 'import sys, sysconfig
print("%d.%d" % sys.version_info[:2], "%d.%d.%d" % sys.version_info[:3],
      sysconfig.get_paths()["stdlib"])')
lib="$tmp/lib/python$xy"
mkdir -p "$lib" "$tmp/bin"
for m in "${mods[@]}"; do
	[ -e "$stdlib/$m" ] || continue
	cp -R "$stdlib/$m" "$lib/"
done
find "$lib" -name __pycache__ -prune -exec rm -rf {} +
find "$lib" -name test -prune -exec rm -rf {} +
if [ "${MKRUNTIME_BIN:-copy}" = stub ] ||
	! cp "$(readlink -f "$(command -v "$py")")" "$tmp/bin/python$xy" 2>/dev/null; then
	printf '#!/bin/sh\nexec %s "$@"\n' "$py" >"$tmp/bin/python$xy"
	chmod +x "$tmp/bin/python$xy"
fi
ln -s "python$xy" "$tmp/bin/python3"
for opt in "" -O -OO; do
	"$py" $opt -m compileall -q "$lib" >/dev/null
done
tar --format=gnu --sort=name -C "$tmp" -czf "$out" .
echo "$full"
