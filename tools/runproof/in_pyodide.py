"""Runs inside Pyodide (CPython 3.12.7 for runproof); driven by tools/runproof/pyodide_job.mjs.

Job kinds (JSON at <mount>/<job>.json, result written to <mount>/<job>.result.json):

  compile  {"kind": "compile", "dir": REL}
           compileall.compile_dir(dir, legacy=True, force=True): this CPython writes `foo.pyc`
           beside every `foo.py` (the control tree).
  suite    {"kind": "suite", "dir": REL, "modules": [...], "tests": [...]}
           puts dir first on sys.path, drops the modules under test from sys.modules, imports
           them and checks each was loaded sourceless from dir, then runs the tests with
           unittest and reports counts and failing test ids.
  smoke    {"kind": "smoke", "dir": REL, "modules": [...]}
           imports each module in turn (fresh: every pure-Python stdlib module is dropped from
           sys.modules first, and sys.modules/sys.path are restored afterwards) and records the
           outcome and where the module was loaded from.
"""

import io
import json
import os
import sys
import traceback

# Where Pyodide keeps its stdlib: /lib/python3NN.zip of the running release.
_ZIP = "/lib/python%d%d.zip" % sys.version_info[:2]
# Never dropped from sys.modules: the import system, codecs, Pyodide's own runtime.
_PROTECTED = ("importlib", "encodings", "pyodide", "_pyodide", "zipimport", "site", "codecs",
              "warnings", "_frozen_importlib", "_frozen_importlib_external")


def _under(path, root):
    return isinstance(path, str) and (path == root or path.startswith(root + "/"))


def _origin_check(mod, root):
    """Where `mod` came from: 'pyc' when loaded sourceless from root (no .py beside it)."""
    from importlib.machinery import SourcelessFileLoader
    spec = getattr(mod, "__spec__", None)
    f = getattr(mod, "__file__", None)
    if spec is not None and spec.origin == "frozen":
        return "frozen"
    if not _under(f, root):
        return "elsewhere:%s" % (f,)
    if not f.endswith(".pyc"):
        return "not-pyc:%s" % f
    if os.path.exists(f[:-1]):
        return "source-beside:%s" % f
    cached = getattr(mod, "__cached__", None)
    if cached is None and sys.version_info >= (3, 15):
        cached = getattr(spec, "cached", None)  # 3.15 no longer sets __cached__
    if cached != f:
        return "cached-mismatch:%r" % (cached,)
    if not isinstance(getattr(spec, "loader", None), SourcelessFileLoader):
        return "loader:%r" % (getattr(spec, "loader", None),)
    return "pyc"


def _drop(names):
    for key in list(sys.modules):
        for n in names:
            if key == n or key.startswith(n + "."):
                del sys.modules[key]
                break


def _prepare_path(root):
    sys.path[:] = [root] + [p for p in sys.path if p not in ("", ".", os.getcwd(), root)]
    import importlib
    importlib.invalidate_caches()


def _install_sourceless_discover(tree):
    """unittest's discover() only finds `*.py` files (and wants `__init__.py` in the start
    directory), so it sees nothing in a sourceless tree. Under `tree`, replace it by a walk over
    `*.pyc` that follows discover()'s rules: modules matching the pattern, packages recursed into
    unless they define load_tests (whose result is used instead). Outside tree: unchanged."""
    import fnmatch
    import unittest

    orig = unittest.TestLoader.discover

    def dotted(path, top):
        return os.path.relpath(path, top).replace(os.sep, ".")

    def walk(loader, d, top, pattern, out):
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.endswith(".pyc") and name != "__init__.pyc":
                stem = name[:-4]
                if stem.isidentifier() and fnmatch.fnmatch(stem + ".py", pattern):
                    modname = dotted(p[:-4], top)
                    try:
                        __import__(modname)
                        out.append(loader.loadTestsFromModule(sys.modules[modname],
                                                              pattern=pattern))
                    except unittest.SkipTest:
                        out.append(loader.loadTestsFromName(modname))
                    except Exception:  # noqa: BLE001 - reported as a failed test
                        out.append(loader.loadTestsFromName(modname))
            elif name.isidentifier() and os.path.isfile(os.path.join(p, "__init__.pyc")):
                pkgname = dotted(p, top)
                try:
                    __import__(pkgname)
                except Exception:  # noqa: BLE001
                    out.append(loader.loadTestsFromName(pkgname))
                    continue
                pkg = sys.modules[pkgname]
                if getattr(pkg, "load_tests", None) is not None:
                    out.append(loader.loadTestsFromModule(pkg, pattern=pattern))
                else:
                    if fnmatch.fnmatch(name, pattern):
                        out.append(loader.loadTestsFromModule(pkg, pattern=pattern))
                    walk(loader, p, top, pattern, out)

    def discover(self, start_dir, pattern="test*.py", top_level_dir=None):
        start = os.path.abspath(start_dir)
        if not _under(start, tree):
            return orig(self, start_dir, pattern, top_level_dir)
        top = os.path.abspath(top_level_dir) if top_level_dir else start
        if top not in sys.path:
            sys.path.insert(0, top)
        out = []
        walk(self, start, top, pattern, out)
        return self.suiteClass(out)

    unittest.TestLoader.discover = discover


