"""A drop-in for the stdlib's ``compileall`` that compiles with pycode, for any ``target``.

``compile_dir``, ``compile_file`` and ``compile_path`` take the stdlib's arguments (plus
``target=``), print what the stdlib prints, and return what it returns. Files compile in
parallel native threads without holding the GIL when ``workers`` is not 1."""

import os
import sys

from . import _native, _resolve

__all__ = ["compile_dir", "compile_file", "compile_path", "main"]


def _run(argv, target):
    release = _resolve(target)
    enc = [os.fsencode(a) for a in argv]
    status, out, err = _native.compileall_main(
        enc, release,
        sys_path=[os.fsencode(p) for p in sys.path],
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH") or None,
        pycache_prefix=os.fsencode(sys.pycache_prefix) if getattr(sys, "pycache_prefix", None) else None)
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    return status


def _options(ddir=None, force=False, rx=None, quiet=0, legacy=False, optimize=-1, workers=1,
             invalidation_mode=None, stripdir=None, prependdir=None, limit_sl_dest=None,
             hardlink_dupes=False, maxlevels=None):
    argv = []
    if maxlevels is not None:
        argv += ["-r", str(int(maxlevels))]
    if ddir is not None:
        argv += ["-d", os.fspath(ddir)]
    if force:
        argv.append("-f")
    if rx is not None:
        pattern = getattr(rx, "pattern", None)
        if not isinstance(pattern, str):
            raise NotImplementedError("pycode.compileall: rx must be a compiled str regular expression")
        argv += ["-x", pattern]
    if quiet:
        argv.append("-" + "q" * int(quiet))
    if legacy:
        argv.append("-b")
    levels = optimize if isinstance(optimize, (list, tuple)) else [optimize]
    for level in levels:
        if level is not None and level >= 0:
            argv += ["-o", str(int(level))]
    if workers is not None and workers != 1:
        if workers < 0:
            raise ValueError("workers must be greater or equal to 0")
        argv += ["-j", str(int(workers))]
    if invalidation_mode is not None:
        name = getattr(invalidation_mode, "name", str(invalidation_mode))
        argv += ["--invalidation-mode", name.lower().replace("_", "-")]
    if stripdir is not None:
        argv += ["-s", os.fspath(stripdir)]
    if prependdir is not None:
        argv += ["-p", os.fspath(prependdir)]
    if limit_sl_dest is not None:
        argv += ["-e", os.fspath(limit_sl_dest)]
    if hardlink_dupes:
        argv.append("--hardlink-dupes")
    return argv


def _result(status, argv):
    if status == 2:
        raise ValueError("compileall: invalid arguments %r" % (argv,))
    return status == 0


def compile_dir(dir, maxlevels=None, ddir=None, force=False, rx=None, quiet=0, legacy=False,
                optimize=-1, workers=1, invalidation_mode=None, *, stripdir=None, prependdir=None,
                limit_sl_dest=None, hardlink_dupes=False, target=None):
    """Byte-compile every ``.py`` below ``dir`` for ``target``; ``True`` when all compiled."""
    argv = _options(ddir, force, rx, quiet, legacy, optimize, workers, invalidation_mode, stripdir,
                    prependdir, limit_sl_dest, hardlink_dupes, maxlevels) + ["--", os.fspath(dir)]
    return _result(_run(argv, target), argv)


def compile_file(fullname, ddir=None, force=False, rx=None, quiet=0, legacy=False, optimize=-1,
                 invalidation_mode=None, *, stripdir=None, prependdir=None, limit_sl_dest=None,
                 hardlink_dupes=False, target=None):
    """Byte-compile one file for ``target``; ``True`` when it compiled."""
    argv = _options(ddir, force, rx, quiet, legacy, optimize, 1, invalidation_mode, stripdir,
                    prependdir, limit_sl_dest, hardlink_dupes) + ["--", os.fspath(fullname)]
    return _result(_run(argv, target), argv)


def compile_path(skip_curdir=1, maxlevels=0, force=False, quiet=0, legacy=False, optimize=-1,
                 invalidation_mode=None, *, target=None):
    """Byte-compile every directory on ``sys.path`` for ``target``."""
    success = True
    for dir in sys.path:
        if (not dir or dir == os.curdir) and skip_curdir:
            if quiet < 2:
                print("Skipping current directory")
        else:
            success = success and compile_dir(dir, maxlevels, None, force, quiet=quiet, legacy=legacy,
                                              optimize=optimize, invalidation_mode=invalidation_mode,
                                              target=target)
    return success


def main(argv=None, *, target=None):
    """``python -m compileall ARGV`` with pycode; returns the exit status."""
    return _run(sys.argv[1:] if argv is None else list(argv), target)
