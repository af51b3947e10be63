"""Compares a tree extracted after `archivist recompress` with the tree
that was archived, using the running interpreter's own importlib.

usage: python pyc_check_tree.py ORIG OUT MODE OPT STALE...
MODE is unchecked-hash, checked-hash or keep; OPT is drop (the default)
or keep (--keep-opt-pyc); STALE are the pycs (paths relative to ORIG)
whose source changed after compiling.  Prints one line
per problem and exits 1 if there is any; prints counts otherwise.
"""
import importlib.util
import os
import sys

FLAGS = {"unchecked-hash": 1, "checked-hash": 3}


def files(root):
    out = set()
    for d, _, names in os.walk(root):
        for n in names:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def is_opt(rel):
    return "/__pycache__/" in "/" + rel and (rel.endswith(".opt-1.pyc") or
                                             rel.endswith(".opt-2.pyc"))


def source_of(rel):
    head, base = os.path.split(rel)
    return os.path.join(os.path.dirname(head), base.split(".")[0] + ".py")


def check_pyc(orig, out, rel, mode, problems):
    """A fresh pyc: same code, header = what py_compile would write."""
    old, new = read(os.path.join(orig, rel)), read(os.path.join(out, rel))
    if mode == "keep":
        if old != new:
            problems.append("%s: changed in keep mode" % rel)
        return
    src = read(os.path.join(out, source_of(rel)))
    want = (importlib.util.MAGIC_NUMBER + bytes([FLAGS[mode], 0, 0, 0]) +
            importlib.util.source_hash(src))
    if new[:16] != want:
        problems.append("%s: header %s, wanted %s" % (rel, new[:16].hex(),
                                                      want.hex()))
    if new[16:] != old[16:]:
        problems.append("%s: code object changed" % rel)


def main():
    orig, out, mode, opt = sys.argv[1:5]
    stale = set(sys.argv[5:])
    problems = []
    before, after = files(orig), files(out)
    counts = {"rewritten": 0, "dropped": 0, "stale": 0, "other": 0}
    for rel in sorted(before):
        if is_opt(rel) and opt == "drop":
            counts["dropped"] += 1
            if rel in after:
                problems.append("%s: opt pyc not dropped" % rel)
            continue
        if rel not in after:
            problems.append("%s: missing" % rel)
        elif rel.endswith(".pyc") and rel not in stale and not is_opt(rel):
            counts["rewritten"] += 1
            check_pyc(orig, out, rel, mode, problems)
        elif read(os.path.join(orig, rel)) != read(os.path.join(out, rel)):
            problems.append("%s: content changed" % rel)
        else:
            counts["stale" if rel in stale else "other"] += 1
    for rel in sorted(after - before):
        problems.append("%s: unexpected file" % rel)
    for p in problems:
        print(p)
    if not problems:
        print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
