"""What the conformance runner compares, per feature.

Each entry says which oracle features (oracle/features.py) produce the reference, what pycode
is given, the pycode command line, and how outputs are compared:

  refs      oracle features whose references must exist (the first one that needs a .pyc
            decides whether a file is in scope: sources CPython rejects have no .pyc)
  input     "pyc": pycode gets the reference .pyc (absolute path), cwd = corpus root
            "source": pycode gets the source path relative to the corpus root, cwd = corpus
            root (so filenames in messages match CPython's)
  argv      pycode arguments; {release}, {pyc}, {src} are substituted
  expect    suffix of the reference output pycode's stdout must equal
  compare   "text": stdout == reference (normalised), exit status 0
            "text-or-error": as "text" when CPython accepted the file; when CPython rejected it,
                pycode must exit non-zero and its stderr must end with the reference error
                text (suffix `expect_error`)
            "bytes": stdout == reference bytes exactly
            "status-stderr": "exit N\\n" + stderr == reference

Normalisation (always, both sides): `<code object NAME at 0x...>` addresses. When the
reference came from Pyodide (32-bit, other hash order): element order inside frozenset({...}).
"""

FEATURES = {
    "dis": {
        "refs": ["pyc", "dis"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "{pyc}"],
        "expect": ".dis", "compare": "text",
    },
    "dis-C": {
        "refs": ["pyc", "dis-C"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "-C", "{pyc}"],
        "expect": ".dis-C", "compare": "text",
    },
    "dis-O": {
        "refs": ["pyc", "dis-O"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "-O", "{pyc}"],
        "expect": ".dis-O", "compare": "text",
    },
    "dis-P": {
        "refs": ["pyc", "dis-P"], "input": "pyc",
        "argv": ["dis", "--target", "{release}", "-P", "{pyc}"],
        "expect": ".dis-P", "compare": "text",
    },
    "info": {
        "refs": ["pyc", "info"], "input": "pyc",
        "argv": ["info", "--target", "{release}", "{pyc}"],
        "expect": ".info", "compare": "text",
    },
    "ast": {
        "refs": ["ast"], "input": "source",
        "argv": ["ast", "--target", "{release}", "-a", "{src}"],
        "expect": ".ast", "expect_error": ".ast.err", "compare": "text-or-error",
    },
    # marshal: read the .pyc and write it back; must reproduce CPython's bytes.
    "roundtrip": {
        "refs": ["pyc"], "input": "pyc",
        "argv": ["roundtrip", "--target", "{release}", "{pyc}"],
        "expect": ".pyc", "compare": "bytes",
    },
    # compiler: what `python -m py_compile FILE` prints (warnings, errors) and its exit status.
    "error": {
        "refs": ["error"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--check", "{src}"],
        "expect": ".error", "compare": "status-stderr",
    },
    # compiler: byte-identical unchecked-hash .pyc on stdout.
    "compile": {
        "refs": ["pyc"], "input": "source",
        "argv": ["compile", "--target", "{release}", "--unchecked-hash", "-o", "-", "{src}"],
        "expect": ".pyc", "compare": "bytes",
    },
}
