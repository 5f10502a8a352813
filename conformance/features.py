"""What the conformance runner compares, per feature.

Each entry says which oracle features (oracle/features.py) produce the reference, what pycode
is given, the pycode command line, and how outputs are compared:

  refs      oracle features whose references must exist (the first one that needs a .pyc
            decides whether a file is in scope: sources CPython rejects have no .pyc)
  input     "pyc": pycode gets the reference .pyc (absolute path), cwd = corpus root
            "source": pycode gets the source path relative to the corpus root, cwd = corpus
            root (so filenames in messages match CPython's)
  argv      pycode arguments; substituted: {release}; {pyc} / {tspyc} the reference
            unchecked-hash / timestamp .pyc ({pyc_O1} / {tspyc_O1}, {pyc_O2} / {tspyc_O2}: those of
            optimize levels 1 and 2); {src} the source path; {tmp} a fresh scratch
            directory; {set_order} `32` for a Pyodide reference, else `64`
  then      optional second pycode command (same substitutions), run when `argv` exited 0;
            its exit status and output are the ones compared (only with compare "status")
  env       extra environment variables (same substitutions)
  output    "stdout" (default) or "tmp-pyc": the single .pyc pycode wrote under {tmp}
  expect    suffix of the reference output pycode's stdout must equal
  compare   "text": stdout == reference (normalised), exit status 0
            "text-or-error": as "text" when CPython accepted the file; when CPython rejected it,
                pycode must exit non-zero and its stderr must end with the reference error
                text (suffix `expect_error`)
            "bytes": output == reference bytes exactly (and exit status 0)
            "status": exit status 0 (pycode checks the result itself)
            "status-stderr": "exit N\\n" + stderr == reference
            "streams": "exit N\\n--- stdout\\n" + stdout + "--- stderr\\n" + stderr == reference

Normalisation (always, both sides): `<code object NAME at 0x...>` addresses. When the
reference came from Pyodide (32-bit, other hash order): element order inside frozenset({...}).
"""

