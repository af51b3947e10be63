#!/usr/bin/env python3
"""Checks that a migrated runtime archive holds its legacy source's content
after the declared transform, using only Python's tarfile and CPython's
own importlib (not archivist).

usage: compare_runtime.py LEGACY.tar NEW.tar PYC_MODE OPT_PYC
  LEGACY.tar, NEW.tar  uncompressed tars (decompress with gzip/zstd first)
  PYC_MODE             unchecked-hash | checked-hash | keep
  OPT_PYC              drop | keep

Every legacy entry must be in NEW with the same type, mode, mtime, owner,
link target and bytes, in the same order -- except .opt-1/.opt-2 pycs
under __pycache__ (absent when OPT_PYC is drop) and pycs.  NEW has nothing
else.

A legacy pyc is checked as CPython would read it.  It must have been
converted when PYC_MODE is not keep, it is a timestamp pyc of a released
3.7+ magic, and its .py source is in the archive with the mtime and size
the pyc records (as CPython's SourceLoader would accept it): then the new
pyc has the same magic and code, the flags of PYC_MODE, and as source
hash importlib.util.source_hash(source) -- computed by the interpreter of
that pyc's version when one is installed (pyenv, /usr/bin), else by the
reference SipHash below (2-4 before 3.11, 1-3 from 3.11, key = magic),
itself checked against the running interpreter first
(COMPARE_RUNTIME_HASH=reference uses only the reference).  Any other pyc
must be byte-identical.  Prints a summary; exits 1 with the first
difference.
"""
import base64
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile

OPT = re.compile(r"(^|/)__pycache__/[^/]+\.opt-[12]\.pyc$")
PYC = re.compile(r"^(.*/)?__pycache__/([^/.]+)\.[^/.]+(\.opt-[12])?\.pyc$")
# Final-release magic numbers (Lib/importlib/_bootstrap_external.py).
MAGIC = {3394: (3, 7), 3413: (3, 8), 3425: (3, 9), 3439: (3, 10),
         3495: (3, 11), 3531: (3, 12), 3571: (3, 13), 3627: (3, 14)}
FLAGS = {"unchecked-hash": 1, "checked-hash": 3}
MASK = (1 << 64) - 1


def fail(msg):
    print("compare_runtime: " + msg)
    sys.exit(1)


# ---- reference SipHash (Aumasson & Bernstein), CPython's source_hash ----
def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def _round(v):
    v0, v1, v2, v3 = v
    v0 = (v0 + v1) & MASK; v1 = _rotl(v1, 13); v1 ^= v0; v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & MASK; v3 = _rotl(v3, 16); v3 ^= v2
    v0 = (v0 + v3) & MASK; v3 = _rotl(v3, 21); v3 ^= v0
    v2 = (v2 + v1) & MASK; v1 = _rotl(v1, 17); v1 ^= v2; v2 = _rotl(v2, 32)
    return [v0, v1, v2, v3]


