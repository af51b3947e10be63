#!/bin/sh
# Regenerates tests/vectors/pyc/cpython-X.Y.json with every pyenv CPython
# installed (2.7, 3.6 and 3.7-3.13; the newest patch release of each).
# The files are checked in: tests read them without any Python installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${PYENV_ROOT:-$HOME/.pyenv}
# py_compile defaults to checked-hash pycs when SOURCE_DATE_EPOCH is set.
unset SOURCE_DATE_EPOCH
for minor in 2.7 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13; do
	py=$(ls -d "$root"/versions/"$minor".* 2>/dev/null |
		grep -E "/$minor\.[0-9]+\$" | sort -V | tail -n 1)
	if [ -z "$py" ]; then
		echo "skip $minor: not installed under $root" >&2
		continue
	fi
	"$py/bin/python" -B "$here/gen_pyc_vectors.py" \
		>"$here/pyc/cpython-$minor.json.tmp"
	mv "$here/pyc/cpython-$minor.json.tmp" "$here/pyc/cpython-$minor.json"
	echo "cpython-$minor.json from $(basename "$py")" >&2
done