FEATURES = {
    "dis": {
        "refs": ["pyc", "dis"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "--set-order", "{set_order}", "{pyc}"],
        "expect": ".dis", "compare": "text",
    },
    "dis-C": {
        "refs": ["pyc", "dis-C"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "--set-order", "{set_order}", "-C", "{pyc}"],
        "expect": ".dis-C", "compare": "text",
    },
    "dis-O": {
        "refs": ["pyc", "dis-O"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "--set-order", "{set_order}", "-O", "{pyc}"],
        "expect": ".dis-O", "compare": "text",
    },
    "dis-P": {
        "refs": ["pyc", "dis-P"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "--set-order", "{set_order}", "-P", "{pyc}"],
        "expect": ".dis-P", "compare": "text",
    },
    "info": {
        "refs": ["pyc", "info"], "input": "pyc",
        "argv": ["info", "--target", "{release}", "--set-order", "{set_order}", "{pyc}"],
        "expect": ".info", "compare": "text",
    },
    # co_lines(), co_positions() and dis._parse_exception_table of every code object.
    "tables": {
        "refs": ["pyc", "tables"], "input": "pyc",
        "argv": ["tables", "--target", "{release}", "{pyc}"],
        "expect": ".tables", "compare": "text",
    },
    "ast": {
        "refs": ["ast"], "input": "source",
        "argv": ["ast", "--target", "{release}", "-a", "{src}"],
        "expect": ".ast", "expect_error": ".ast.err", "compare": "text-or-error",
    },
    # marshal: read both reference .pyc files (unchecked-hash and timestamp mode) and write
    # them back; `pycode roundtrip` exits 0 only when every byte is reproduced.
    "roundtrip": {
        "refs": ["pyc"], "input": "pyc",
        "argv": ["roundtrip", "{pyc}", "{tspyc}"],
        "compare": "status",
    },
    # assembler: `pycode dis --asm` then `pycode asm` reproduces both reference .pyc files
    # byte for byte (`pycode asm --roundtrip` does both steps and compares; docs/asm.md).
    "asm-roundtrip": {
        "refs": ["pyc"], "input": "pyc",
        "argv": ["asm", "--roundtrip", "--target", "{release}", "{pyc}", "{tspyc}"],
        "compare": "status",
    },
    # verifier: `pycode verify` accepts every .pyc CPython wrote (both header modes).
    "verify": {
        "refs": ["pyc"], "input": "pyc",
        "argv": ["verify", "-q", "{pyc}", "{tspyc}"],
        "compare": "status",
    },
    # the same on CPython's optimize level 1 and 2 files (`py_compile.compile(optimize=N)`).
    "verify-O1": {
        "refs": ["pyc-O1"], "input": "pyc",
        "argv": ["verify", "-q", "{pyc_O1}", "{tspyc_O1}"],
        "compare": "status",
    },
    "verify-O2": {
        "refs": ["pyc-O2"], "input": "pyc",
        "argv": ["verify", "-q", "{pyc_O2}", "{tspyc_O2}"],
        "compare": "status",
    },
    # verifier on pycode's own output: `pycode compile` writes a .pyc (at optimize level 0, 1
    # or 2) and `pycode verify` must accept it. In scope: the files CPython compiles (the `pyc`
    # reference only decides the scope; its bytes are not compared, so a file the compiler
    # does not reproduce byte for byte is still checked here).
    "verify-own": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "-o", "{tmp}/out.pyc", "{src}"],
        "then": ["verify", "-q", "{tmp}/out.pyc"],
        "compare": "status",
    },
    "verify-own-O1": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "1", "-o", "{tmp}/out.pyc", "{src}"],
        "then": ["verify", "-q", "{tmp}/out.pyc"],
        "compare": "status",
    },
    "verify-own-O2": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "2", "-o", "{tmp}/out.pyc", "{src}"],
        "then": ["verify", "-q", "{tmp}/out.pyc"],
        "compare": "status",
    },
    # compiler: the unchecked-hash .pyc `pycode compile` writes must be byte-identical to the
    # one py_compile wrote in that mode.
    "compile": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--invalidation-mode", "unchecked-hash",
                 "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".pyc", "compare": "bytes",
    },
    # the same in timestamp mode: header (flags 0, mtime, source size) + the same body;
    # pycode is given the oracle's fixed mtime.
    "compile-ts": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--invalidation-mode", "timestamp",
                 "--mtime", "1700000000", "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".ts.pyc", "compare": "bytes",
    },
    # optimize levels 1 and 2 (`py_compile.compile(..., optimize=N)`: asserts and
    # `if __debug__` gone, __debug__ False; at 2 also docstrings), both header modes.
    "compile-O1": {
        "refs": ["pyc-O1"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "1",
                 "--invalidation-mode", "unchecked-hash", "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".O1.pyc", "compare": "bytes",
    },
    "compile-O1-ts": {
        "refs": ["pyc-O1"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "1", "--invalidation-mode",
                 "timestamp", "--mtime", "1700000000", "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".O1.ts.pyc", "compare": "bytes",
    },
    "compile-O2": {
        "refs": ["pyc-O2"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "2",
                 "--invalidation-mode", "unchecked-hash", "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".O2.pyc", "compare": "bytes",
    },
    "compile-O2-ts": {
        "refs": ["pyc-O2"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--optimize", "2", "--invalidation-mode",
                 "timestamp", "--mtime", "1700000000", "-o", "{tmp}/out.pyc", "{src}"],
        "output": "tmp-pyc", "expect": ".O2.ts.pyc", "compare": "bytes",
    },
    # compiler front end: what `python -m py_compile FILE` writes to stderr (errors, warnings)
    # and its exit status, for every file (accepted or not).
    "error": {
        "refs": ["error"], "input": "source",
        "argv": ["compile", "--target", "{release}", "-o", "{tmp}/out.pyc", "{src}"],
        "expect": ".error", "compare": "status-stderr",
    },
    # syntax errors: `pycode ast FILE` on a file CPython rejects prints to stderr exactly what
    # `python -m py_compile FILE` prints, and exits 1 (used with the `invalid` corpus).
    "errors": {
        "refs": ["error"], "input": "source",
        "argv": ["ast", "--target", "{release}", "{src}"],
        "expect": ".error", "compare": "status-stderr",
    },
    # compiler front end: what `python -m compileall -q FILE` prints (errors, warnings) and
    # its exit status, for every file (accepted or not).
    "compileall": {
        "refs": ["compileall"], "input": "source",
        "argv": ["compileall", "--target", "{release}", "-q", "{src}"],
        "env": {"PYTHONPYCACHEPREFIX": "{tmp}"},
        "expect": ".compileall", "compare": "streams",
    },
}
