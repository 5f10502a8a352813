#!/usr/bin/env python3
"""Looks for inputs the parser takes exponential time on: every nesting unit (a call, a
subscript, a group, a display, a starred or keyword argument, a lambda, a comprehension, an
f-string, ...) repeated DEPTH times, followed by each of a set of tails that make the parse fail
or take another path, run through `pycode ast --target T` with a time limit. A backtracking
parser that parses a failing alternative twice per level shows up as a case over the limit.

    python3 tools/nesting_scan.py [--depth 26] [--target 3.12] [--pycode target/release/pycode]
                                  [--limit 2.0] [--slow 0.3]

Prints each case slower than --slow seconds (99 when it hit --limit) and a summary; exits 1 when
any case was slow. Found four 2^depth paths in session 10 (docs in fuzz/README.md).
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time

UNITS = [
    '(', '((x', 'x(', 'x((', '[', '[x(', 'x[', 'x[(', '{', '{x:', '{x:(', '(x,', 'x(y=', 'x(*',
    'x(**', '(*', '[*', 'lambda:(', 'x if (', '(x for x in (', '[x for x in (', 'f"{', 'not (',
    '-(', 'await (', '(yield (', 'x[1:(', 'x.y(', '(x:=(', '{**', 'x(y,', 'x(y for y in (',
    'x((y)', '(x)(', 'x[y](', 'match (', 'case (', 'del (', 'for (', 'with (', 'assert (',
    'import (', 'return (', 'print(x=', '[(x', '([x', '{(x', '(x)[', '{**x(', 'x(*x(', '(*x(',
    '[*x(', '{*x(', '{**{', '(*x[', '{**x[', 'x[*', 'x[y:(', 'x[(y', '(x(', '[x(', '{x(',
    '{x:x(', 'x(y)(', 'x(y=x(', 'f(x)[', 'lambda x:x(', 'x.y[(', 'not x(', '(x, x(', '[x, x[',
    'x if x else x(', '(x for x in x if x(', 'x(x for x in x(', '(-x(', 'x[x][(', 'x[x](',
    'f"{x(', 'f"{x[', 'f"{(',
]
TAILS = ['', "'{'{", ")", "1 2", ",", ":", "=", "*", "for", "if", " lambda", "'s'", "{", "]", "!",
         "x y"]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--depth", type=int, default=26)
    ap.add_argument("--target", default="3.12")
    ap.add_argument("--pycode", default=os.path.join(root, "target", "release", "pycode"))
    ap.add_argument("--limit", type=float, default=2.0)
    ap.add_argument("--slow", type=float, default=0.3)
    a = ap.parse_args()
    slow = 0
    with tempfile.TemporaryDirectory(prefix="nesting-scan-") as tmp:
        path = os.path.join(tmp, "case.py")
        for unit, tail in itertools.product(UNITS, TAILS):
            with open(path, "w") as f:
                f.write(unit * a.depth + tail + "\n")
            t0 = time.monotonic()
            try:
                subprocess.run([a.pycode, "ast", "--target", a.target, path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=a.limit)
                dt = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                dt = 99.0
            if dt > a.slow:
                slow += 1
                print("slow: %5.2f s  %r * %d + %r" % (dt, unit, a.depth, tail), flush=True)
    print("nesting_scan: %d cases (%d units x %d tails, depth %d, --target %s), %d slower than %.1f s"
          % (len(UNITS) * len(TAILS), len(UNITS), len(TAILS), a.depth, a.target, slow, a.slow))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
