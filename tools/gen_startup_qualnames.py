#!/usr/bin/env python3
"""Generate crates/pycode_assemble/src/generated/startup_qualnames_3_13.rs: per 3.13 release, the
strings a fresh process has already interned when `py_compile` starts compiling that matter to
the compiler's output: the names `tools/gen_startup_interned.py` lists for 3.12 (`builtins` dict
keys, attribute names of the core builtin types: a frozenset constant holding one is rebuilt per
code object, so it is not shared; measured under native 3.13.0 `-S -I`), and the dotted class
qualnames (`A.B`, `f.<locals>.C`) below.

Why it matters: a class body stores `__qualname__` with `LOAD_CONST u_qualname`, and 3.13's code
object constructor interns `co_qualname` in place. When the process has interned an equal string
before (the qualname of the same class in a module it imported at start-up: `functools` for
`python -m py_compile`, the frozen `importlib._bootstrap`, Pyodide's `_pyodide` modules), the
constructor takes that object instead, and the constant stays a plain string: marshal writes it
as a non-interned string without `FLAG_REF`.

Candidates are the dotted class qualnames of the release's own stdlib corpus (found with `ast`
under native 3.13.0, which parses every 3.13 file); each is then tested in the target release
after `import runpy, py_compile` (the state of `python -m py_compile`): a new string object with
the same value is interned, and if `sys.intern` returns another object, the name was interned.

    python3 tools/gen_startup_qualnames.py > crates/pycode_assemble/src/generated/startup_qualnames_3_13.rs

3.14.2 (Pyodide 314.0.7, candidates from the 3.14.2 stdlib, and the builtin names measured in
that release):

    python3 tools/gen_startup_qualnames.py 3.14.2 > crates/pycode_assemble/src/generated/startup_qualnames_3_14.rs

Pyodide's start-up is not quite deterministic: of three 3.14.2 runs, one also listed `share`
(4481 names, the committed table), two did not (4480).

3.15.0rc1 (Pyodide 315.0.0-alpha.2, the same way):

    python3 tools/gen_startup_qualnames.py 3.15.0rc1 > crates/pycode_assemble/src/generated/startup_qualnames_3_15.rs
"""

import ast
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYODIDE = os.path.join(ROOT, "oracle", "pyodide", "node_modules")
CORPUS = os.path.join(ROOT, "corpus", "stdlib-3.13.2")

COLLECT = r'''
import ast, os, sys
root = sys.argv[1]
out = set()
def walk(node, prefix):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            q = prefix + child.name
            if "." in q:
                out.add(q)
            walk(child, q + ".")
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            walk(child, prefix + child.name + ".<locals>.")
        else:
            walk(child, prefix)
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".py"):
            try:
                tree = ast.parse(open(os.path.join(d, f), "rb").read())
            except (SyntaxError, ValueError):
                continue
            walk(tree, "")
for q in sorted(out):
    print(q)
'''

# The candidates arrive as one string (CANDIDATES_TEXT) split at run time: a list of string
# literals would itself intern every name-like candidate (code objects intern such constants),
# and each would then look interned before.
MEASURE = r'''
import runpy, py_compile, sys
CANDIDATES = CANDIDATES_TEXT.split("\n")
def _preinterned(n):
    s = "".join(map(chr, map(ord, n)))  # a new object with the same value
    return sys.intern(s) is not s
def dump():
    return "\n".join(n for n in CANDIDATES if _preinterned(n))
'''


def native(version):
    return subprocess.run(["pyenv", "which", "python3"], env=dict(os.environ, PYENV_VERSION=version),
                          capture_output=True, text=True, check=True).stdout.strip()


