#!/usr/bin/env python3
"""Compare pycode's syntax errors with CPython's on the invalid-program corpus (corpus_invalid/).

usage: tools/invalid/measure.py [--release R ...] [--bin PATH] [--check] [--show N]

For each release: references from tools/invalid/invalid_refs.py (made on demand), pycode's errors from
the `syntaxerr_attrs` example of pycode_parser (one process for the whole corpus). Writes
conformance/<R>/errors-invalid-attrs.txt:

    parser rejects: M files
    class+lineno+offset identical: N/M (P%)
    message identical: K/M (P%)
    class+all positions+message identical: J/M (P%)
    parser accepts: A files, pycode accepts B/A
    then one line per file that differs: path | CPython's error | pycode's error

Only `ast.parse` errors are compared (compile-stage errors such as `'return' outside function`
come from the symbol table / compiler, not the parser).
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import invalid_refs as irefs  # noqa: E402


def default_bin():
    tdir = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(tdir, "release", "examples", "syntaxerr_attrs")


def fmt(e):
    if e is None:
        return "accepted"
    return "%s %s:%s-%s:%s %r" % tuple(e)


def measure(release, binary, show):
    files = irefs.corpus_files()
    irefs.main_for(release, files)
    want = {}
    for f in files:
        p = os.path.join(irefs.out_dir(release), f + ".syntaxerr")
        with open(p, encoding="utf-8") as fh:
            t = fh.read()
        want[f] = None if t.startswith("crash") else json.loads(t)
    # the full release: the parser applies that patch release's differences (3.11.2's)
    p = subprocess.run([binary, release], input="\n".join(files) + "\n", cwd=irefs.CORPUS,
                       capture_output=True, text=True, check=True)
    got = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(got) == len(files)
    m = n_loc = n_msg = n_all = acc = acc_ok = 0
    fails = []
    for f, g in zip(files, got):
        w = want[f]
        if w is None:  # oracle crashed
            continue
        w = w["parse"]
        if w is None:
            acc += 1
            if g is None:
                acc_ok += 1
            else:
                fails.append("%s | accepted | %s" % (f, fmt(g)))
            continue
        m += 1
        ok_loc = g is not None and g[:3] == w[:3]
        ok_msg = g is not None and g[5] == w[5]
        ok_all = g is not None and g == w
        n_loc += ok_loc
        n_msg += ok_msg
        n_all += ok_all
        if not ok_all:
            fails.append("%s | %s | %s" % (f, fmt(w), fmt(g)))
    pct = lambda a, b: 100.0 * a / b if b else 0.0  # noqa: E731
    lines = ["parser rejects: %d files" % m,
             "class+lineno+offset identical: %d/%d (%.1f%%)" % (n_loc, m, pct(n_loc, m)),
             "message identical: %d/%d (%.1f%%)" % (n_msg, m, pct(n_msg, m)),
             "class+all positions+message identical: %d/%d (%.1f%%)" % (n_all, m, pct(n_all, m)),
             "parser accepts: %d files, pycode accepts %d/%d" % (acc, acc_ok, acc)]
    return "\n".join(lines + sorted(fails)) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--release", action="append", choices=irefs.RELEASES)
    ap.add_argument("--bin", default=default_bin())
    ap.add_argument("--check", action="store_true", help="compare with the committed snapshot, do not write")
    ap.add_argument("--show", type=int, default=0, help="print N failing lines")
    args = ap.parse_args()
    rc = 0
    for r in args.release or irefs.RELEASES:
        text = measure(r, args.bin, args.show)
        path = os.path.join(REPO, "conformance", r, "errors-invalid-attrs.txt")
        head = text.split("\n")[:5]
        print("%s: %s" % (r, "; ".join(head)))
        if args.show:
            print("\n".join(text.split("\n")[5:5 + args.show]))
        if args.check:
            old = open(path, encoding="utf-8").read() if os.path.isfile(path) else ""
            if old != text:
                print("measure: %s differs from this run" % os.path.relpath(path, REPO))
                rc = 1
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    return rc


if __name__ == "__main__":
    sys.exit(main())
