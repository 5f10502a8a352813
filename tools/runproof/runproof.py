#!/usr/bin/env python3
"""runproof: does CPython 3.12.7 run the .pyc files pycode writes?

Two checks, each run twice -- on .pyc files written by pycode and, as the control, on .pyc
files written by the same CPython 3.12.7 (Pyodide 0.27.7 under node) from the same sources:

  suites  real stdlib modules (from corpus/stdlib-3.12.7) plus their unittest suites (from the
          native CPython 3.11.7 `test/` package, which also holds the tests' data files; most of
          it runs on 3.12) are copied into a scratch tree, compiled to *sourceless* legacy
          `foo.pyc` files (`pycode compileall -b`, resp. `compileall.compile_dir(legacy=True)`
          inside 3.12.7) and every `.py` is deleted. Each suite then runs in its own Pyodide
          process with the tree first on sys.path; the modules under test are checked to be the
          tree's sourceless .pyc (`__file__` == `__cached__` == tree/.../x.pyc, loader
          SourcelessFileLoader, no .py beside it). Reports tests run/failed/errors/skipped per
          suite, and every test whose outcome differs from the control.
  smoke   the whole corpus/stdlib-3.12.7 compiled the same way; every module pycode could
          compile is imported (fresh, its pure-Python dependencies coming from the tree too);
          frozen modules (os, io, abc, ...) are executed from the tree's .pyc explicitly.
          Reports how many import cleanly with either tree and every module whose outcome
          differs.

Also counts how many of the .pyc files are byte-identical between the two trees (sources are
copied with their mtimes, both trees use timestamp-based .pyc headers).

usage: runproof.py [--pycode BIN] [--work DIR] [--tests-root DIR] [--suite NAME ...]
                   [--no-smoke] [--no-suites] [-j N] [--report FILE]
Needs: node, oracle/pyodide `npm ci` done, corpus/stdlib-3.12.7 (oracle/fetch_corpus.py),
a python3 3.11.7 whose stdlib has `test/` (or --tests-root).
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# Pyodide releases (`--release`): one node process per job, in the pinned Pyodide build.
PYODIDE_PACKAGES = {"3.12.7": "pyodide-0.27.7", "3.13.2": "pyodide-0.29.3",
                    "3.14.2": "pyodide-314.0.7", "3.15.0rc1": "pyodide-315.0.0-alpha.2"}
PYODIDE = os.path.join(REPO, "oracle", "pyodide", "node_modules", "pyodide-0.27.7")
STDLIB = os.path.join(REPO, "corpus", "stdlib-3.12.7")
RELEASE = "3.12.7"
# Native interpreters (`--release`): the release runs the jobs itself, one process per job.
NATIVE = {
    "3.11.7": ["python3", "/root/.pyenv/versions/3.11.7/bin/python3"],
    "3.11.2": ["/usr/bin/python3.11"],
    "3.13.0": ["/root/.pyenv/versions/3.13.0/bin/python3"],
}
# The unittest suites come from a native `test/` package: 3.11.7's for 3.11/3.12 (as before),
# 3.13.0's (pyenv, the newest with a test package here) for 3.13 and later, whose stdlib the
# 3.11 tests no longer fit (test_pathlib, test_doctest are packages there, removed modules...).
TESTS_FROM = {"3.13.0": "3.13.0", "3.13.2": "3.13.0", "3.14.2": "3.13.0", "3.15.0rc1": "3.13.0"}
PYTHON = None  # the native interpreter, when RELEASE is one of NATIVE
# Never imported by the native smoke check: they start programs or GUIs, or run test suites,
# at import (Pyodide's stdlib has none of them, or they are harmless there).
NATIVE_SMOKE_EXCLUDE = ("test", "idlelib", "antigravity", "turtledemo", "tkinter", "turtle",
                        "lib2to3/tests", "ensurepip", "venv", "pydoc_data", "__phello__",
                        "__hello__")

# name -> (modules under test, test modules, extra test data paths relative to the tests root).
# Modules come from corpus/stdlib-3.12.7, tests from the tests root (`test.X` -> test/X.py or
# test/X/). An empty module list means the suite exercises the language itself: its test file,
# compiled by pycode, is the code under test.
SUITES = {
    "json": (["json"], ["test.test_json"], []),
    "textwrap": (["textwrap"], ["test.test_textwrap"], []),
    "heapq": (["heapq"], ["test.test_heapq"], []),
    "bisect": (["bisect"], ["test.test_bisect"], []),
    "fractions": (["fractions"], ["test.test_fractions"], []),
    "statistics": (["statistics"], ["test.test_statistics"], []),
    "difflib": (["difflib"], ["test.test_difflib"], ["test_difflib_expect.html"]),
    "string": (["string"], ["test.test_string"], []),
    "colorsys": (["colorsys"], ["test.test_colorsys"], []),
    "shlex": (["shlex"], ["test.test_shlex"], []),
    "base64": (["base64"], ["test.test_base64"], []),
    "csv": (["csv"], ["test.test_csv"], []),
    "pprint": (["pprint"], ["test.test_pprint"], ["test_set.py"]),
    "reprlib": (["reprlib"], ["test.test_reprlib"], []),
    "ipaddress": (["ipaddress"], ["test.test_ipaddress"], []),
    "calendar": (["calendar"], ["test.test_calendar"], []),
    "configparser": (["configparser"], ["test.test_configparser"], []),
    "graphlib": (["graphlib"], ["test.test_graphlib"], []),
    "tomllib": (["tomllib"], ["test.test_tomllib"], []),
    "argparse": (["argparse"], ["test.test_argparse"], []),
    "getopt": (["getopt"], ["test.test_getopt"], []),
    "html": (["html", "html.parser"], ["test.test_html", "test.test_htmlparser"], []),
    "fnmatch": (["fnmatch"], ["test.test_fnmatch"], []),
    "copy": (["copy"], ["test.test_copy"], []),
    "quopri": (["quopri"], ["test.test_quopri"], []),
    "plistlib": (["plistlib"], ["test.test_plistlib"], []),
    "urllib.parse": (["urllib", "urllib.parse"], ["test.test_urlparse"], []),
    "random": (["random"], ["test.test_random"], []),
    "dataclasses": (["dataclasses"], ["test.test_dataclasses"], []),
    "decimal": (["decimal", "_pydecimal"], ["test.test_decimal"], []),
    "datetime": (["datetime", "_pydatetime"], ["test.test_datetime"], []),
    "enum": (["enum"], ["test.test_enum"], []),
    "functools": (["functools"], ["test.test_functools"], []),
    "collections": (["collections"], ["test.test_collections"], []),
    "contextlib": (["contextlib"], ["test.test_contextlib"], []),
    "operator": (["operator"], ["test.test_operator"], []),
    "email": (["email"], ["test.test_email"], []),
    "gettext": (["gettext"], ["test.test_gettext"], []),
    "glob": (["glob"], ["test.test_glob"], []),
    "zipfile": (["zipfile"], ["test.test_zipfile"], []),
    "tarfile": (["tarfile"], ["test.test_tarfile"], []),
    "pathlib": (["pathlib"], ["test.test_pathlib"], []),
    "typing": (["typing"], ["test.test_typing"], []),
    "inspect": (["inspect"], ["test.test_inspect"], []),
    "ast": (["ast"], ["test.test_ast"], []),
    "tokenize": (["tokenize"], ["test.test_tokenize"], []),
    "doctest": (["doctest"], ["test.test_doctest"],
                         ["test_doctest.txt", "test_doctest2.txt", "test_doctest3.txt",
                          "test_doctest4.txt"]),
    # The language itself: the test file is the code under test.
    "grammar": ([], ["test.test_grammar"], []),
    "patma": ([], ["test.test_patma"], []),
    "coroutines": ([], ["test.test_coroutines"], []),
    "generators": ([], ["test.test_generators"], []),
    "exceptions": ([], ["test.test_exceptions"], []),
    "except_star": ([], ["test.test_except_star"], []),
    "exception_group": ([], ["test.test_exception_group"], []),
    "scope": ([], ["test.test_scope"], []),
    "class": ([], ["test.test_class"], []),
    "with": ([], ["test.test_with"], []),
    "keywordonlyarg": ([], ["test.test_keywordonlyarg"], []),
    "positional_only_arg": ([], ["test.test_positional_only_arg"], []),
    "unpack_ex": ([], ["test.test_unpack_ex"], []),
    "listcomps": ([], ["test.test_listcomps"], []),
    "setcomps": ([], ["test.test_setcomps"], []),
    "dictcomps": ([], ["test.test_dictcomps"], []),
    "genexps": ([], ["test.test_genexps"], []),
    "named_expressions": ([], ["test.test_named_expressions"], []),
    "fstring": ([], ["test.test_fstring"], []),
    "opcodes": ([], ["test.test_opcodes"], []),
    "raise": ([], ["test.test_raise"], []),
    "augassign": ([], ["test.test_augassign"], []),
    "extcall": ([], ["test.test_extcall"], []),
    "super": ([], ["test.test_super"], []),
    "string_literals": ([], ["test.test_string_literals"], []),
    "unary": ([], ["test.test_unary"], []),
    "bool": ([], ["test.test_bool"], []),
    "compare": ([], ["test.test_compare"], []),
    "contextlib_async": ([], ["test.test_contextlib_async"], []),
    "asyncgen": ([], ["test.test_asyncgen"], []),
    "type_annotations": ([], ["test.test_type_annotations"], []),
    "sys_settrace": ([], ["test.test_sys_settrace"], []),
    "dis": ([], ["test.test_dis"], []),
}


def log(msg):
    print("runproof: " + msg, file=sys.stderr, flush=True)


def default_tests_root():
    """The `test/` package of a native python3 3.11.7 (it has the tests' data files), or of
    native 3.13.0 for the releases in TESTS_FROM."""
    if RELEASE in TESTS_FROM:
        exe = find_native(TESTS_FROM[RELEASE])
        if exe is None:
            return None
        d = os.path.join(native_stdlib(exe), "test")
        return d if os.path.isdir(os.path.join(d, "support")) else None
    for exe in ([sys.executable] if sys.version_info[:3] == (3, 11, 7) else []) + \
            ["python3", "/root/.pyenv/versions/3.11.7/bin/python3"]:
        try:
            out = subprocess.run([exe, "-c", "import sys,sysconfig;"
                                  "print(sys.version_info[:3]==(3,11,7));"
                                  "print(sysconfig.get_paths()['stdlib'])"],
                                 capture_output=True, text=True, check=True).stdout.split("\n")
        except (OSError, subprocess.CalledProcessError):
            continue
        if out[0] == "True" and os.path.isdir(os.path.join(out[1], "test", "support")):
            return os.path.join(out[1], "test")
    return None


def ignore_caches(_dir, names):
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")]


def copy_path(src, dst):
    if os.path.isdir(src):
        shutil.copytree(src, dst, ignore=ignore_caches, dirs_exist_ok=True)
    elif os.path.exists(src):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    else:
        return False
    return True


def module_source(root, name):
    """Path of module `name` under root: a package directory or a .py file (None if missing)."""
    base = os.path.join(root, *name.split("."))
    if os.path.isdir(base) and os.path.exists(os.path.join(base, "__init__.py")):
        return base
    if os.path.exists(base + ".py"):
        return base + ".py"
    return None


def py_files(root):
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".py"):
                yield os.path.join(d, f)


def build_suite_tree(dest, tests_root, names):
    """Sources (stdlib 3.12.7 modules + tests) for the suites `names`, copied with mtimes."""
    missing = []
    os.makedirs(os.path.join(dest, "test"), exist_ok=True)
    copy_path(os.path.join(tests_root, "__init__.py"), os.path.join(dest, "test", "__init__.py"))
    # Everything else at the top of test/ that is not a test: helper modules (mapping_tests,
    # pickletester, ...), helper packages (support, typinganndata, ...) and data files.
    for f in sorted(os.listdir(tests_root)):
        if not f.startswith("test_") and f not in ("__pycache__", "__init__.py"):
            copy_path(os.path.join(tests_root, f), os.path.join(dest, "test", f))
    for name in names:
        modules, tests, data = SUITES[name]
        for m in modules:
            src = module_source(STDLIB, m)
            if src is None:
                missing.append(m)
                continue
            rel = os.path.relpath(src, STDLIB)
            copy_path(src, os.path.join(dest, rel))
            # Parent packages (urllib for urllib.parse) so the module is importable from the tree.
            parts = m.split(".")
            for i in range(1, len(parts)):
                init = os.path.join(*parts[:i], "__init__.py")
                copy_path(os.path.join(STDLIB, init), os.path.join(dest, init))
        for t in tests:
            src = module_source(os.path.dirname(tests_root), t)
            if src is None:
                missing.append(t)
                continue
            copy_path(src, os.path.join(dest, os.path.relpath(src, os.path.dirname(tests_root))))
        for p in data:
            if not copy_path(os.path.join(tests_root, p), os.path.join(dest, "test", p)):
                missing.append("test/" + p)
    return missing


def build_stdlib_tree(dest):
    shutil.copytree(STDLIB, dest, ignore=ignore_caches, dirs_exist_ok=True)
    if PYTHON is not None:
        for x in NATIVE_SMOKE_EXCLUDE:
            p = os.path.join(dest, x)
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p + ".py"):
                os.remove(p + ".py")


def compile_with_pycode(pycode, tree):
    """`pycode compileall -b -f -q` on tree; returns the .py files it could not compile."""
    # Run from inside the tree on "." (as the control does) so co_filename is the same
    # relative path in both trees and the .pyc files can be compared byte for byte.
    p = subprocess.run([os.path.abspath(pycode), "compileall", "--target", RELEASE, "-b", "-f",
                        "-q", "."], capture_output=True, text=True, cwd=tree)
    with open(tree + ".pycode-compileall.log", "w") as f:
        f.write("exit %d\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
    return [os.path.relpath(f, tree) for f in py_files(tree) if not os.path.exists(f + "c")]


def node_stack_flag():
    """A larger V8 stack (deep-recursion tests overflow the default one inside Pyodide), kept
    below the process's stack limit so V8 cannot run past the real stack."""
    import resource
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    kb = 7000 if soft == resource.RLIM_INFINITY else min(7000, int(soft / 1024 * 0.85))
    return ["--stack-size=%d" % kb] if kb > 1000 else []


def run_pyodide_job(work, job_name, job, timeout):
    with open(os.path.join(work, job_name + ".json"), "w") as f:
        json.dump(job, f)
    result_path = os.path.join(work, job_name + ".result.json")
    if os.path.exists(result_path):
        os.remove(result_path)
    logf = os.path.join(work, job_name + ".log")
    if os.path.exists(logf):
        os.remove(logf)
    t0 = time.time()
    try:
        if PYTHON is not None:
            # The same driver in the native interpreter: the work dir itself is the root.
            env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
            env["PYTHONHASHSEED"] = "0"
            cmd = [PYTHON, "-c",
                   "import sys; ns = {'__name__': 'runproof_driver'}; "
                   "exec(open(sys.argv[1]).read(), ns); ns['run_job'](sys.argv[2], sys.argv[3])",
                   os.path.join(HERE, "in_pyodide.py"), work, job_name]
            with open(logf, "w") as lf:
                p = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT, text=True,
                                   timeout=timeout, cwd=work, env=env)
            err = ""
            if p.returncode:
                with open(logf, errors="replace") as lf:
                    err = "exit %d: %s" % (p.returncode, lf.read()[-2000:])
        else:
            p = subprocess.run(["node"] + node_stack_flag() + [os.path.join(HERE, "pyodide_job.mjs"), PYODIDE, work,
                                job_name, logf], capture_output=True, text=True, timeout=timeout)
            err = p.stderr[-2000:] if p.returncode else ""
    except subprocess.TimeoutExpired:
        err = "timeout after %ds" % timeout
    if os.path.exists(result_path):
        with open(result_path) as f:
            out = json.load(f)
    else:
        out = {"crash": err or "no result"}
    out["seconds"] = round(time.time() - t0, 1)
    return out


