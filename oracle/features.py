"""Reference features, run INSIDE the oracle interpreter (native CPython or Pyodide).

Each feature is a function `feature(ctx) -> dict[suffix, str | bytes]` registered with
`@feature("name")`. The driver (oracle/driver.py) writes every returned item to
`<out>/<relpath><suffix>` and records the file's status for that feature:

  ok        the feature ran; its outputs were written
  rejected  CPython rejects the source (no code object), detail = the error; any outputs
            returned through `Rejected(detail, outputs)` are written too
  n/a       the feature does not exist in this release (e.g. `dis -P` before 3.14)
  crash     CPython itself raised while producing the reference; detail = traceback

Adding a feature = adding a function here (and, for the conformance runner, an entry in
conformance/features.py saying which pycode command to compare with which suffix).
This file must stay importable by every target release (3.11 .. 3.14).
"""

import contextlib
import dis
import importlib._bootstrap_external as _bootstrap_external
import importlib.machinery
import importlib.util
import io
import marshal
import os
import py_compile
import sys
import traceback
import types
import warnings

# mtime written into the timestamp-mode .pyc (`<file>.ts.pyc`): 2023-11-14T22:13:20Z
FIXED_MTIME = 1700000000

FEATURES = {}


class Rejected(Exception):
    def __init__(self, detail, outputs=None):
        super().__init__(detail)
        self.detail = detail
        self.outputs = outputs or {}


class NotApplicable(Exception):
    pass


def feature(name):
    def register(fn):
        FEATURES[name] = fn
        return fn
    return register


