"""Compile a list of sources to .pyc with the running interpreter (run inside each oracle).

Input: a TSV file of "source<TAB>pyc<TAB>mode" lines; mode is timestamp, checked or unchecked
(the .pyc invalidation mode) optionally followed by ",O2" for optimize=2. Prints "ok N failed M".
Used by tools/marshal_corpus.py; works under native CPython and under Pyodide.
"""
import os
import py_compile
import sys
import warnings

warnings.simplefilter("ignore")


def main(listfile):
    modes = {
        "timestamp": py_compile.PycInvalidationMode.TIMESTAMP,
        "checked": py_compile.PycInvalidationMode.CHECKED_HASH,
        "unchecked": py_compile.PycInvalidationMode.UNCHECKED_HASH,
    }
    ok = failed = 0
    with open(listfile, encoding="utf-8") as f:
        for line in f:
            src, dst, mode = line.rstrip("\n").split("\t")
            inv, _, opt = mode.partition(",")
            try:
                py_compile.compile(src, cfile=dst, dfile=src, doraise=True,
                                   optimize=2 if opt == "O2" else -1,
                                   invalidation_mode=modes[inv])
                ok += 1
            except Exception:
                failed += 1
    return "ok %d failed %d" % (ok, failed)


if __name__ == "__main__":
    print(main(sys.argv[1]))