def run_suite_job(work, job_name, job, timeout, retries=8):
    """A suite (or smoke) job; when the interpreter itself dies inside a test (Pyodide 3.13+
    overflow the wasm stack in endless-recursion tests, a fatal error that loses the whole
    process) or while importing a module, the job is run again without that test or module, at
    most `retries` times. What was left out is reported (`crash_skipped`), for the pycode and
    the control tree alike."""
    job = dict(job, progress=job_name + ".progress", skip=[])
    while True:
        prog = os.path.join(work, job["progress"])
        if os.path.exists(prog):
            os.remove(prog)
        out = run_pyodide_job(work, job_name, job, timeout)
        if "crash" not in out or len(job["skip"]) >= retries or not os.path.exists(prog):
            break
        with open(prog) as f:
            last = f.read().strip()
        if not last or last in job["skip"]:
            break
        job["skip"] = job["skip"] + [last]
    out["crash_skipped"] = job["skip"]
    return out


def compile_with_cpython(work, tree_rel):
    job = {"kind": "compile", "dir": tree_rel}
    if PYTHON is not None:
        # one fresh `python -m py_compile`-like process per file: what pycode is compared with
        job["fresh_process"] = True
    out = run_pyodide_job(work, "compile-" + tree_rel.replace("/", "_"), job, timeout=3600)
    tree = os.path.join(work, tree_rel)
    return [os.path.relpath(f, tree) for f in py_files(tree) if not os.path.exists(f + "c")], out


