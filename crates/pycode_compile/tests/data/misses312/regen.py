#!/usr/bin/env python3
"""Regenerate the references of the 3.12 compile fixtures in this directory with real CPython:
3.12.7 (Pyodide 0.27.7 under node) and 3.12.1 (the native pyenv build):

    python3 crates/pycode_compile/tests/data/misses312/regen.py

For every fixture `NAME.py` writes `NAME.py.<release>.O{0,1,2}.marshal` (oracle_misses.py: the
marshal of `compile(source, "NAME.py", "exec", optimize=N)`), each fixture in a fresh
interpreter process, so that no fixture sees strings an earlier one had interned. The test
`tests/misses312.rs` compares pycode's output with these bytes."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.realpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "oracle"))
import refs  # noqa: E402  (oracle/refs.py: where each oracle is)

RELEASES = ("3.12.7", "3.12.1")


def main():
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".py") and n not in ("regen.py", "oracle_misses.py"))
    for n in os.listdir(HERE):
        if n.endswith(".marshal"):
            os.unlink(os.path.join(HERE, n))
    script = os.path.join(HERE, "oracle_misses.py")
    bad = 0
    for release in RELEASES:
        kind, where = refs.oracle_for(release)
        for name in names:
            if kind == "native":
                argv = [where, "-s", "-X", "utf8", script, HERE, release, name]
            else:
                argv = ["node", os.path.join(REPO, "tools", "pyodide_exec.mjs"), where, script, HERE, release, name]
            p = subprocess.run(argv, capture_output=True, text=True, env=refs._oracle_env())
            print("%-8s %-28s %s" % (release, name, (p.stdout.strip() or p.stderr.strip()[-300:])))
            bad += p.returncode != 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
