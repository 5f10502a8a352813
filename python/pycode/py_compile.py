"""A drop-in for the stdlib's ``py_compile`` that compiles with pycode, for any ``target``."""

import builtins
import enum
import importlib.util
import os
import sys
import warnings
from py_compile import PyCompileError, PycInvalidationMode  # the stdlib's, so except clauses match

from . import _native, _resolve, _is_host

__all__ = ["compile", "main", "PyCompileError", "PycInvalidationMode"]


def _get_default_invalidation_mode():
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return PycInvalidationMode.CHECKED_HASH
    return PycInvalidationMode.TIMESTAMP


def _mode_name(mode):
    if isinstance(mode, enum.Enum):
        mode = mode.name
    return str(mode).lower().replace("_", "-")


def cache_from_source(path, optimization=None, *, target=None):
    """``importlib.util.cache_from_source`` with ``target``'s cache tag (``cpython-313``)."""
    release = _resolve(target)
    tag = _native.release_info(release)[1]
    kw = {} if optimization is None else {"optimization": optimization}
    cached = importlib.util.cache_from_source(path, **kw)
    host_tag = sys.implementation.cache_tag
    if tag == host_tag:
        return cached
    head, tail = os.path.split(cached)
    i = tail.rfind("." + host_tag)
    if i < 0:
        return cached
    return os.path.join(head, tail[:i] + "." + tag + tail[i + 1 + len(host_tag):])


def compile(file, cfile=None, dfile=None, doraise=False, optimize=-1, invalidation_mode=None,
            quiet=0, *, target=None):
    """``py_compile.compile`` with pycode as the compiler: writes ``target``'s ``.pyc`` (by
    default to ``__pycache__/NAME.<target cache tag>.pyc``) and returns its path, or ``None``
    when the source does not compile (the error is raised with ``doraise``, else printed)."""
    release = _resolve(target)
    if invalidation_mode is None:
        invalidation_mode = _get_default_invalidation_mode()
    if cfile is None:
        if optimize >= 0:
            optimization = optimize if optimize >= 1 else ""
            cfile = cache_from_source(file, optimization=optimization, target=release)
        else:
            cfile = cache_from_source(file, target=release)
    if os.path.islink(cfile):
        raise FileExistsError("{} is a symlink and will be changed into a regular file if "
                              "import writes a byte-compiled file to it".format(cfile))
    elif os.path.exists(cfile) and not os.path.isfile(cfile):
        raise FileExistsError("{} is a non-regular file and will be changed into a regular "
                              "one if import writes a byte-compiled file to it".format(cfile))
    with open(file, "rb") as f:
        source = f.read()
    level = optimize
    if level < 0:
        level = sys.flags.optimize if _is_host(release) else 0
    st = os.stat(file)
    name = os.fspath(dfile or file)
    try:
        data, emitted = _native.compile_pyc(source, name, release, level, _mode_name(invalidation_mode),
                                            int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)
    except Exception as err:
        py_exc = PyCompileError(err.__class__, err, name)
        if quiet < 2:
            if doraise:
                raise py_exc
            sys.stderr.write(py_exc.msg + "\n")
        return None
    for category, message, filename, lineno in emitted:
        cls = getattr(builtins, category, SyntaxWarning)
        warnings.warn_explicit(message, cls, filename, lineno)
    dirname = os.path.dirname(cfile)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    from importlib import _bootstrap_external
    mode = _bootstrap_external._calc_mode(file)
    _bootstrap_external._write_atomic(cfile, data, mode)
    return cfile


def main(args=None, *, target=None):
    """``python -m py_compile FILE...`` (``-`` reads names from stdin), with pycode."""
    if args is None:
        args = sys.argv[1:]
    rv = 0
    names = [line.rstrip("\n") for line in sys.stdin] if args == ["-"] else args
    for filename in names:
        try:
            compile(filename, doraise=True, target=target)
        except PyCompileError as error:
            rv = 1
            sys.stderr.write("%s\n" % error.msg)
        except OSError as error:
            rv = 1
            sys.stderr.write("%s\n" % error)
    return rv
