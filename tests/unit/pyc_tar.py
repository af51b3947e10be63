#!/usr/bin/env python3
"""Archives with real pycs for the pipeline tests, and a checker.

  pyc_tar.py make SCENARIO FORMAT   write a tar to stdout (FORMAT gnu|pax)
  pyc_tar.py list                   read a tar on stdin, print one line per
                                    member: name, type, size, content sha256
                                    (or link target), and for pycs the
                                    header flags and whether the recorded
                                    hash is importlib's source_hash of the
                                    archive's .py

Pycs are made by this interpreter (importlib's own _code_to_timestamp_pyc),
so their magic is its magic.
"""
import hashlib
import importlib.util
import io
import sys
import tarfile
from importlib import _bootstrap_external as bx

MTIME = 1700000000
TAG = sys.implementation.cache_tag


def pyc_of(source, mtime=MTIME, optimize=-1):
    code = compile(source, "m.py", "exec", optimize=optimize)
    return bytes(bx._code_to_timestamp_pyc(code, mtime, len(source)))


class Maker:
    def __init__(self, fmt):
        self.buf = io.BytesIO()
        f = tarfile.GNU_FORMAT if fmt == "gnu" else tarfile.PAX_FORMAT
        self.t = tarfile.open(fileobj=self.buf, mode="w", format=f)

    def file(self, name, data, mtime=MTIME):
        ti = tarfile.TarInfo(name)
        ti.size, ti.mtime, ti.mode = len(data), mtime, 0o644
        self.t.addfile(ti, io.BytesIO(data))

    def link(self, name, target, kind=tarfile.LNKTYPE):
        ti = tarfile.TarInfo(name)
        ti.type, ti.linkname, ti.mtime = kind, target, MTIME
        self.t.addfile(ti)

    def dir(self, name):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
        self.t.addfile(ti)

    def done(self):
        self.t.close()
        sys.stdout.buffer.write(self.buf.getvalue())


def make(scenario, fmt):
    m = Maker(fmt)
    src = b"def f(x):\n    assert x\n    return x * 2\n"
    c = "pkg/__pycache__/"
    if scenario == "links":
        # compileall --hardlink-dupes: the opt-1 pyc holds the data, the
        # opt-2 and the plain pyc link to it; a later link elsewhere too.
        m.dir("pkg/")
        m.dir(c)
        m.file(c + "m.%s.opt-1.pyc" % TAG, pyc_of(src))
        m.link(c + "m.%s.opt-2.pyc" % TAG, c + "m.%s.opt-1.pyc" % TAG)
        m.link(c + "m.%s.pyc" % TAG, c + "m.%s.opt-1.pyc" % TAG)
        m.file(c + "s.%s.pyc" % TAG, pyc_of(b"y = 2\n", mtime=MTIME - 5))
        m.file(c + "t.%s.pyc" % TAG, pyc_of(b"z = 3\n"))
        m.link("pkg/alias.pyc", c + "m.%s.opt-2.pyc" % TAG)
        m.link("pkg/sym.py", "m.py", tarfile.SYMTYPE)
        m.file("pkg/m.py", src)
        m.file("pkg/s.py", b"y = 2\n")           # newer than its pyc: stale
        m.file("pkg/" + "x" * 120 + ".txt", b"long name\n")
    elif scenario in ("dup-last-fresh", "dup-first-fresh"):
        old, new = b"a = 1\n", b"a = 12345\n"
        fresh = new if scenario == "dup-last-fresh" else old
        m.file(c + "d.%s.pyc" % TAG, pyc_of(fresh))
        m.file("pkg/d.py", old)
        m.file("pkg/d.py", new)
    else:
        sys.exit("unknown scenario " + scenario)
    m.done()


def list_tar():
    t = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:")
    members = t.getmembers()
    data = {}
    for mb in members:
        if mb.isfile():
            data[mb.name] = t.extractfile(mb).read()
        elif mb.islnk():
            data[mb.name] = data.get(mb.linkname)
    for mb in members:
        what = ""
        if mb.isfile():
            what = hashlib.sha256(data[mb.name]).hexdigest()[:16]
        elif mb.issym() or mb.islnk():
            what = "->" + mb.linkname
        line = "%s %s %d %s" % (mb.name, mb.type.decode(), mb.size, what)
        d = data.get(mb.name)
        if mb.name.endswith(".pyc") and "__pycache__/" in mb.name and d:
            flags = int.from_bytes(d[4:8], "little")
            mod = mb.name.split("/")[-1].split(".")[0]
            py = data.get("pkg/%s.py" % mod)
            ok = py is not None and d[8:16] == importlib.util.source_hash(py)
            line += " flags=%d hash=%s" % (flags, "ok" if ok else "no")
        print(line)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        list_tar()