class Ctx:
    """Per-file state shared by the features. `rel` is the path relative to the corpus root,
    which is the oracle's working directory: it is what CPython records as co_filename."""

    def __init__(self, rel, tmpdir):
        self.rel = rel
        self.tmpdir = tmpdir
        self._pyc = None
        self._pyc_error = None

    def source(self):
        with open(self.rel, "rb") as f:
            return f.read()

    def pyc(self):
        """The unchecked-hash .pyc that `py_compile.compile` writes for this file."""
        if self._pyc is None and self._pyc_error is None:
            cfile = os.path.join(self.tmpdir, "out.pyc")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    py_compile.compile(self.rel, cfile=cfile, doraise=True,
                                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except py_compile.PyCompileError as e:
                self._pyc_error = e.msg
            else:
                with open(cfile, "rb") as f:
                    self._pyc = f.read()
                os.unlink(cfile)
        if self._pyc_error is not None:
            raise Rejected(self._pyc_error)
        return self._pyc

    def code(self):
        """The code object held in that .pyc, loaded the way the importer loads it."""
        return marshal.loads(self.pyc()[16:])


# Not called any more (f_pyc runs py_compile itself, see there). It stays because this part of
# the file is the fingerprint of every reference (oracle/refs.py): removing it would redo all of
# them, for every release and corpus.
def _timestamp_pyc(path, source_bytes, mtime):
    """Mirrors py_compile.compile's steps for PycInvalidationMode.TIMESTAMP, with a fixed
    mtime instead of the file's (the code object is passed along exactly as py_compile does,
    so marshal sees the same reference counts)."""
    loader = importlib.machinery.SourceFileLoader("<py_compile>", path)
    code = loader.source_to_code(source_bytes, path, _optimize=-1)
    return _bootstrap_external._code_to_timestamp_pyc(code, mtime, len(source_bytes))


@feature("pyc")
def f_pyc(ctx):
    # A fresh `python -m py_compile` has no code objects of earlier compiles alive. In this
    # long-lived oracle they linger in cyclic garbage until a collection, and the strings they
    # hold change reference counts, hence marshal's FLAG_REF bits (measured: 3.13 imaplib.py
    # after the other features had run on it). Every .pyc feature collects before compiling.
    import gc
    gc.collect()
    data = ctx.pyc()
    gc.collect()
    # The timestamp-mode file is py_compile's own, with its header's mtime replaced by
    # FIXED_MTIME (the mtime is not part of the marshalled body). Imitating py_compile's steps
    # in a helper was not enough: 3.14 passes a borrowed reference to the code object there, so
    # marshal saw a reference count of 1 and left FLAG_REF off the root (63, py_compile: e3).
    cfile = os.path.join(ctx.tmpdir, "out.ts.pyc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        py_compile.compile(ctx.rel, cfile=cfile, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    with open(cfile, "rb") as f:
        ts = f.read()
    os.unlink(cfile)
    ts = ts[:8] + FIXED_MTIME.to_bytes(4, "little") + ts[12:]
    return {".pyc": data, ".ts.pyc": ts}


@feature("pyc-O1")
def f_pyc_o1(ctx):
    """As `pyc` at optimize level 1 (`py_compile.compile(..., optimize=1)`): `<f>.O1.pyc`
    (unchecked-hash) and `<f>.O1.ts.pyc` (timestamp mode, mtime FIXED_MTIME, the same steps
    as `_timestamp_pyc`). Kept apart from `pyc-O2` on purpose: each feature's own code is
    its reference fingerprint (oracle/refs.py)."""
    import gc  # see f_pyc: no cyclic garbage of earlier compiles alive
    gc.collect()
    cfile = os.path.join(ctx.tmpdir, "out.O1.pyc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            py_compile.compile(ctx.rel, cfile=cfile, doraise=True, optimize=1,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        except py_compile.PyCompileError as e:
            raise Rejected(e.msg)
        with open(cfile, "rb") as f:
            data = f.read()
        os.unlink(cfile)
        gc.collect()
        loader = importlib.machinery.SourceFileLoader("<py_compile>", ctx.rel)
        code = loader.source_to_code(ctx.source(), ctx.rel, _optimize=1)
        ts = _bootstrap_external._code_to_timestamp_pyc(code, FIXED_MTIME, len(ctx.source()))
    return {".O1.pyc": data, ".O1.ts.pyc": bytes(ts)}


@feature("pyc-O2")
def f_pyc_o2(ctx):
    """As `pyc-O1` at optimize level 2: `<f>.O2.pyc`, `<f>.O2.ts.pyc`."""
    import gc  # see f_pyc: no cyclic garbage of earlier compiles alive
    gc.collect()
    cfile = os.path.join(ctx.tmpdir, "out.O2.pyc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            py_compile.compile(ctx.rel, cfile=cfile, doraise=True, optimize=2,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        except py_compile.PyCompileError as e:
            raise Rejected(e.msg)
        with open(cfile, "rb") as f:
            data = f.read()
        os.unlink(cfile)
        gc.collect()
        loader = importlib.machinery.SourceFileLoader("<py_compile>", ctx.rel)
        code = loader.source_to_code(ctx.source(), ctx.rel, _optimize=2)
        ts = _bootstrap_external._code_to_timestamp_pyc(code, FIXED_MTIME, len(ctx.source()))
    return {".O2.pyc": data, ".O2.ts.pyc": bytes(ts)}


def _dis_text(ctx, **kwargs):
    code = ctx.code()
    buf = io.StringIO()
    try:
        dis.dis(code, file=buf, **kwargs)
    except TypeError as e:
        if kwargs and "unexpected keyword" in str(e):
            raise NotApplicable(str(e))
        raise
    return buf.getvalue()


@feature("dis")
def f_dis(ctx):
    return {".dis": _dis_text(ctx)}


@feature("dis-C")
def f_dis_c(ctx):
    return {".dis-C": _dis_text(ctx, show_caches=True)}


@feature("dis-O")
def f_dis_o(ctx):
    return {".dis-O": _dis_text(ctx, show_offsets=True)}


@feature("dis-P")
def f_dis_p(ctx):
    return {".dis-P": _dis_text(ctx, show_positions=True)}


def _walk_code(co):
    """Depth-first, parent before children, children in co_consts order (explicit stack)."""
    stack = [co]
    while stack:
        c = stack.pop()
        yield c
        kids = [k for k in c.co_consts if isinstance(k, types.CodeType)]
        stack.extend(reversed(kids))


@feature("info")
def f_info(ctx):
    buf = io.StringIO()
    for c in _walk_code(ctx.code()):
        dis.show_code(c, file=buf)
    return {".info": buf.getvalue()}


@feature("tables")
def f_tables(ctx):
    """co_lines(), co_positions() and the exception table of every code object, in the text
    `pycode tables` prints (Python's repr of the lists)."""
    out = []
    for c in _walk_code(ctx.code()):
        out.append("%s (firstlineno %d)" % (c.co_qualname, c.co_firstlineno))
        out.append("co_lines: %r" % (list(c.co_lines()),))
        out.append("co_positions: %r" % (list(c.co_positions()),))
        entries = [(e.start, e.end, e.target, e.depth, e.lasti) for e in dis._parse_exception_table(c)]
        out.append("exceptions: %r" % (entries,))
    return {".tables": "\n".join(out) + "\n"}


def _run_main(main, argv):
    """Run a module's command-line `main()` in-process with `argv`; return (rc, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = argv
    rc = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                if e.code is not None and not isinstance(e.code, int):
                    err.write(str(e.code) + "\n")
    finally:
        sys.argv = saved
    return rc, out.getvalue(), err.getvalue()


@feature("ast")
def f_ast(ctx):
    """What `python -m ast -a FILE` prints (this release's own ast.main)."""
    import ast
    try:
        rc, out, err = _run_main(ast.main, ["python -m ast", "-a", ctx.rel])
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as e:
        # `python -m ast` lets the exception escape: traceback, exit 1
        text = "".join(traceback.format_exception_only(type(e), e))
        raise Rejected(text, {".ast.err": text})
    if rc != 0:
        raise Rejected("exit %s: %s" % (rc, err), {".ast.err": err})
    return {".ast": out}


def _run_main_scratch_pycache(ctx, main, argv):
    """_run_main with sys.pycache_prefix (PYTHONPYCACHEPREFIX) set to a fresh scratch directory,
    so .pyc files are never written next to the source nor found up to date from a previous run."""
    import shutil
    prefix = os.path.join(ctx.tmpdir, "pycache")
    shutil.rmtree(prefix, ignore_errors=True)
    saved = sys.pycache_prefix
    sys.pycache_prefix = prefix
    try:
        return _run_main(main, argv)
    finally:
        sys.pycache_prefix = saved
        shutil.rmtree(prefix, ignore_errors=True)


@feature("error")
def f_error(ctx):
    """What `python -m py_compile FILE` writes to stderr (warnings and errors), and its exit
    status, as `exit N` on the first line followed by the text."""
    rc, out, err = _run_main_scratch_pycache(ctx, py_compile.main, ["python -m py_compile", ctx.rel])
    return {".error": "exit %d\n%s" % (rc, err + out)}


@feature("compileall")
def f_compileall(ctx):
    """What `PYTHONPYCACHEPREFIX=<scratch> python -m compileall -q FILE` prints: `exit N`, then
    its stdout, then its stderr (warnings), each after a `--- stdout` / `--- stderr` line."""
    import compileall

    def main():
        # `python -m compileall` exits with int(not main()) (compileall's `__main__` block);
        # main() itself only returns a truth value.
        sys.exit(int(not compileall.main()))
    rc, out, err = _run_main_scratch_pycache(ctx, main, ["python -m compileall", "-q", ctx.rel])
    return {".compileall": "exit %d\n--- stdout\n%s--- stderr\n%s" % (rc, out, err)}