def remove_sources(tree):
    n = 0
    for f in list(py_files(tree)):
        os.remove(f)
        n += 1
    return n


def compare_trees(a, b):
    same = differ = only = 0
    diffs = []
    for d, _dirs, files in os.walk(a):
        for f in files:
            if not f.endswith(".pyc"):
                continue
            pa = os.path.join(d, f)
            pb = os.path.join(b, os.path.relpath(pa, a))
            if not os.path.exists(pb):
                only += 1
                continue
            with open(pa, "rb") as fa, open(pb, "rb") as fb:
                if fa.read() == fb.read():
                    same += 1
                else:
                    differ += 1
                    diffs.append(os.path.relpath(pa, a))
    return same, differ, only, sorted(diffs)


def prepare(work, kind, build, pycode):
    """Both trees (`<kind>-pycode`, `<kind>-cpython`) from the same copied sources."""
    src = os.path.join(work, kind + "-src")
    if os.path.exists(src):
        shutil.rmtree(src)
    extra = build(src)
    info = {"missing": extra}
    for variant in ("pycode", "cpython"):
        tree = os.path.join(work, "%s-%s" % (kind, variant))
        if os.path.exists(tree):
            shutil.rmtree(tree)
        shutil.copytree(src, tree, copy_function=shutil.copy2)
        t0 = time.time()
        if variant == "pycode":
            failed = compile_with_pycode(pycode, tree)
        else:
            failed, _ = compile_with_cpython(work, os.path.basename(tree))
        info[variant + "_not_compiled"] = failed
        info[variant + "_compile_seconds"] = round(time.time() - t0, 1)
        info[variant + "_sources_removed"] = remove_sources(tree)
    info["pyc_compare"] = compare_trees(os.path.join(work, kind + "-pycode"),
                                        os.path.join(work, kind + "-cpython"))
    return info


