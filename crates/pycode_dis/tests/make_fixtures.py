"""Regenerate the disassembler fixtures with real CPython.

    python3 crates/pycode_dis/tests/make_fixtures.py [RELEASE ...]   (default: every release)

For every source in tests/fixtures/src and every release, compiles it with that release
(co_filename = the bare file name) into tests/fixtures/<release>/<name>.pyc and writes what that
release's `dis` prints for the loaded code object:

    <name>.dis      dis.dis(code)
    <name>.dis-C    dis.dis(code, show_caches=True)
    <name>.dis-O    dis.dis(code, show_offsets=True)                       (3.13+)
    <name>.dis-P    dis.dis(code, show_positions=True)                     (3.14+)
    <name>.info     dis.show_code(c) for every code object, depth-first in const order

`big.py` only gets `.dis` (3.11/3.12) or `.dis-O` (3.13+), to keep the files small. Sources a release cannot
compile (3.12 syntax on 3.11) are skipped.

3.11.7, 3.12.1 and 3.13.0 run natively (pyenv), 3.11.2 natively (Debian's python3.11), with
PYTHONHASHSEED=0: 64-bit, SipHash. 3.12.7, 3.13.2, 3.14.2 and 3.15.0rc1 run in Pyodide under node with PYTHONHASHSEED=0: 32-bit, FNV hashes,
so their frozenset element order is the `SetOrder::Seed0Bits32` one.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
FIX = os.path.join(HERE, "fixtures")

NATIVE = {
    "3.11.2": "/usr/bin/python3.11",
    "3.11.7": "/root/.pyenv/versions/3.11.7/bin/python3",
    "3.12.1": "/root/.pyenv/versions/3.12.1/bin/python3",
    "3.13.0": "/root/.pyenv/versions/3.13.0/bin/python3",
}
PYODIDE = {"3.12.7": "pyodide-0.27.7", "3.13.2": "pyodide-0.29.3", "3.14.2": "pyodide-314.0.7",
           "3.15.0rc1": "pyodide-315.0.0-alpha.2"}

WORKER = r'''
import dis, io, json, marshal, os, py_compile, sys
cfg = json.loads(CFG)
src, out = cfg["src"], cfg["out"]
os.makedirs(out, exist_ok=True)
os.chdir(src)
variants = [("dis", {}), ("dis-C", {"show_caches": True})]
if sys.version_info >= (3, 13):
    variants.append(("dis-O", {"show_offsets": True}))
if sys.version_info >= (3, 14):
    variants.append(("dis-P", {"show_positions": True}))
for f in sorted(os.listdir(".")):
    if not f.endswith(".py"):
        continue
    name = f[:-3]
    pyc = os.path.join(out, name + ".pyc")
    try:
        py_compile.compile(f, cfile=pyc, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError:
        continue
    with open(pyc, "rb") as fh:
        code = marshal.loads(fh.read()[16:])
    for suffix, kw in variants:
        if name == "big" and suffix != ("dis-O" if sys.version_info >= (3, 13) else "dis"):
            continue
        buf = io.StringIO()
        dis.dis(code, file=buf, **kw)
        with open(os.path.join(out, name + "." + suffix), "w", encoding="utf-8", newline="",
                  errors="surrogateescape") as fh:
            fh.write(buf.getvalue())
    buf = io.StringIO()
    stack = [code]
    while stack:
        c = stack.pop()
        dis.show_code(c, file=buf)
        stack.extend(reversed([k for k in c.co_consts if hasattr(k, "co_code")]))
    with open(os.path.join(out, name + ".info"), "w", encoding="utf-8", newline="",
              errors="surrogateescape") as fh:
        fh.write(buf.getvalue())
'''

NODE = r'''
const [mjs, code] = process.argv.slice(1);
const { loadPyodide } = await import(mjs);
const py = await loadPyodide({ env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" } });
py.FS.mkdirTree("/mnt");
py.FS.mount(py.FS.filesystems.NODEFS, { root: process.env.FIXROOT }, "/mnt");
py.runPython(code);
'''


def main():
    only = sys.argv[1:]
    src = os.path.join(FIX, "src")
    for rel, exe in NATIVE.items():
        if only and rel not in only:
            continue
        cfg = json.dumps({"src": src, "out": os.path.join(FIX, rel)})
        subprocess.run([exe, "-c", "CFG = %r\n" % cfg + WORKER], check=True,
                       env=dict(os.environ, PYTHONHASHSEED="0"))
        print("made", rel)
    for rel, pkg in PYODIDE.items():
        if only and rel not in only:
            continue
        cfg = json.dumps({"src": "/mnt/src", "out": "/mnt/" + rel})
        mjs = os.path.join(ROOT, "oracle", "pyodide", "node_modules", pkg, "pyodide.mjs")
        subprocess.run(["node", "--input-type=module", "-e", NODE, mjs, "CFG = %r\n" % cfg + WORKER],
                       check=True, env=dict(os.environ, FIXROOT=FIX))
        print("made", rel)


if __name__ == "__main__":
    main()
