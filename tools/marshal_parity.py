#!/usr/bin/env python3
"""Record what each CPython release's `marshal.loads` decides (accept / which exception) for every
input in fuzz/seeds and fuzz/corpus, into crates/pycode_marshal/tests/fixtures/parity.txt, which
`tests/cpython_parity.rs` compares pycode's reader against.

usage: tools/marshal_parity.py [--add RELEASE ...]
  --add R   run only release R and add (or replace) its column, keeping the others
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(REPO, "crates", "pycode_marshal", "tests", "fixtures", "parity.txt")
sys.path.insert(0, HERE)
from marshal_corpus import NATIVE, PYODIDE  # noqa: E402

PROBE = r'''
import marshal

def main(listfile):
    out = []
    for path in open(listfile).read().split("\n"):
        if not path:
            continue
        data = open(path, "rb").read()
        try:
            marshal.loads(data)
            out.append("ok")
        except Exception as e:
            out.append("err:" + type(e).__name__)
    return "\n".join(out)

if __name__ == "__main__":
    import sys
    print(main(sys.argv[1]))
'''


def main():
    files = []
    for sub in ("seeds", "corpus"):
        d = os.path.join(REPO, "fuzz", sub)
        files += [os.path.join(d, f) for f in sorted(os.listdir(d))]
    add = [a for i, a in enumerate(sys.argv[2:], 2) if sys.argv[i - 1] == "--add"]
    # resolved: Pyodide cannot follow a worktree's symlink to the shared oracle/work
    work = os.path.realpath(os.path.join(REPO, "oracle", "work"))
    os.makedirs(work, exist_ok=True)
    listfile = os.path.join(work, "parity_list.txt")
    probe = os.path.join(work, "parity_probe.py")
    with open(listfile, "w") as f:
        f.write("\n".join(files) + "\n")
    with open(probe, "w") as f:
        f.write(PROBE)
    columns = {}
    if add:
        with open(OUT) as f:
            for i, line in enumerate(l for l in f.read().split("\n") if l and not l.startswith("#")):
                for col in line.split(" ")[1:]:
                    r, outcome = col.split("=", 1)
                    columns.setdefault(r, []).append(outcome)
    for release in list(NATIVE) + list(PYODIDE):
        if add and release not in add:
            continue
        if release in NATIVE:
            cmd = [NATIVE[release], probe, listfile]
        else:
            pkg = os.path.join(REPO, "oracle", "pyodide", "node_modules", PYODIDE[release])
            cmd = ["node", os.path.join(HERE, "pyodide_exec.mjs"), pkg, probe, listfile]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        columns[release] = res.stdout.split()
        assert len(columns[release]) == len(files), (release, res.stderr[-500:])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("# input (relative to fuzz/)  then marshal.loads outcome per release; "
                "made by tools/marshal_parity.py\n")
        order = [r for r in list(NATIVE) + list(PYODIDE) if r in columns]
        for i, path in enumerate(files):
            rel = os.path.relpath(path, os.path.join(REPO, "fuzz"))
            f.write(rel + " " + " ".join("%s=%s" % (r, columns[r][i]) for r in order) + "\n")
    print("wrote %s (%d inputs)" % (OUT, len(files)))


if __name__ == "__main__":
    main()
