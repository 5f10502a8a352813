"""Oracle features for the invalid-program corpus, run INSIDE the oracle interpreter by
oracle/driver.py (same protocol as oracle/features.py, kept separate so that changing it does
not invalidate the references of the other corpora).

  syntaxerr  `.syntaxerr`: JSON {"parse": E, "compile": E} where E is null (accepted) or
             [class, lineno, offset, end_lineno, end_offset, msg] of the exception that
             `ast.parse(source_bytes)` / `compile(source_bytes, rel, "exec")` raise
  pycompile  `.pycompile`: "exit N" line + what `python -m py_compile FILE` writes to stderr
Must stay importable by every target release (3.11 .. 3.14).
"""

import contextlib
import io
import json
import os
import shutil
import sys
import warnings

FEATURES = {}


class Rejected(Exception):
    def __init__(self, detail, outputs=None):
        super().__init__(detail)
        self.detail = detail
        self.outputs = outputs or {}


class NotApplicable(Exception):
    pass


class Ctx:
    def __init__(self, rel, tmpdir):
        self.rel = rel
        self.tmpdir = tmpdir

    def source(self):
        with open(self.rel, "rb") as f:
            return f.read()


def feature(name):
    def register(fn):
        FEATURES[name] = fn
        return fn
    return register


def _attrs(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except SyntaxError as e:
        return [type(e).__name__, e.lineno, e.offset, getattr(e, "end_lineno", None),
                getattr(e, "end_offset", None), e.msg]
    except Exception as e:  # ValueError (null bytes, 3.11), RecursionError, MemoryError, ...
        return [type(e).__name__, None, None, None, None, str(e)]
    return None


@feature("syntaxerr")
def f_syntaxerr(ctx):
    import ast
    src = ctx.source()
    res = {"parse": _attrs(lambda: ast.parse(src, ctx.rel)),
           "compile": _attrs(lambda: compile(src, ctx.rel, "exec", dont_inherit=True))}
    return {".syntaxerr": json.dumps(res, ensure_ascii=False) + "\n"}


@feature("pycompile")
def f_pycompile(ctx):
    import py_compile
    prefix = os.path.join(ctx.tmpdir, "pycache")
    shutil.rmtree(prefix, ignore_errors=True)
    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_prefix = sys.argv, sys.pycache_prefix
    sys.argv = ["python -m py_compile", ctx.rel]
    sys.pycache_prefix = prefix
    rc = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                py_compile.main()
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv, sys.pycache_prefix = saved_argv, saved_prefix
        shutil.rmtree(prefix, ignore_errors=True)
    return {".pycompile": "exit %d\n%s" % (rc, err.getvalue() + out.getvalue())}
