#!/usr/bin/env python3
"""Extract CPython's own invalid-program test cases into one file per case (corpus_invalid/).

usage: tools/invalid/extract.py [--out corpus_invalid] [TESTDIR ...]

TESTDIR defaults to the `test/` directories of the local CPython installs (3.11.7 native,
/root/.pyenv/versions/3.12.1 and 3.13.0). Sources of cases:

  * doctest examples in test modules whose expected output is a SyntaxError /
    IndentationError / TabError traceback (test_syntax, test_genexps, test_unpack_ex, ...);
  * string constants passed to the helpers the tests use to assert a syntax error:
    `_check_error(src, ...)`, `check_syntax_error(self, src)`, test_exceptions' `check(src, ...)`,
    `assertAllRaise(SyntaxError, regex, [src, ...])` (test_fstring), and
    `compile/exec/eval/ast.parse(src, ...)` inside `with self.assertRaises(SyntaxError...)`;
  * whole files: badsyntax_*.py, bad_coding*.py.

Each case is written as `<out>/<test module>/<first 12 hex digits of sha256(content)>.py`, so
the same program found in several releases' tests is stored once and names are stable.
Existing files under <out>/own/ (hand-written cases) are left alone; the other
subdirectories are rewritten.
"""

import argparse
import ast
import doctest
import hashlib
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

DEFAULT_TESTDIRS = [
    "/root/.pyenv/versions/3.11.7/lib/python3.11/test",
    "/root/.pyenv/versions/3.12.1/lib/python3.12/test",
    "/root/.pyenv/versions/3.13.0/lib/python3.13/test",
]

MODULES = [
    "test_syntax", "test_exceptions", "test_grammar", "test_fstring", "test_eof",
    "test_string_literals", "test_positional_only_arg", "test_named_expressions",
    "test_patma", "test_type_params", "test_unpack_ex", "test_genexps", "test_global",
    "test_keywordonlyarg", "test_flufl", "test_unicode_identifiers", "test_decorators",
    "test_type_aliases", "test_listcomps", "test_setcomps", "test_dictcomps", "test_except_star",
    "test_with", "test_compile", "test_ast", "test_syntax_errors",
]

ERROR_NAMES = ("SyntaxError", "IndentationError", "TabError")
COMPILE_FUNCS = ("compile", "exec", "eval", "parse")
MAX_CASE = 20000  # bytes; larger generated programs are left out


def _const_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    return None


def _call_name(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def _raises_syntax_error(withitem):
    e = withitem.context_expr
    if not isinstance(e, ast.Call) or _call_name(e) not in ("assertRaises", "assertRaisesRegex"):
        return False
    return bool(e.args) and any(isinstance(n, ast.Name) and n.id in ERROR_NAMES for n in ast.walk(e.args[0]))


def _resolver(tree):
    """name -> string constants assigned to it anywhere in the enclosing function (for
    `code = "..."; with self.assertRaises(SyntaxError): exec(code)`)."""
    scopes = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = {}
            for n in ast.walk(fn):
                if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                    v = _const_str(n.value)
                    if v is not None:
                        names.setdefault(n.targets[0].id, []).append(v)
            for n in ast.walk(fn):
                scopes[id(n)] = names
    def resolve(node, arg):
        v = _const_str(arg)
        if v is not None:
            return [v]
        if isinstance(arg, ast.Name):
            return list(scopes.get(id(node), {}).get(arg.id, []))
        return []
    return resolve


def cases_from_calls(tree, module):
    out = []
    resolve = _resolver(tree)
    # compile(...) inside `with self.assertRaises(SyntaxError)`
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_raises_syntax_error(w) for w in node.items):
            for sub in node.body:
                for n in ast.walk(sub):
                    if isinstance(n, ast.Call) and _call_name(n) in COMPILE_FUNCS and n.args:
                        out.extend(resolve(n, n.args[0]))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        args = node.args
        if name in ("_check_error", "assert_syntax_error") and args:
            out.extend(resolve(node, args[0]))
            continue
        elif name == "check_syntax_error" and len(args) >= 2:
            out.extend(resolve(node, args[1]))
            continue
        elif name == "check" and module == "test_exceptions" and args:
            s = _const_str(args[0])
        elif name == "assertRaises" and len(args) >= 3 and isinstance(args[0], ast.Name) \
                and args[0].id in ERROR_NAMES and _call_name_expr(args[1]) in COMPILE_FUNCS:
            s = _const_str(args[2])
        elif name == "assertAllRaise" and len(args) >= 3 and isinstance(args[0], ast.Name) \
                and args[0].id in ERROR_NAMES and isinstance(args[2], (ast.List, ast.Tuple)):
            out.extend(v for v in map(_const_str, args[2].elts) if v is not None)
            continue
        else:
            continue
        if s is not None:
            out.append(s)
    return out


def _call_name_expr(e):
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return e.attr
    return None


def cases_from_doctests(tree):
    out = []
    parser = doctest.DocTestParser()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id.endswith("tests") and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            doc = node.value.value  # e.g. test_genexps' `doctests = """..."""`
        else:
            continue
        if not doc or ">>>" not in doc:
            continue
        try:
            examples = parser.get_examples(doc)
        except ValueError:
            continue
        for ex in examples:
            if ex.exc_msg is None:
                continue
            if any(("%s:" % n) in ex.want for n in ERROR_NAMES):
                out.append(ex.source)
    return out


def write_case(out_dir, group, content):
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if len(data) > MAX_CASE:
        return None
    name = hashlib.sha256(data).hexdigest()[:12] + ".py"
    d = os.path.join(out_dir, group)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "corpus_invalid"))
    ap.add_argument("testdirs", nargs="*", default=DEFAULT_TESTDIRS)
    args = ap.parse_args()
    if os.path.isdir(args.out):
        for name in os.listdir(args.out):
            p = os.path.join(args.out, name)
            if name != "own" and os.path.isdir(p):
                shutil.rmtree(p)
    counts = {}
    for tdir in args.testdirs:
        if not os.path.isdir(tdir):
            print("extract: skip missing %s" % tdir, file=sys.stderr)
            continue
        for dirpath, dirnames, filenames in os.walk(tdir):
            dirnames.sort()
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                if fn.startswith(("badsyntax_", "bad_coding")) and fn.endswith(".py"):
                    with open(path, "rb") as f:
                        if write_case(args.out, "files", f.read()):
                            counts["files"] = counts.get("files", 0) + 1
                    continue
                mod = fn[:-3] if fn.endswith(".py") else None
                if mod is None and fn == "__init__.py":
                    continue
                if mod == "__init__":
                    mod = os.path.basename(dirpath)
                if mod not in MODULES:
                    continue
                with open(path, "rb") as f:
                    src = f.read()
                try:
                    tree = ast.parse(src)
                except SyntaxError:
                    continue
                found = cases_from_calls(tree, mod) + cases_from_doctests(tree)
                for c in found:
                    try:
                        if write_case(args.out, mod, c):
                            counts[mod] = counts.get(mod, 0) + 1
                    except UnicodeEncodeError:
                        pass
    total = 0
    for g in sorted(os.listdir(args.out)):
        d = os.path.join(args.out, g)
        if os.path.isdir(d):
            n = len(os.listdir(d))
            total += n
            print("%-28s %5d" % (g, n))
    print("total %d" % total)


if __name__ == "__main__":
    main()