def native_stdlib(python):
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def find_native(release):
    want = tuple(int(x) for x in release.split("."))
    for exe in NATIVE.get(release, []):
        try:
            out = subprocess.run([exe, "-c", "import sys; print(tuple(sys.version_info[:3]))"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        if out == repr(want):
            return shutil.which(exe) or exe
    return None


def norm_id(test_id):
    """A test id without object addresses (parametrised ids can hold reprs)."""
    return re.sub(r" id='[0-9]+'", " id='…'", re.sub(r" at 0x[0-9a-f]+", " at 0x…", test_id))


def fmt_suite(r):
    if "crash" in r:
        return "CRASH"
    if r.get("module_skipped"):
        return "module skipped (SkipTest at import)"
    return "run %4d  fail %3d  err %3d  skip %3d%s" % (
        r["run"], len(r["failures"]), len(r["errors"]), r["skipped"],
        "  crash-left-out %d" % len(r["crash_skipped"]) if r.get("crash_skipped") else "")


def module_names(tree):
    """(dotted name, path relative to tree) of every importable .pyc under tree."""
    out = []
    for d, dirs, files in os.walk(tree):
        dirs.sort()
        rel_dir = os.path.relpath(d, tree)
        parts = [] if rel_dir == "." else rel_dir.split(os.sep)
        if parts and not os.path.exists(os.path.join(d, "__init__.pyc")):
            dirs[:] = []
            continue
        if not all(p.isidentifier() for p in parts):
            dirs[:] = []
            continue
        for f in sorted(files):
            if not f.endswith(".pyc"):
                continue
            stem = f[:-4]
            rel = os.path.relpath(os.path.join(d, f), tree)
            if stem == "__init__":
                if parts:
                    out.append((".".join(parts), rel))
            elif stem.isidentifier() and stem != "__main__":
                out.append((".".join(parts + [stem]), rel))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pycode", default=None, help="pycode binary (default: target/release)")
    ap.add_argument("--work", default=os.path.join(REPO, "oracle", "work", "runproof"))
    ap.add_argument("--tests-root", default=None,
                    help="a CPython `test/` package (default: native 3.11.7's)")
    ap.add_argument("--suite", action="append", help="only these suites (repeatable)")
    ap.add_argument("--no-suites", action="store_true")
    ap.add_argument("--no-smoke", action="store_true")
    ap.add_argument("-j", type=int, default=1, help="parallel Pyodide processes")
    ap.add_argument("--report", default=None, help="also write the report here")
    ap.add_argument("--release", default="3.12.7",
                    help="a Pyodide release: %s (3.12.7 default), or a native release: %s"
                    % (", ".join(PYODIDE_PACKAGES), ", ".join(sorted(NATIVE))))
    args = ap.parse_args()
    global RELEASE, STDLIB, PYTHON, PYODIDE
    if args.release in PYODIDE_PACKAGES and args.release != "3.12.7":
        RELEASE = args.release
        STDLIB = os.path.join(REPO, "corpus", "stdlib-" + RELEASE)
        PYODIDE = os.path.join(REPO, "oracle", "pyodide", "node_modules",
                               PYODIDE_PACKAGES[RELEASE])
        if args.work == ap.get_default("work"):
            args.work = os.path.join(REPO, "oracle", "work", "runproof-" + RELEASE)
    elif args.release != "3.12.7":
        if args.release not in NATIVE:
            sys.exit("runproof: unknown release %r" % args.release)
        RELEASE = args.release
        STDLIB = os.path.join(REPO, "corpus", "stdlib-" + RELEASE)
        PYTHON = find_native(RELEASE)
        if PYTHON is None:
            sys.exit("runproof: no native CPython %s found" % RELEASE)
        if args.work == ap.get_default("work"):
            args.work = os.path.join(REPO, "oracle", "work", "runproof-" + RELEASE)

    pycode = args.pycode or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "pycode")
    for need, what in ((pycode, "pycode binary (cargo build --release -p pycode_cli)"),
                       (PYODIDE, "%s (cd oracle/pyodide && npm ci)" % os.path.basename(PYODIDE)),
                       (STDLIB, "corpus/stdlib-%s (python3 oracle/fetch_corpus.py)" % RELEASE)):
        if PYTHON is not None and need == PYODIDE:
            continue
        if not os.path.exists(need):
            sys.exit("runproof: missing %s: %s" % (what, need))
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    lines = ["runproof: CPython %s (%s) running sourceless .pyc written by pycode "
             "(control: written by that CPython)"
             % (RELEASE, "native " + PYTHON if PYTHON else os.path.basename(PYODIDE).replace("-", " "))]
    details = []

    if not args.no_suites:
        tests_root = args.tests_root or default_tests_root()
        if tests_root is None:
            sys.exit("runproof: no CPython test/ package found; pass --tests-root")
        names = args.suite or list(SUITES)
        for n in names:
            if n not in SUITES:
                sys.exit("runproof: unknown suite %r" % n)
        log("suites: building trees")
        info = prepare(work, "suites", lambda d: build_suite_tree(d, tests_root, names), pycode)
        same, differ, only, diffs = info["pyc_compare"]
        lines.append("")
        lines.append("== suites: stdlib %s modules + tests from %s" % (RELEASE, tests_root))
        lines.append("pyc identical to CPython's: %d/%d (differ %d, only pycode %d)"
                     % (same, same + differ + only, differ, only))
        for d in diffs:
            lines.append("  differs: " + d)
        if info["missing"]:
            lines.append("missing sources: " + " ".join(info["missing"]))
        for v in ("pycode", "cpython"):
            nc = info[v + "_not_compiled"]
            lines.append("not compiled by %s: %d %s" % (v, len(nc), " ".join(nc)))

        jobs = []
        for n in names:
            modules, tests, _ = SUITES[n]
            for v in ("pycode", "cpython"):
                job = {"kind": "suite", "dir": "suites-" + v,
                       "modules": modules + tests, "tests": tests}
                jobs.append((n, v, "suite-%s-%s" % (n, v), job))
        results = {}
        log("suites: running %d Pyodide jobs" % len(jobs))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
            futs = {ex.submit(run_suite_job, work, jn, job, 1800): (n, v)
                    for n, v, jn, job in jobs}
            for fut in concurrent.futures.as_completed(futs):
                n, v = futs[fut]
                results[(n, v)] = fut.result()
                log("  %s/%s: %s (%ss)" % (n, v, fmt_suite(results[(n, v)]),
                                          results[(n, v)]["seconds"]))
        lines.append("")
        lines.append("%-20s %-40s %-40s %s" % ("suite", "pycode .pyc", "CPython .pyc (control)",
                                                "verdict"))
        tot = {"pycode": [0, 0, 0], "cpython": [0, 0, 0]}
        crash_left_out = []
        same_suites = 0
        for n in names:
            rp, rc = results[(n, "pycode")], results[(n, "cpython")]
            for v, r in (("pycode", rp), ("cpython", rc)):
                if "crash" not in r:
                    tot[v][0] += r["run"]
                    tot[v][1] += len(r["failures"]) + len(r["errors"])
                    tot[v][2] += r["skipped"]
            prefixes = [m.replace(".", "/") for m in SUITES[n][0] + SUITES[n][1]]
            uncompiled = [f for f in info["pycode_not_compiled"]
                          if any(f == p + ".py" or f.startswith(p + "/") for p in prefixes)]
            bad = {k: o for k, o in rp.get("origins", {}).items() if o != "pyc"}
            bad.update(rp.get("bad_origins", {}))
            if "crash" in rp or "crash" in rc:
                verdict = "CRASH"
            else:
                fp = {norm_id(t) for t in rp["failures"] + rp["errors"]}
                fc = {norm_id(t) for t in rc["failures"] + rc["errors"]}
                if fp == fc and rp["run"] == rc["run"] and rp["skipped"] == rc["skipped"] \
                        and rp.get("crash_skipped") == rc.get("crash_skipped"):
                    verdict = "same"
                    same_suites += 1
                else:
                    verdict = "DIFFERS"
                    details.append("-- %s: pycode-only failures: %s" % (n, sorted(fp - fc)))
                    details.append("-- %s: control-only failures: %s" % (n, sorted(fc - fp)))
                    for t in sorted(rp["details"]):
                        if norm_id(t) in fp - fc:
                            details.append("   %s\n%s" % (t, rp["details"][t]))
            if uncompiled:
                if verdict == "same":
                    same_suites -= 1
                verdict = "pycode could not compile " + " ".join(uncompiled)
            elif bad:
                verdict += " (NOT FROM TREE: %s)" % bad
            lines.append("%-20s %-40s %-40s %s" % (n, fmt_suite(rp), fmt_suite(rc), verdict))
            for v, r in (("pycode", rp), ("cpython", rc)):
                if "crash" in r:
                    details.append("-- %s/%s crashed: %s" % (n, v, r["crash"][-1500:]))
            for t in sorted(set(rp.get("crash_skipped", [])) | set(rc.get("crash_skipped", []))):
                crash_left_out.append("  %s: %s (%s)" % (
                    n, t, "both" if t in rp.get("crash_skipped", []) and t in
                    rc.get("crash_skipped", []) else
                    "pycode only" if t in rp.get("crash_skipped", []) else "control only"))
        lines.append("")
        lines.append("total pycode : run %d, failed+errors %d, skipped %d"
                     % tuple(tot["pycode"]))
        lines.append("total control: run %d, failed+errors %d, skipped %d"
                     % tuple(tot["cpython"]))
        lines.append("suites with identical outcome (same tests run/skipped/failing): %d/%d"
                     % (same_suites, len(names)))
        if crash_left_out:
            lines.append("tests left out because they killed the interpreter (rerun without them):")
            lines.extend(crash_left_out)

    if not args.no_smoke:
        log("smoke: building trees (whole stdlib %s)" % RELEASE)
        info = prepare(work, "smoke", build_stdlib_tree, pycode)
        same, differ, only, diffs = info["pyc_compare"]
        mods = module_names(os.path.join(work, "smoke-pycode"))
        log("smoke: importing %d modules per tree" % len(mods))
        res = {}
        for v in ("pycode", "cpython"):
            job = {"kind": "smoke", "dir": "smoke-" + v, "modules": mods}
            if PYTHON is not None:
                job["stdlib_prefix"] = native_stdlib(PYTHON)
            res[v] = run_suite_job(work, "smoke-" + v, job, 7200)
        lines.append("")
        lines.append("== smoke: import every module of stdlib %s that pycode compiled" % RELEASE)
        lines.append("sources: %d .py; not compiled by pycode: %d; by CPython: %d"
                     % (info["pycode_sources_removed"], len(info["pycode_not_compiled"]),
                        len(info["cpython_not_compiled"])))
        lines.append("  pycode could not compile: " + " ".join(info["pycode_not_compiled"]))
        lines.append("pyc identical to CPython's: %d/%d (differ %d)"
                     % (same, same + differ + only, differ))
        for d in diffs:
            lines.append("  differs: " + d)
        if any("crash" in res[v] for v in res):
            for v in res:
                if "crash" in res[v]:
                    lines.append("smoke %s CRASHED: %s" % (v, res[v]["crash"][-1500:]))
        else:
            rp, rc = res["pycode"]["results"], res["cpython"]["results"]
            okp = sum(1 for r in rp.values() if r["outcome"] == "ok")
            okc = sum(1 for r in rc.values() if r["outcome"] == "ok")
            origin_ok = sum(1 for r in rp.values() if r["outcome"] == "ok"
                            and r["origin"] in ("pyc", "pyc(explicit)"))
            frozen = sum(1 for r in rp.values() if r.get("origin") == "pyc(explicit)")
            lines.append("modules imported: %d (skipped: package __main__ modules)" % len(mods))
            lines.append("import ok with pycode .pyc : %d/%d (loaded from the pycode tree: %d, "
                         "of which run from the tree's .pyc explicitly (frozen modules, submodules of "
                         "importlib/encodings/_pyodide/...): %d)"
                         % (okp, len(mods), origin_ok, frozen))
            lines.append("import ok with CPython .pyc: %d/%d" % (okc, len(mods)))
            deps_zip = sorted({z for r in rp.values() for z in r.get("deps_from_zip", [])})
            lines.append("dependencies loaded from CPython's zip instead (not compiled by "
                         "pycode, or siblings imported by an explicitly run importlib/encodings "
                         "submodule): %s" % (" ".join(deps_zip) or "none"))
            def same_outcome(m):
                # an error message may name the module's file, in its own tree
                return rp[m]["outcome"].replace("smoke-pycode", "smoke-") == \
                    rc[m]["outcome"].replace("smoke-cpython", "smoke-")
            differ_mods = [m for m, _ in mods if not same_outcome(m)]
            for v in ("pycode", "cpython"):
                if res[v].get("crash_skipped"):
                    lines.append("left out of the %s tree's run (they killed the interpreter, run "
                                 "again without them): %s" % (v, " ".join(res[v]["crash_skipped"])))
            lines.append("modules whose import outcome differs: %d" % len(differ_mods))
            for m in differ_mods:
                lines.append("  %s: pycode: %s | control: %s"
                             % (m, rp[m]["outcome"], rc[m]["outcome"]))
            bad = [m for m, _ in mods if rp[m]["outcome"] == "ok"
                   and rp[m]["origin"] not in ("pyc", "pyc(explicit)")]
            for m in bad:
                lines.append("  not from the pycode tree: %s (%s)" % (m, rp[m]["origin"]))
            fails = sorted({rp[m]["outcome"].split(":")[0] for m, _ in mods
                            if rp[m]["outcome"] != "ok"})
            lines.append("failure kinds (both trees): " + " ".join(fails))

    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    with open(os.path.join(work, "report.txt"), "w") as f:
        f.write(report)
    with open(os.path.join(work, "details.txt"), "w") as f:
        f.write("\n".join(details) + "\n")
    if args.report:
        with open(args.report, "w") as f:
            f.write(report)
    log("details of differing suites: " + os.path.join(work, "details.txt"))


if __name__ == "__main__":
    main()
