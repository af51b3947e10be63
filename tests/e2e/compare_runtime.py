#!/usr/bin/env python3
"""Checks that a migrated runtime archive holds its legacy source's content
after the declared transform, using only Python's tarfile (not archivist).

usage: compare_runtime.py LEGACY.tar NEW.tar PYC_MODE OPT_PYC
  LEGACY.tar, NEW.tar  uncompressed tars (decompress with gzip/zstd first)
  PYC_MODE             unchecked-hash | checked-hash | keep
  OPT_PYC              drop | keep

Every legacy entry must be in NEW with the same type, mode, mtime, owner,
link target and bytes, in the same order -- except .opt-1/.opt-2 pycs
under __pycache__ (absent when OPT_PYC is drop) and pycs, whose bytes may
differ only in header bytes 4-15 and only to become hash-based with the
flags of PYC_MODE.  NEW has nothing else.  Prints a summary; exits 1 with
the first difference.
"""
import re
import sys
import tarfile

OPT = re.compile(r"(^|/)__pycache__/[^/]+\.opt-[12]\.pyc$")


def members(path):
    with tarfile.open(path, "r:") as t:
        out = []
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            out.append((m, data))
        return out


def fail(msg):
    print("compare_runtime: " + msg)
    sys.exit(1)


def main():
    legacy, new, mode, opt = sys.argv[1:5]
    flags = {"unchecked-hash": 1, "checked-hash": 3, "keep": None}[mode]
    old = members(legacy)
    cur = members(new)
    want = [(m, d) for m, d in old if not (opt == "drop" and OPT.search(m.name))]
    if [m.name for m, _ in want] != [m.name for m, _ in cur]:
        a = {m.name for m, _ in want}
        b = {m.name for m, _ in cur}
        fail("entries differ: missing %s, extra %s" % (sorted(a - b)[:5], sorted(b - a)[:5]))
    rewritten = 0
    for (m, d), (n, e) in zip(want, cur):
        for attr in ("type", "mode", "mtime", "uid", "gid", "linkname", "size"):
            if getattr(m, attr) != getattr(n, attr):
                fail("%s: %s %r != %r" % (m.name, attr, getattr(m, attr), getattr(n, attr)))
        if d == e:
            continue
        if not m.name.endswith(".pyc") or flags is None:
            fail("%s: content differs" % m.name)
        if d[:4] != e[:4] or d[16:] != e[16:]:
            fail("%s: pyc differs outside header bytes 4-15" % m.name)
        if int.from_bytes(e[4:8], "little") != flags:
            fail("%s: flags %d, expected %d" % (m.name, int.from_bytes(e[4:8], "little"), flags))
        rewritten += 1
    print("compare_runtime: %d entries equal, %d pycs rewritten, %d opt pycs dropped"
          % (len(cur), rewritten, len(old) - len(want)))


main()
