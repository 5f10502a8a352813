#!/usr/bin/env python3
"""Remake the references of the PEP 798 / PEP 765 fixtures (tests/pep798.rs) with real CPython
3.14.2 and 3.15.0rc1 (Pyodide under node, see conformance/README.md):

    python3 crates/pycode_compile/tests/data/pep798/regen.py

Writes RELEASE/NAME.py.O{0,1,2}.marshal for a fixture the release compiles, RELEASE/NAME.py.err
for one it rejects (see oracle_pep798.py)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.realpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
PYODIDE = {"3.14.2": "pyodide-314.0.7", "3.15.0rc1": "pyodide-315.0.0-alpha.2"}


def main():
    for release, pkg in PYODIDE.items():
        out = os.path.join(HERE, release)
        os.makedirs(out, exist_ok=True)
        for n in os.listdir(out):
            os.unlink(os.path.join(out, n))
        pkg_dir = os.path.join(REPO, "oracle", "pyodide", "node_modules", pkg)
        p = subprocess.run(["node", os.path.join(REPO, "tools", "pyodide_exec.mjs"), pkg_dir,
                            os.path.join(HERE, "oracle_pep798.py"), HERE, out],
                           capture_output=True, text=True)
        print(release)
        print(p.stdout, end="")
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