def siphash(c, d, k0, k1, data):
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]
    tail = len(data) % 8
    for i in range(0, len(data) - tail, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        for _ in range(c):
            v = _round(v)
        v[0] ^= m
    m = ((len(data) & 0xFF) << 56) | int.from_bytes(
        data[len(data) - tail:], "little")
    v[3] ^= m
    for _ in range(c):
        v = _round(v)
    v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(d):
        v = _round(v)
    return (v[0] ^ v[1] ^ v[2] ^ v[3]).to_bytes(8, "little")


def reference_hash(magic, data):
    k0 = int.from_bytes(magic, "little")
    c, d = (1, 3) if MAGIC[int.from_bytes(magic[:2], "little")] >= (3, 11) \
        else (2, 4)
    return siphash(c, d, k0, 0, data)


def self_test():
    """The reference must agree with this interpreter's importlib."""
    for n in (0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 1000):
        data = bytes((i * 7 + n) & 0xFF for i in range(n))
        m = importlib.util.MAGIC_NUMBER
        if int.from_bytes(m[:2], "little") not in MAGIC:
            return
        if reference_hash(m, data) != importlib.util.source_hash(data):
            fail("the reference SipHash disagrees with importlib at %d bytes" % n)


# ---- CPython of each version ---------------------------------------------
CHILD = r"""
import base64, importlib.util, json, sys
req = json.load(sys.stdin)
if importlib.util.MAGIC_NUMBER.hex() != req["magic"]:
    print(json.dumps(None)); sys.exit(0)
print(json.dumps([importlib.util.source_hash(base64.b64decode(s)).hex()
                  for s in req["sources"]]))
"""


def interpreters(ver):
    x = "%d.%d" % ver
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    cands = sorted(glob.glob(os.path.join(root, "versions", x + ".*", "bin",
                                          "python" + x)))
    cands += ["/usr/bin/python" + x, "/usr/local/bin/python" + x]
    return [c for c in cands if os.access(c, os.X_OK)]


def cpython_hashes(magic, sources):
    """source_hash of each source by the interpreter of MAGIC's version,
    or None if none is installed."""
    ver = MAGIC[int.from_bytes(magic[:2], "little")]
    if os.environ.get("COMPARE_RUNTIME_HASH") == "reference":
        return None, None
    if ver == sys.version_info[:2] and importlib.util.MAGIC_NUMBER == magic:
        return [importlib.util.source_hash(s) for s in sources], sys.executable
    req = json.dumps({"magic": magic.hex(), "sources": [
        base64.b64encode(s).decode() for s in sources]})
    for exe in interpreters(ver):
        try:
            out = subprocess.run([exe, "-I", "-c", CHILD], input=req.encode(),
                                 capture_output=True, timeout=120, check=True)
        except (OSError, subprocess.SubprocessError):
            continue
        got = json.loads(out.stdout)
        if got is not None:
            return [bytes.fromhex(h) for h in got], exe
    return None, None


# ---- the archives ----------------------------------------------------------
def members(path):
    with tarfile.open(path, "r:") as t:
        out = []
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            out.append((m, data))
        return out


def source_of(name):
    """dir/__pycache__/mod.tag[.opt-N].pyc -> dir/mod.py"""
    m = PYC.match(name)
    return (m.group(1) or "") + m.group(2) + ".py" if m else None


def must_convert(m, d, files, mode):
    """The source bytes when CPython-valid conversion is due, else None."""
    if mode == "keep" or d is None or len(d) < 16 or d[2:4] != b"\r\n":
        return None
    if int.from_bytes(d[:2], "little") not in MAGIC:
        return None
    if int.from_bytes(d[4:8], "little") != 0:
        return None     # already hash-based: left as it is
    src = files.get(source_of(m.name))
    if src is None:
        return None
    sm, sd = src
    if int.from_bytes(d[8:12], "little") != int(sm.mtime) & 0xFFFFFFFF or \
            int.from_bytes(d[12:16], "little") != len(sd) & 0xFFFFFFFF:
        return None     # stale: CPython would not use it, nor convert it
    return sd


def main():
    legacy, new, mode, opt = sys.argv[1:5]
    if mode not in ("unchecked-hash", "checked-hash", "keep") or \
            opt not in ("drop", "keep"):
        fail("bad arguments")
    self_test()
    old = members(legacy)
    cur = members(new)
    want = [(m, d) for m, d in old if not (opt == "drop" and OPT.search(m.name))]
    if [m.name for m, _ in want] != [m.name for m, _ in cur]:
        a = {m.name for m, _ in want}
        b = {m.name for m, _ in cur}
        fail("entries differ: missing %s, extra %s" % (sorted(a - b)[:5], sorted(b - a)[:5]))
    files = {m.name: (m, d) for m, d in old if m.isfile()}
    due = {}        # magic -> [(name, new bytes, old bytes, source)]
    for (m, d), (n, e) in zip(want, cur):
        for attr in ("type", "mode", "mtime", "uid", "gid", "linkname", "size"):
            if getattr(m, attr) != getattr(n, attr):
                fail("%s: %s %r != %r" % (m.name, attr, getattr(m, attr), getattr(n, attr)))
        src = must_convert(m, d, files, mode) if m.name.endswith(".pyc") else None
        if src is None:
            if d != e:
                fail("%s: content differs" % m.name)
            continue
        if d == e:
            fail("%s: not converted (a timestamp pyc with its source)" % m.name)
        due.setdefault(d[:4], []).append((m.name, e, d, src))
    rewritten, how = 0, set()
    for magic, items in due.items():
        hashes, exe = cpython_hashes(magic, [s for _, _, _, s in items])
        if hashes is None:
            hashes = [reference_hash(magic, s) for _, _, _, s in items]
            exe = "reference SipHash"
        how.add("%d.%d by %s" % (MAGIC[int.from_bytes(magic[:2], "little")] + (exe,)))
        for (name, e, d, _), h in zip(items, hashes):
            if e[:4] != magic or e[16:] != d[16:]:
                fail("%s: pyc differs outside header bytes 4-15" % name)
            flags = int.from_bytes(e[4:8], "little")
            if flags != FLAGS[mode]:
                fail("%s: flags %d, expected %d" % (name, flags, FLAGS[mode]))
            if e[8:16] != h:
                fail("%s: source hash %s, CPython's is %s" % (name, e[8:16].hex(), h.hex()))
            rewritten += 1
    print("compare_runtime: %d entries equal, %d pycs rewritten (hashes: %s), "
          "%d opt pycs dropped" % (len(cur), rewritten, "; ".join(sorted(how)) or "-",
                                   len(old) - len(want)))


main()
