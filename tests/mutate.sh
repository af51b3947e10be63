#!/usr/bin/env bash
# Mutation testing: applies each mutation of tests/mutations.txt to a copy
# of the tree, one at a time, rebuilds, runs the tests named for it, and
# reports it killed (a test failed) or survived (every test passed).
# The tree itself is never changed: the copy lives in a temporary
# directory, removed at the end (also when interrupted).
#
# usage: tests/mutate.sh [NAME...]     (make mutate; MUTATIONS=FILE)
# Exits 0 if every mutation was killed; 1 if one survived, did not build,
# or its tests did not run; 2 if a mutation no longer applies (its
# "from" text is not in its file exactly once) -- checked for all before
# anything runs.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LIST=${MUTATIONS:-tests/mutations.txt}
export TEST_TIMEOUT=${TEST_TIMEOUT:-300}
PY=$(command -v python3) || { echo "mutate: needs python3" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/archivist-mutate.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The copy: every file git knows or would add, and the plain build (with
# its timestamps, so only what a mutation touches is rebuilt).
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -C "$work" -xf - ||
	{ echo "mutate: cannot copy the tree" >&2; exit 2; }
[ -d build ] && cp -a build "$work/"

# mut CMD ARGS: the helper below, on the list (check, apply NAME, list).
mut() {
	"$PY" - "$@" <<'EOF'
import sys

def blocks(path):
    cur, out = {}, []
    for line in open(path, encoding="utf-8").read().split("\n") + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                out.append(cur)
            cur = {}
            continue
        k, _, v = line.partition(": ")
        cur[k.strip()] = v
    return out

def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], s[i:i + 2]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)

cmd, lst, root = sys.argv[1:4]
ms = blocks(lst)
if cmd == "list":
    for m in ms:
        print(m["name"], m["file"], m["tests"], sep="\t")
elif cmd == "check":
    bad = 0
    names = set()
    for m in ms:
        for k in ("name", "why", "file", "from", "to", "tests"):
            if k not in m:
                print("mutate: %s: no '%s'" % (m.get("name", "?"), k)); bad = 1
        if m.get("name") in names:
            print("mutate: %s: named twice" % m["name"]); bad = 1
        names.add(m.get("name"))
        try:
            text = open(root + "/" + m["file"], encoding="utf-8").read()
        except (OSError, KeyError) as e:
            print("mutate: %s: %s" % (m.get("name"), e)); bad = 1
            continue
        n = text.count(unescape(m["from"]))
        if n != 1:
            print("mutate: %s: its text occurs %d times in %s, not once: "
                  "update tests/mutations.txt" % (m["name"], n, m["file"]))
            bad = 1
    sys.exit(2 if bad else 0)
elif cmd == "apply":
    m = [m for m in ms if m["name"] == sys.argv[4]][0]
    p = root + "/" + m["file"]
    text = open(p, encoding="utf-8").read()
    a, b = unescape(m["from"]), unescape(m["to"])
    assert text.count(a) == 1
    open(p, "w", encoding="utf-8").write(text.replace(a, b))
elif cmd == "why":
    print([m for m in ms if m["name"] == sys.argv[4]][0]["why"])
EOF
}

mut check "$LIST" "$work" || exit 2
echo "mutate: building the unmutated copy"
if ! make -C "$work" --no-print-directory -j2 all >"$work/.build.log" 2>&1; then
	tail -n 30 "$work/.build.log" >&2
	echo "mutate: the unmutated tree does not build" >&2
	exit 2
fi

want=("$@")
killed=0 survived=0 broken=0 n=0
start=$SECONDS
results=()
while IFS=$'\t' read -r name file tests; do
	if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qxF "$name"; then
		continue
	fi
	n=$((n + 1))
	t0=$SECONDS
	cp -p "$work/$file" "$work/.orig"
	mut apply "$LIST" "$work" "$name"
	# the programs, and of the unit tests only those this mutation runs
	targets=("build/archivist" "build/mock-s3")
	for t in $tests; do
		[ -f "$work/tests/unit/$t.c" ] && targets+=("build/tests/$t")
	done
	if ! make -C "$work" --no-print-directory -j2 "${targets[@]}" >"$work/.build.log" 2>&1; then
		verdict="DID NOT BUILD"
		broken=$((broken + 1))
		tail -n 10 "$work/.build.log" | sed 's/^/    | /'
	else
		(cd "$work" && TESTS="$tests" FUZZ_SECONDS=0 tests/run.sh build) >"$work/.test.log" 2>&1
		rc=$?
		if grep -q '^[0-9]* passed, [0-9]* failed' "$work/.test.log" &&
		   ! grep -q '^0 passed, 0 failed' "$work/.test.log"; then
			if [ "$rc" -ne 0 ]; then
				verdict="killed"; killed=$((killed + 1))
			else
				verdict="SURVIVED"; survived=$((survived + 1))
			fi
		else
			verdict="TESTS DID NOT RUN"; broken=$((broken + 1))
		fi
	fi
	# restore: the original bytes, with a new time so make rebuilds it
	cp "$work/.orig" "$work/$file" && touch "$work/$file"
	line=$(printf '%-30s %-16s %4ds  %s' "$name" "$verdict" $((SECONDS - t0)) "$tests")
	echo "$line"
	echo "    $(mut why "$LIST" "$work" "$name")"
	if [ "$verdict" = killed ]; then
		grep -E '^    not ok|^FAIL' "$work/.test.log" | head -n 3 | sed 's/^/    /'
	elif [ "$verdict" = SURVIVED ]; then
		tail -n 3 "$work/.test.log" | sed 's/^/    | /'
	fi
	results+=("$line")
done < <(mut list "$LIST" "$work")

[ "$n" -gt 0 ] || { echo "mutate: no mutation selected" >&2; exit 2; }
echo "mutate: $n mutation(s): $killed killed, $survived survived, $broken broken, in $((SECONDS - start)) s"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
