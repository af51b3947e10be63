#!/usr/bin/env python3
"""Makes the tar a migrated runtime archive holds from its legacy tar, by
the rules of DESIGN.md section 4, without archivist: for tests that need
a correct new archive made by something else (audit's clean bucket).

usage: transform_runtime.py LEGACY.tar OUT.tar PYC_MODE OPT_PYC

Works on the raw bytes of the tar, so every unchanged entry keeps its
header blocks byte for byte: the entries of .opt-1/.opt-2 pycs under
__pycache__ are cut out (OPT_PYC drop), each pyc compare_runtime.py says
must be converted gets the flags of PYC_MODE and CPython's source hash
(compare_runtime's interpreters or reference SipHash) in header bytes
4-15, and the archive ends with two zero blocks, padded to 10240 bytes.
"""
import os
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_runtime as cr  # noqa: E402


def main():
    legacy, out, mode, opt = sys.argv[1:5]
    raw = bytearray(open(legacy, "rb").read())
    with tarfile.open(legacy, "r:") as t:
        ms = [(m, t.extractfile(m).read() if m.isfile() else None)
              for m in t.getmembers()]
    files = {m.name: (m, d) for m, d in ms if m.isfile()}
    if any(m.islnk() and cr.OPT.search(m.linkname) for m, _ in ms) and opt == "drop":
        sys.exit("transform_runtime: a hardlink to an opt pyc (not handled)")
    due = {}
    for m, d in ms:
        if m.name.endswith(".pyc") and not (opt == "drop" and cr.OPT.search(m.name)):
            src = cr.must_convert(m, d, files, mode)
            if src is not None:
                due.setdefault(d[:4], []).append((m, src))
    for magic, items in due.items():
        hashes, _ = cr.cpython_hashes(magic, [s for _, s in items])
        if hashes is None:
            hashes = [cr.reference_hash(magic, s) for _, s in items]
        for (m, _), h in zip(items, hashes):
            o = m.offset_data
            raw[o + 4:o + 16] = cr.FLAGS[mode].to_bytes(4, "little") + h
    end = ms[-1][0].offset_data + (-(-ms[-1][0].size // 512) * 512 if ms[-1][0].isfile() else 0)
    keep = bytearray()
    for m, _ in ms:
        stop = m.offset_data + (-(-m.size // 512) * 512 if m.isfile() else 0)
        if not (opt == "drop" and cr.OPT.search(m.name)):
            keep += raw[m.offset:stop]
    assert stop == end
    keep += bytes(1024)
    keep += bytes(-len(keep) % 10240)
    open(out, "wb").write(keep)


if __name__ == "__main__":
    main()