def job_compile(root, job):
    import compileall
    d = os.path.join(root, job["dir"])
    cwd = os.getcwd()
    os.chdir(d)  # "." as for pycode: the same co_filename in both trees
    try:
        if job.get("fresh_process"):
            # Native: each file in a fresh process (3.11's FLAG_REF bits follow what the
            # process interned before), as `compile_dir` would name and write it.
            import subprocess
            ok = True
            for top, dirs, files in os.walk("."):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(".py"):
                        path = os.path.join(top, f)
                        r = subprocess.run([sys.executable, "-c",
                                            "import py_compile, sys; "
                                            "py_compile.compile(sys.argv[1], sys.argv[1] + 'c', doraise=True)",
                                            path], capture_output=True)
                        ok = ok and r.returncode == 0
        else:
            ok = compileall.compile_dir(".", legacy=True, force=True, quiet=1)
    finally:
        os.chdir(cwd)
    return {"ok": bool(ok)}


def job_suite(root, job):
    import unittest
    d = os.path.join(root, job["dir"])
    _prepare_path(d)
    _install_sourceless_discover(d)
    _drop(list(job["modules"]) + ["test"])
    import importlib
    origins = {}
    for name in job["modules"]:
        try:
            origins[name] = _origin_check(importlib.import_module(name), d)
        except BaseException as e:  # noqa: BLE001 - report anything
            origins[name] = "import-error:%s: %s" % (type(e).__name__, e)
    stream = io.StringIO()
    out = {"origins": origins}
    try:
        suite = unittest.TestSuite()
        for t in job["tests"]:
            try:
                suite.addTest(unittest.defaultTestLoader.loadTestsFromName(t))
            except unittest.SkipTest as e:  # raised at import: the whole module is skipped
                out["module_skipped"] = "%s: %s" % (t, e)
        skip = set(job.get("skip", ()))
        if skip:
            suite = _without(suite, skip)
        progress = os.path.join(root, job["progress"]) if job.get("progress") else None

        class Result(unittest.TextTestResult):
            def startTest(self, test):
                # The id of the running test, on disk before it runs: when a test takes the
                # whole interpreter down (Pyodide's stack), runproof reruns the suite without it.
                if progress:
                    with open(progress, "w") as pf:
                        pf.write(test.id())
                super().startTest(test)

        result = unittest.TextTestRunner(stream=stream, verbosity=2,
                                         resultclass=Result).run(suite)
    except BaseException:  # noqa: BLE001
        out["crash"] = traceback.format_exc()[-3000:]
        return out
    out.update({
        "run": result.testsRun,
        "failures": sorted(t.id() for t, _ in result.failures),
        "errors": sorted(t.id() for t, _ in result.errors),
        "skipped": len(result.skipped),
        "expected_failures": len(result.expectedFailures),
        "unexpected_successes": len(result.unexpectedSuccesses),
        "details": {t.id(): tb[-1500:] for t, tb in result.failures + result.errors},
    })
    # Every module loaded from the tree must be sourceless; the modules under test (and their
    # submodules) must come from the tree.
    loaded = {}
    for key, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        under_test = any(key == n or key.startswith(n + ".") for n in job["modules"])
        if _under(f, d) or under_test:
            loaded[key] = _origin_check(mod, d)
    out["loaded_from_tree"] = sum(1 for v in loaded.values() if v == "pyc")
    out["bad_origins"] = {k: v for k, v in loaded.items() if v != "pyc"}
    out["log_tail"] = stream.getvalue()[-4000:]
    return out


