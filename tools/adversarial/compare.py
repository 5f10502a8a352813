#!/usr/bin/env python3
"""Compare `pycode compile` with real CPython on any directory of .py files (e.g. the output of
tools/adversarial/gen.py), byte for byte, at several optimisation levels and releases.

usage: compare.py [--release R]... [--levels 0,1,2] [--out DIR] [--pycode PATH] ROOT [REL ...]

For each release (default 3.12.7 and 3.12.1) the oracle (Pyodide under node for 3.12.7, the
native pyenv interpreter for 3.12.1; see oracle/refs.py) compiles every file once per level
(tools/adversarial/oracle_compile.py), then `pycode compile --target R --optimize N
--invalidation-mode unchecked-hash` runs on the same file with the same working directory. Prints
`R -ON: matched N/M` and every differing file; a marshal-level diff of each (tools/adversarial/
marshal_walk.py: types, FLAG_REF, interning) is left in <out>/<R>/diffs/. Files CPython rejects
are left out of M. ROOT and --out must be under /work (Pyodide mounts only /work).
Exit status 1 when anything differs.
"""
import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "oracle"))
sys.path.insert(0, HERE)
import refs  # noqa: E402
from marshal_walk import walk  # noqa: E402


def run_oracle(release, root, out, files, levels):
    """A native oracle compiles each file in a fresh process, so no file sees strings an earlier
    one had interned (3.12 interned strings are immortal); Pyodide (3 s to start) takes them all
    in one process."""
    kind, where = refs.oracle_for(release)
    script = os.path.join(HERE, "oracle_compile.py")
    batches = [[f] for f in files] if kind == "native" else [files]
    ok = rejected = 0
    for batch in batches:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=out) as jf:
            json.dump({"root": root, "out": out, "files": batch, "levels": levels}, jf)
        if kind == "native":
            argv = [where, "-s", "-X", "utf8", script, jf.name]
        else:
            argv = ["node", os.path.join(REPO, "tools", "pyodide_exec.mjs"), where, script, jf.name]
        try:
            p = subprocess.run(argv, capture_output=True, text=True, env=refs._oracle_env())
        finally:
            os.unlink(jf.name)
        if p.returncode != 0:
            raise SystemExit("oracle %s failed: %s" % (release, p.stderr[-2000:]))
        words = p.stdout.split()
        ok += int(words[1])
        rejected += int(words[3])
    return "ok %d rejected %d" % (ok, rejected)


def walk_text(data):
    try:
        return walk(data[16:])
    except Exception as e:  # a broken stream is a finding too
        return ["<unreadable: %s>" % e]


def check(pycode, release, root, out, rel, level):
    ref = os.path.join(out, rel + ".O%d.pyc" % level)
    if not os.path.exists(ref):
        return None  # rejected by CPython
    mine = os.path.join(out, rel + ".O%d.pycode.pyc" % level)
    if os.path.exists(mine):
        os.unlink(mine)
    p = subprocess.run([pycode, "compile", "--target", release, "--optimize", str(level),
                        "--invalidation-mode", "unchecked-hash", "-o", mine, rel],
                       cwd=root, capture_output=True, text=True)
    want = open(ref, "rb").read()
    got = open(mine, "rb").read() if p.returncode == 0 and os.path.exists(mine) else None
    if got == want:
        return True
    diff_path = os.path.join(out, "diffs", rel + ".O%d.diff" % level)
    os.makedirs(os.path.dirname(diff_path), exist_ok=True)
    with open(diff_path, "w", encoding="utf-8") as f:
        if got is None:
            f.write("pycode failed (exit %d):\n%s%s" % (p.returncode, p.stdout, p.stderr))
        else:
            f.write("\n".join(difflib.unified_diff(walk_text(want), walk_text(got), "cpython", "pycode",
                                                   lineterm="", n=4)) + "\n")
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--release", action="append", help="3.12.7 and 3.12.1 unless given")
    ap.add_argument("--levels", default="0,1,2")
    ap.add_argument("--out", default=os.path.join(REPO, "target", "adversarial"))
    ap.add_argument("--pycode", default=os.path.join(REPO, "target", "release", "pycode"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("root")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    files = a.files or sorted(os.path.relpath(os.path.join(d, n), root)
                              for d, _, ns in os.walk(root) for n in ns if n.endswith(".py"))
    levels = [int(x) for x in a.levels.split(",")]
    bad = False
    for release in a.release or ["3.12.7", "3.12.1"]:
        out = os.path.realpath(os.path.join(a.out, release))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out, exist_ok=True)
        print("%s oracle: %s" % (release, run_oracle(release, root, out, files, levels)), flush=True)
        for level in levels:
            with ThreadPoolExecutor(a.jobs) as ex:
                res = list(ex.map(lambda rel: check(a.pycode, release, root, out, rel, level), files))
            fails = [rel for rel, r in zip(files, res) if r is False]
            total = sum(1 for r in res if r is not None)
            print("%s -O%d: matched %d/%d" % (release, level, total - len(fails), total))
            for rel in fails:
                print("  " + rel)
            bad |= bool(fails)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
