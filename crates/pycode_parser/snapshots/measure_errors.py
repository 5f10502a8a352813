#!/usr/bin/env python3
"""The new parser's syntax errors on the invalid corpus, with tools/invalid/measure.py's
comparison (CPython's `ast.parse` error: class, positions, message), written to
crates/pycode_parser/snapshots/errors-invalid-<release>.txt (not to conformance/).

usage: crates/pycode_parser/snapshots/measure_errors.py [RELEASE ...]
(build first: cargo build --release -p pycode_parser --example syntaxerr_attrs)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tools", "invalid"))
import measure  # noqa: E402

tdir = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
binary = os.path.join(tdir, "release", "examples", "syntaxerr_attrs")
for r in sys.argv[1:] or ["3.11.7", "3.12.7", "3.13.2", "3.14.2", "3.15.0rc1"]:
    text = measure.measure(r, binary, 0)
    head = text.split("\n")
    # conformance style first line: class + all positions + message identical
    m = head[3].split(": ", 1)[1].split(" ")[0]
    text = "matched %s\n" % m + text
    with open(os.path.join(HERE, "errors-invalid-%s.txt" % r), "w", encoding="utf-8") as f:
        f.write(text)
    print("%s: %s" % (r, "; ".join(text.split("\n")[:6])))