def _without(suite, skip):
    """suite with the tests whose id is in skip left out (nested suites kept as they are)."""
    import unittest
    out = type(suite)() if isinstance(suite, unittest.TestSuite) else unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            out.addTest(_without(t, skip))
        elif t.id() not in skip:
            out.addTest(t)
    return out


def _droppable(key, mod):
    if any(key == p or key.startswith(p + ".") for p in _PROTECTED):
        return False
    spec = getattr(mod, "__spec__", None)
    if spec is not None and spec.origin == "frozen":
        return False
    f = getattr(mod, "__file__", None)
    return isinstance(f, str) and f.startswith(_ZIP + "/")


def job_smoke(root, job):
    import importlib
    import importlib.util
    from importlib.machinery import SourcelessFileLoader
    d = os.path.join(root, job["dir"])
    _prepare_path(d)
    base_path = list(sys.path)
    base_modules = dict(sys.modules)
    droppable = [k for k, m in base_modules.items() if _droppable(k, m)]
    results = {}
    skip = set(job.get("skip", ()))
    progress = os.path.join(root, job["progress"]) if job.get("progress") else None
    for name, rel in job["modules"]:
        path = os.path.join(d, rel)
        if name in skip:
            results[name] = {"outcome": "left out: killed the interpreter", "origin": "-"}
            continue
        if progress:
            with open(progress, "w") as pf:
                pf.write(name)
        try:
            for k in droppable:
                sys.modules.pop(k, None)
            _drop([name])
            protected = any(name == p or name.startswith(p + ".") for p in _PROTECTED)
            spec = None if protected else importlib.util.find_spec(name)
            if protected or (spec is not None and spec.origin == "frozen"):
                # Frozen modules never reach the path finder, and submodules of packages the
                # running interpreter needs (importlib, encodings, ...) would resolve through
                # the live package's __path__ (and a normal import would rebind the live
                # package's attribute): run the tree's .pyc explicitly instead.
                is_pkg = rel.endswith("/__init__.pyc")
                loader = SourcelessFileLoader(name, path)
                spec = importlib.util.spec_from_file_location(
                    name, path, loader=loader,
                    submodule_search_locations=[os.path.dirname(path)] if is_pkg else None)
                mod = importlib.util.module_from_spec(spec)
                sys.modules[name] = mod
                loader.exec_module(mod)
                origin = _origin_check(mod, d)
                if origin == "pyc":
                    origin = "pyc(explicit)"
            else:
                mod = importlib.import_module(name)
                origin = _origin_check(mod, d)
                if origin == "pyc" and mod.__file__ != path:
                    origin = "other-file:%s" % mod.__file__
            fresh = [m for k, m in sys.modules.items() if k not in base_modules or k in droppable]
            from_tree = sum(1 for m in fresh if _under(getattr(m, "__file__", None), d))
            from_zip = sorted(k for k, m in sys.modules.items()
                              if (k not in base_modules or k in droppable)
                              and str(getattr(m, "__file__", "")).startswith(_ZIP + "/"))
            results[name] = {"outcome": "ok", "origin": origin, "deps_from_tree": from_tree,
                             "deps_from_zip": from_zip}
        except BaseException as e:  # noqa: BLE001 - any failure is an outcome
            msg = str(e).splitlines()[0][:200] if str(e) else ""
            tb = traceback.extract_tb(e.__traceback__)[-2:]
            results[name] = {"outcome": "%s: %s" % (type(e).__name__, msg),
                             "where": ["%s:%s %s" % (f.filename, f.lineno, f.name) for f in tb]}
        finally:
            sys.modules.clear()
            sys.modules.update(base_modules)
            sys.path[:] = base_path
    return {"results": results}


def run_job(root, job_name):
    with open(os.path.join(root, job_name + ".json")) as f:
        job = json.load(f)
    kind = job["kind"]
    if job.get("stdlib_prefix"):  # native: stdlib modules are loaded from here, not the zip
        global _ZIP
        _ZIP = job["stdlib_prefix"]
    if job.get("recursion_limit"):  # see runproof.py: PYODIDE_RECURSION_LIMIT
        sys.setrecursionlimit(job["recursion_limit"])
    fn = {"compile": job_compile, "suite": job_suite, "smoke": job_smoke}[kind]
    try:
        out = fn(root, job)
    except BaseException:  # noqa: BLE001
        out = {"crash": traceback.format_exc()[-3000:]}
    with open(os.path.join(root, job_name + ".result.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