def measure(release, candidates):
    script = "CANDIDATES_TEXT = %r\n%s" % ("\n".join(candidates), MEASURE)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        if release == "3.13.0":
            out = subprocess.run([native("3.13.0"), "-c", "exec(open(%r).read()); print(dump())" % path],
                                 capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()).stdout
        else:
            pkg = os.path.join(PYODIDE, {"3.14.2": "pyodide-314.0.7",
                                         "3.15.0rc1": "pyodide-315.0.0-alpha.2"}.get(release, "pyodide-0.29.3"))
            out = subprocess.run(["node", os.path.join(ROOT, "tools", "pyodide_run.mjs"), pkg, path],
                                 capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    return sorted(x for x in out.splitlines() if x)


# Builtin names and the attribute names of the core builtin types (the candidates)...
BUILTIN_SET = r'''
import builtins, sys
TYPES = [int, str, list, dict, set, frozenset, tuple, bytes, bytearray, float, complex, bool,
         type, object, range, slice, memoryview, property, BaseException]
out = set(dir(builtins))
for t in TYPES:
    out.update(dir(t))
'''
BUILTIN_CANDIDATES = BUILTIN_SET + 'print(" ".join(sorted(out)))\n'
# ... and those this interpreter has interned.
BUILTIN_NAMES = BUILTIN_SET + r'''
def _preinterned(n):
    s = "".join(map(chr, map(ord, n)))
    return sys.intern(s) is not s
print(" ".join(sorted(n for n in out if _preinterned(n))))
'''


# The same candidates, collected inside the Pyodide release from its own stdlib zip (3.15's
# stdlib has syntax 3.13.0 cannot parse: inspect.py, typing.py). Its own process: parsing and
# importing here must not touch the process whose interned strings are measured.
COLLECT_IN_PYODIDE = r'''
import ast, sys, zipfile
def dump():
    out = set()
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                q = prefix + child.name
                if "." in q:
                    out.add(q)
                walk(child, q + ".")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(child, prefix + child.name + ".<locals>.")
            else:
                walk(child, prefix)
    with zipfile.ZipFile("/lib/python%d%d.zip" % sys.version_info[:2]) as z:
        for n in z.namelist():
            if n.endswith(".py"):
                try:
                    walk(ast.parse(z.read(n)), "")
                except (SyntaxError, ValueError):
                    pass
    return "\n".join(sorted(out))
'''


# Name-like string constants (2+ ASCII letters, digits, underscores) of the release's own
# stdlib: candidates for strings the modules imported at start-up have interned.
COLLECT_STRINGS_IN_PYODIDE = r'''
import ast, re, sys, zipfile
def dump():
    name = re.compile(r"[A-Za-z0-9_]{2,}\Z")
    out = set()
    with zipfile.ZipFile("/lib/python%d%d.zip" % sys.version_info[:2]) as z:
        for n in z.namelist():
            if n.endswith(".py"):
                try:
                    tree = ast.parse(z.read(n))
                except (SyntaxError, ValueError):
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str) and name.match(node.value):
                        out.add(node.value)
    return "\n".join(sorted(out))
'''


def run_in_pyodide(release, script):
    """The words `dump()` returns when `script` runs in its own process of that Pyodide release."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        pkg = os.path.join(PYODIDE, {"3.14.2": "pyodide-314.0.7",
                                     "3.15.0rc1": "pyodide-315.0.0-alpha.2"}[release])
        out = subprocess.run(["node", os.path.join(ROOT, "tools", "pyodide_run.mjs"), pkg, path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    return out.split()


def collect_strings_in_pyodide(release):
    return run_in_pyodide(release, COLLECT_STRINGS_IN_PYODIDE)


def collect_in_pyodide(release):
    return run_in_pyodide(release, COLLECT_IN_PYODIDE)


def main_314(release="3.14.2"):
    corpus = os.path.join(ROOT, "corpus", "stdlib-" + release)
    cands = subprocess.run([native("3.13.0"), "-c", COLLECT, corpus], capture_output=True, text=True,
                           check=True).stdout.split()
    if release != "3.14.2":  # 3.14.2's list was generated from the 3.13.0 parse alone
        cands = sorted(set(cands) | set(collect_in_pyodide(release)))
    qualnames = measure(release, cands)
    # The builtin and core type attribute names, measured in the release itself (a frozenset
    # constant holding one is rebuilt per code object, as in 3.13: test_dataclasses'
    # {'None', 'True', 'False'}).
    builtin_cands = subprocess.run([native("3.13.0"), "-S", "-I", "-c", BUILTIN_CANDIDATES],
                                   capture_output=True, text=True, check=True).stdout.split()
    builtin_names = measure(release, sorted(set(builtin_cands) | set(collect_strings_in_pyodide(release))))
    names = sorted(set(qualnames) | set(builtin_names), key=lambda n: n.encode())
    print("// @generated by tools/gen_startup_qualnames.py %s; do not edit." % release)
    print("//! Strings a fresh %s (Pyodide) process has interned when `py_compile` starts: builtins" % release)
    print("//! and core type attribute names, and dotted class qualnames (candidates: the class")
    print("//! qualnames of the %s stdlib), sorted." % release)
    print()
    print("/// %s (%d names; %d of %d qualname candidates)." % (release, len(names), len(qualnames), len(cands)))
    print("pub const STARTUP_QUALNAMES_%s: &[&str] = &[" % release.upper().replace(".", "_"))
    for n in names:
        assert '"' not in n and "\\" not in n
        print('    "%s",' % n)
    print("];")


def main():
    if sys.argv[1:] in (["3.14.2"], ["3.15.0rc1"]):
        return main_314(sys.argv[1])
    cands = subprocess.run([native("3.13.0"), "-c", COLLECT, CORPUS], capture_output=True, text=True,
                           check=True).stdout.split()
    builtin_names = subprocess.run([native("3.13.0"), "-S", "-I", "-c", BUILTIN_NAMES], capture_output=True,
                                   text=True, check=True).stdout.split()
    print("// @generated by tools/gen_startup_qualnames.py; do not edit.")
    print("//! Strings a fresh 3.13 process has interned when `py_compile` starts: builtins and core")
    print("//! type attribute names, and dotted class qualnames (candidates: the class qualnames of")
    print("//! the 3.13.2 stdlib), sorted, per release.")
    for release, const in (("3.13.0", "STARTUP_QUALNAMES_3_13_0"), ("3.13.2", "STARTUP_QUALNAMES_3_13_2")):
        qualnames = measure(release, cands)
        names = sorted(set(builtin_names) | set(qualnames), key=lambda n: n.encode())
        print()
        print("/// %s (%d names; %d of %d qualname candidates)." % (release, len(names), len(qualnames), len(cands)))
        print("pub const %s: &[&str] = &[" % const)
        for n in names:
            assert '"' not in n and "\\" not in n
            print('    "%s",' % n)
        print("];")


if __name__ == "__main__":
    main()
