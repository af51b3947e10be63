"""Records what one CPython interpreter does with pyc headers, as JSON.

Run with each interpreter (gen_pyc_vectors.sh loops over them); the output
is tests/vectors/pyc/cpython-X.Y.json, read by tests/unit/test_pyc.c:

- magic: the interpreter's magic number (importlib.util.MAGIC_NUMBER);
- sources: importlib.util.source_hash of fixed inputs (empty, around the
  8-byte SipHash block edges, a real module, binary bytes, 100 KB);
- keyed: _imp.source_hash(0x0706050403020100, bytes(range(n))), n < 64:
  the interpreter's keyed SipHash (k1 = 0) on the paper's inputs;
- headers: the first 16 bytes of real pycs of module.py written by
  py_compile with the source's mtime set to a few values (including one
  past 2^32 and one negative), in timestamp, unchecked-hash and
  checked-hash modes.

Python 2.7 and 3.6 have no hash-based pycs: only magic and the timestamp
header are recorded.  Runs under 2.7 too, hence the old-style code.
"""
from __future__ import print_function

import binascii
import json
import os
import py_compile
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.join(HERE, "pyc", "module.py")
KEY = 0x0706050403020100
MTIMES = (1700000000, (1 << 32) + 1234, -1000)
LONG_LEN = 100000


def hexs(b):
    return binascii.hexlify(b).decode("ascii")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def magic_bytes():
    try:
        import importlib.util
        return importlib.util.MAGIC_NUMBER
    except (ImportError, AttributeError):
        import imp
        return imp.get_magic()


def inputs(module):
    alpha = b"abcdefghijklmnopqrstuvwxyz"
    out = [("empty", b"", None)]
    for n in (1, 7, 8, 9, 15, 16, 17):
        out.append(("text%d" % n, alpha[:n], None))
    out.append(("module", module, None))
    out.append(("binary",
                bytes(bytearray((i * 131 + 17) & 0xFF for i in range(300))),
                None))
    # The long input is stored as a rule, not as 200 KB of hex.
    long_src = (module * (LONG_LEN // len(module) + 1))[:LONG_LEN]
    out.append(("long", long_src, {"repeat": "module", "len": LONG_LEN}))
    return out


def source_hashes(module):
    import importlib.util
    out = []
    for name, data, rule in inputs(module):
        entry = {"name": name, "source_hash": hexs(importlib.util.source_hash(data))}
        if rule:
            entry.update(rule)
        else:
            entry["hex"] = hexs(data)
        out.append(entry)
    return out


def keyed_hashes():
    import _imp
    return {"key": KEY, "hashes": [hexs(_imp.source_hash(KEY, bytes(bytearray(range(n)))))
                                   for n in range(64)]}


def compile_head(src, cfile, mode):
    if mode is None:
        py_compile.compile(src, cfile=cfile, doraise=True)
    else:
        py_compile.compile(src, cfile=cfile, doraise=True,
                           invalidation_mode=mode)
    data = read(cfile)
    os.unlink(cfile)
    return data


def headers(module, hash_based):
    tmp = tempfile.mkdtemp()
    out = []
    try:
        src = os.path.join(tmp, "module.py")
        with open(src, "wb") as f:
            f.write(module)
        cfile = os.path.join(tmp, "module.pyc")
        modes = [("timestamp", None)]
        if hash_based:
            M = py_compile.PycInvalidationMode
            modes = [("timestamp", M.TIMESTAMP),
                     ("unchecked_hash", M.UNCHECKED_HASH),
                     ("checked_hash", M.CHECKED_HASH)]
        for mtime in MTIMES:
            os.utime(src, (mtime, mtime))
            entry = {"source": "module", "mtime": mtime, "size": len(module)}
            bodies = set()
            for key, mode in modes:
                data = compile_head(src, cfile, mode)
                entry[key] = hexs(data[:16])
                bodies.add(data[16:])
            # The code object does not depend on the header kind: only the
            # header differs, which is what archivist relies on.
            if len(bodies) != 1:
                raise SystemExit("pyc bodies differ between modes")
            out.append(entry)
    finally:
        shutil.rmtree(tmp)
    return out


def main():
    module = read(MODULE)
    magic = magic_bytes()
    hash_based = sys.version_info >= (3, 7)
    doc = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "magic": bytearray(magic)[0] | bytearray(magic)[1] << 8,
        "magic_hex": hexs(magic),
        "hash_based": hash_based,
        "headers": headers(module, hash_based),
    }
    if hash_based:
        doc["sources"] = source_hashes(module)
        doc["keyed"] = keyed_hashes()
    print(json.dumps(doc, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
