#!/usr/bin/env python3
"""Copy a deterministic selection of invalid-corpus cases with CPython's `python -m py_compile`
output into crates/pycode_parser/tests/fixtures/syntax_errors/ (<name>.py + <name>.<minor>.txt
for 3.11/3.12/3.13/3.14, from the references of tools/invalid/invalid_refs.py).

usage: tools/invalid/make_fixtures.py CASE...   (paths relative to corpus_invalid/)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import invalid_refs  # noqa: E402

OUT = os.path.join(REPO, "crates", "pycode_parser", "tests", "fixtures", "syntax_errors")

for rel in sys.argv[1:]:
    name = rel.replace("/", "__")[:-3]
    with open(os.path.join(invalid_refs.CORPUS, rel), "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, name + ".py"), "wb") as f:
        f.write(data)
    for r in invalid_refs.RELEASES:
        with open(os.path.join(invalid_refs.out_dir(r), rel + ".pycompile"), encoding="utf-8") as f:
            text = f.read()
        minor = ".".join(r.split(".")[:2])
        # the file name CPython printed is the corpus-relative path; the test passes the same
        with open(os.path.join(OUT, "%s.%s.txt" % (name, minor)), "w", encoding="utf-8") as f:
            f.write(text.replace(rel, "FILE").replace(os.path.basename(rel), "FILE"))
