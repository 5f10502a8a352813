#!/usr/bin/env python3
"""Regenerate the references of the compile fixtures in this directory with real CPython:
3.12.7 / 3.13.2 / 3.14.2 (Pyodide under node), 3.12.1 / 3.13.0 (the native pyenv builds),
3.11.7 (native `python3`) and 3.11.2 (Debian's `/usr/bin/python3.11`):

    python3 crates/pycode_compile/tests/data/misses312/regen.py [--release R ...]

For every fixture `NAME.py` writes `NAME.py.<release>.O{0,1,2}.marshal` (oracle_misses.py: the
marshal of `compile(source, "NAME.py", "exec", optimize=N)`), each fixture and level in a fresh
interpreter process, so that none sees strings an earlier one had interned. The test
`tests/misses312.rs` compares pycode's output with these bytes. A fixture the release rejects
(3.12+ syntax under 3.11) gets `NAME.py.<release>.rejected` instead."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.realpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "oracle"))
import refs  # noqa: E402  (oracle/refs.py: where each oracle is)

RELEASES = ("3.12.7", "3.12.1", "3.11.7", "3.11.2", "3.13.0", "3.13.2", "3.14.2")


def main(argv):
    releases = RELEASES
    if argv[:1] == ["--release"]:
        releases = argv[1::2]
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".py") and n not in ("regen.py", "oracle_misses.py"))
    for n in os.listdir(HERE):
        if (n.endswith(".marshal") or n.endswith(".rejected")) and any(".%s." % r in n for r in releases):
            os.unlink(os.path.join(HERE, n))
    script = os.path.join(HERE, "oracle_misses.py")
    bad = 0
    for release in releases:
        kind, where = refs.oracle_for(release)
        for name in names:
            for level in ("0", "1", "2"):
                if kind == "native":
                    argv = [where, "-s", "-X", "utf8", script, HERE, release, name, level]
                else:
                    argv = ["node", os.path.join(REPO, "tools", "pyodide_exec.mjs"), where, script, HERE, release, name, level]
                p = subprocess.run(argv, capture_output=True, text=True, env=refs._oracle_env())
                out = p.stdout.strip() or p.stderr.strip()[-300:]
                print("%-8s %-28s -O%s %s" % (release, name, level, out))
                bad += p.returncode != 0
                if out.startswith("rejected"):
                    break
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
