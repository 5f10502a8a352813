#!/usr/bin/env python3
"""Regenerate the 3.11 references of the eval/single/exec fixtures with the native 3.11
interpreters: 3.11.7 (`python3`) and 3.11.2 (Debian's `/usr/bin/python3.11`):

    python3 crates/pycode_compile/tests/data/modes/regen311.py

Writes `NAME.MODE.py.<release>.O{0,1,2}.marshal` = `marshal.dumps(compile(source_bytes,
"NAME.MODE.py", MODE, dont_inherit=True, optimize=N))` next to every fixture, or
`NAME.MODE.py.<release>.rejected` (the SyntaxError) for a fixture that release cannot parse
(3.12 syntax). Each fixture is
compiled in a fresh process (PYTHONHASHSEED=0): what a process has interned decides marshal's
string types, so one process per file is what `python -m py_compile` sees."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
INTERPRETERS = {"3.11.7": "python3", "3.11.2": "/usr/bin/python3.11"}
CHILD = r"""
import marshal, sys, warnings
name, mode, release = sys.argv[1], sys.argv[2], sys.argv[3]
assert "%d.%d.%d" % sys.version_info[:3] == release, sys.version
src = open(name, "rb").read()
try:
    for level in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(src, name, mode, dont_inherit=True, optimize=level)
        with open("%s.%s.O%d.marshal" % (name, release, level), "wb") as f:
            f.write(marshal.dumps(code))
except SyntaxError as e:
    with open("%s.%s.rejected" % (name, release), "w") as f:
        f.write("%s: %s\n" % (type(e).__name__, e.msg))
"""


def main():
    files = sorted(n for n in os.listdir(HERE) if n.endswith((".eval.py", ".single.py", ".exec.py")))
    env = dict(os.environ, PYTHONHASHSEED="0")
    bad = 0
    for release, exe in INTERPRETERS.items():
        for n in os.listdir(HERE):
            if n.endswith(tuple(".%s.%s" % (release, x) for x in
                                ("O0.marshal", "O1.marshal", "O2.marshal", "rejected"))):
                os.unlink(os.path.join(HERE, n))
        for name in files:
            mode = name.split(".")[-2]
            p = subprocess.run([exe, "-c", CHILD, name, mode, release], cwd=HERE, env=env,
                               capture_output=True, text=True)
            status = "ok" if p.returncode == 0 else "FAILED " + p.stderr.strip()[-300:]
            bad += p.returncode != 0
            print("%-8s %-40s %s" % (release, name, status))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
