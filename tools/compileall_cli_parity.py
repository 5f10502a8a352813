#!/usr/bin/env python3
"""`pycode compileall --target R ARGS` against `python3 -m compileall ARGS` of release R (Pyodide
under node for 3.12.7 / 3.13.2 / 3.14.2 / 3.15.0rc1): exit status, stdout and stderr of each
command line in CASES (help, usage errors, invalid choices), compared after leaving out the
block of pycode's own options that `pycode compileall --help` prints first.

    python3 tools/compileall_cli_parity.py --release 3.15.0rc1

Prints every differing case and `matched N/M`; exit 1 if any differs."""

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "oracle"))
import refs  # noqa: E402  (which Pyodide build is which release)

CASES = """--help
-h
-Z
-r
-r abc ok.py
--invalidation-mode bogus ok.py
--invalidation-mode checked_hash ok.py
--invalidation-mode checked-hsh ok.py
--invalidation-mode time ok.py
--invalidation-mode
-d
-o
-o x ok.py
-j -1 ok.py
-j x ok.py
-d foo -s bar ok.py
-d foo -p bar ok.py
--hardlink-dupes ok.py
--hardlink-dupes -o 1 ok.py
-e
-e /nonexistent ok.py
--qq ok.py
--inval ok.py
-x
-i
-l -q nosuch.py
-q -q nosuch.py
-s
-p
--strip""".splitlines()

IN_ORACLE = r'''
import contextlib, io, os, sys
def dump():
    os.makedirs("/tmp/ca", exist_ok=True)
    os.chdir("/tmp/ca")
    with open("ok.py", "w") as f:
        f.write("x = 1\n")
    import compileall
    res = []
    for line in CASES:
        out, err = io.StringIO(), io.StringIO()
        # What argparse names the program under `python3 -m compileall`: 3.14+ say so,
        # earlier releases take the basename of the module's file (sys.argv[0]).
        argv0 = "python3 -m compileall" if sys.version_info >= (3, 14) else compileall.__file__
        sys.argv = [argv0] + line.split()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = int(not compileall.main())
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        res.append("=== %s\nexit %d\n--- stdout\n%s--- stderr\n%s" % (line, rc, out.getvalue(), err.getvalue()))
    return "\n".join(res)
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--release", required=True)
    ap.add_argument("--pycode", default=os.path.join(ROOT, "target", "release", "pycode"))
    args = ap.parse_args()
    kind, where = refs.oracle_for(args.release)
    if kind != "pyodide":
        sys.exit("compileall_cli_parity: only the Pyodide releases")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("CASES = %r\n%s" % (CASES, IN_ORACLE))
        script = f.name
    try:
        ref = subprocess.run(["node", os.path.join(ROOT, "tools", "pyodide_run.mjs"), where, script],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    ours = []
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "ok.py"), "w") as f:
            f.write("x = 1\n")
        for line in CASES:
            p = subprocess.run([args.pycode, "compileall", "--target", args.release] + line.split(),
                               capture_output=True, text=True, cwd=d, env=env, stdin=subprocess.DEVNULL)
            out = re.sub(r"\Apycode options \(anywhere.*?\n\n", "", p.stdout, flags=re.S)
            ours.append("=== %s\nexit %d\n--- stdout\n%s--- stderr\n%s" % (line, p.returncode, out, p.stderr))
    ref_cases = ref.rstrip("\n").split("\n=== ")
    our_cases = "\n".join(ours).rstrip("\n").split("\n=== ")
    bad = 0
    for r, o in zip(ref_cases, our_cases):
        if r != o:
            bad += 1
            sys.stdout.writelines(difflib.unified_diff(r.splitlines(True), o.splitlines(True),
                                                       "CPython " + args.release, "pycode"))
            print()
    n = len(CASES)
    print("%s compileall command lines: matched %d/%d" % (args.release, n - bad, n))
    return 1 if bad or len(ref_cases) != n else 0


if __name__ == "__main__":
    sys.exit(main())
