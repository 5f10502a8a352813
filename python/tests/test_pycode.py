"""pycode's Python API against the running interpreter: its compile, marshal, dis, py_compile
and compileall are the reference. Run by .ci/run under every CPython the machine has."""

import compileall as std_compileall
import functools
import json
import dis as std_dis
import io
import marshal
import os
import py_compile as std_py_compile
import subprocess
import sys
import types

import pytest

import pycode

HOST = pycode.host_release()
pytestmark = pytest.mark.skipif(not dict(pycode.releases()).get(HOST), reason="pycode cannot compile for this interpreter")

SNIPPETS = [
    "x = 1\n",
    "def f(a, /, b, *args, c=3, **kw):\n    return a + b + c\n",
    "class C:\n    '''doc'''\n    def m(self):\n        return [i * i for i in range(10) if i % 2]\n",
    "try:\n    import os\nexcept ImportError as e:\n    os = None\nfinally:\n    pass\n",
    "async def g():\n    async with a as b:\n        await b\n    async for x in y:\n        yield x\n",
    "match p:\n    case [1, 2, *rest]:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case C(x=1) | None:\n        pass\n",
    "with open('f') as f, open('g') as g:\n    data = f.read()\n",
    "print(f'{x!r:>{width}} and {y=}')\n",
    "lambda *a, **k: (a, k)\n",
    "def outer():\n    v = 1\n    def inner():\n        nonlocal v\n        v += 1\n        return v\n    return inner\n",
    "assert x, 'msg'\nif __debug__:\n    y = 2\n",
    # objects CPython shares from outside the tree: static names, one-byte bytes singletons
    "g = (x for x in y)\nh = lambda: b'a' + b'\\x00'\ns = {k: v for k, v in d}\nt = [b'z' for _ in y]\n",
    "b'q'\n",
]

SELF_DIR = os.path.dirname(os.path.abspath(std_compileall.__file__))
STDLIB_SAMPLE = sorted(f for f in os.listdir(SELF_DIR) if f.endswith(".py"))[:60]


def _cases():
    for i, s in enumerate(SNIPPETS):
        yield "snippet%d.py" % i, s.encode()
    for f in STDLIB_SAMPLE:
        with open(os.path.join(SELF_DIR, f), "rb") as fh:
            yield f, fh.read()


# Cases whose code pycode does not yet compile byte-identically for that release (the 3.11 and
# 3.13 back ends are in progress; conformance/<release>/compile-*.txt lists every file). A case
# that starts matching fails test_known_misses_are_current: take it off the list.
KNOWN_MISSES = {
    "3.11": {},
    "3.12": {},
    "3.13": {},
}

def _known():
    return KNOWN_MISSES.get(HOST, KNOWN_MISSES.get(".".join(HOST.split(".")[:2]), {}))


# A release of another minor than the host's: pycode.compile returns a pycode.Code for it.
OTHER = "3.12.7" if HOST.startswith("3.13") else "3.13.2"

# SyntaxError locations pycode does not yet give as that release does.
KNOWN_ERROR_MISSES = {"3.12.1": {"f(**k, *a)\n"}}


def test_case_count():
    assert len(list(_cases())) == len(SNIPPETS) + 60


# marshal.dumps sets FLAG_REF from live reference counts, so whether CPython's bytes equal
# pycode's depends on what the process holds (a module imported in the test process keeps
# constants alive that a fresh `python -m py_compile` would not have). The byte comparison
# therefore runs in a fresh interpreter that only compiles, collecting garbage between files.
FRESH_SCRIPT = r"""
import gc, json, marshal, sys
import pycode
cases, release = json.load(sys.stdin)
misses = []
dumps_misses = []
for name, path, text in cases:
    src = text.encode() if path is None else open(path, "rb").read()
    gc.collect()
    ref = compile(src, name, "exec", dont_inherit=True)
    want = marshal.dumps(ref)
    if pycode._native.compile_code(src, name, "exec", release, 0).to_marshal() != want:
        misses.append(name)
    got = pycode.compile(src, name)
    if marshal.dumps(got) != want:
        dumps_misses.append(name)
    del ref, got
print(json.dumps([len(cases), misses, dumps_misses]))
"""


@functools.lru_cache(maxsize=None)
def _fresh_byte_misses():
    cases = [["snippet%d.py" % i, None, s] for i, s in enumerate(SNIPPETS)]
    cases += [[f, os.path.join(SELF_DIR, f), None] for f in STDLIB_SAMPLE]
    r = subprocess.run([sys.executable, "-c", FRESH_SCRIPT], input=json.dumps([cases, HOST]),
                       capture_output=True, text=True, check=True)
    ran, misses, dumps_misses = json.loads(r.stdout)
    assert ran == len(SNIPPETS) + 60
    return frozenset(misses), frozenset(dumps_misses)


def test_known_misses_are_current():
    assert _fresh_byte_misses()[0] == set(_known())


def test_marshal_bytes_identical():
    assert not (_fresh_byte_misses()[0] - set(_known()))


def test_marshal_dumps_of_compile_identical():
    # marshal.dumps(pycode.compile(...)) == marshal.dumps(compile(...)): the CodeType pycode
    # returns keeps the reference counts marshal's FLAG_REF bits follow (Code.to_code).
    assert not (_fresh_byte_misses()[1] - set(_known()))


def test_compile_is_codetype_and_marshal_identical():
    checked = 0
    for name, src in _cases():
        if name in _known():
            continue
        ref = compile(src, name, "exec", dont_inherit=True)
        # The marshal bytes are compared in a fresh interpreter (test_marshal_bytes_identical,
        # test_marshal_dumps_of_compile_identical): here the test process's own modules hold
        # strings, which changes reference counts and so FLAG_REF bits.
        got = pycode.compile(src, name)
        assert isinstance(got, types.CodeType)
        assert got == ref, name
        del got
        checked += 1
    assert checked == len(SNIPPETS) + 60 - len(_known())


@pytest.mark.parametrize("mode,src", [("eval", "a + b * 2"), ("single", "x = 1"), ("exec", "pass")])
def test_modes(mode, src):
    ref = compile(src, "<s>", mode, dont_inherit=True)
    assert pycode.compile(src, "<s>", mode) == ref


def test_optimize_levels():
    src = "def f():\n    '''doc'''\n    assert x\n    return __debug__\n"
    for level in (0, 1, 2):
        ref = compile(src, "o.py", "exec", dont_inherit=True, optimize=level)
        assert pycode.compile(src, "o.py", optimize=level) == ref


def test_compile_flags():
    import __future__
    import ast
    src = "def f(a: int) -> 'str':\n    return a / 2\nx: list[int] = []\nclass C:\n    y: int\n"
    checked = 0
    for feature in ("annotations", "division", "generator_stop", "absolute_import", "print_function"):
        flag = getattr(__future__, feature).compiler_flag
        ref = compile(src, "fl.py", "exec", flags=flag, dont_inherit=True)
        got = pycode.compile(src, "fl.py", flags=flag)
        assert got == ref, feature
        inner = [c.co_flags for c in got.co_consts if isinstance(c, types.CodeType)]
        assert got.co_flags == ref.co_flags and inner == [c.co_flags for c in ref.co_consts if isinstance(c, types.CodeType)], feature
        assert inner and all(f & flag for f in inner + [got.co_flags]), feature
        checked += 1
    both = __future__.annotations.compiler_flag | ast.PyCF_TYPE_COMMENTS
    assert pycode.compile(src, "fl.py", flags=both) == compile(src, "fl.py", "exec", flags=both, dont_inherit=True)
    with pytest.raises(NotImplementedError):
        pycode.compile(src, "fl.py", flags=0x4000)  # PyCF_ALLOW_INCOMPLETE_INPUT
    with pytest.raises(ValueError):
        compile(src, "fl.py", "exec", flags=0x40000000)
    with pytest.raises(ValueError):
        pycode.compile(src, "fl.py", flags=0x40000000)
    assert checked == 5


def test_only_ast_matches_host():
    # compile(..., PyCF_ONLY_AST) and pycode.parse give the host's own ast nodes: equal dumps
    # (positions included) on the snippets and the first 20 files of the stdlib sample, in
    # every mode (ast.dump in Python is slow: the parser's conformance runs cover the corpora).
    import ast
    checked = 0
    for name, src in list(_cases())[:len(SNIPPETS) + 20]:
        want = ast.dump(compile(src, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True), include_attributes=True)
        got = pycode.compile(src, name, flags=ast.PyCF_ONLY_AST)
        assert isinstance(got, ast.Module)
        assert ast.dump(got, include_attributes=True) == want, name
        assert ast.dump(pycode.parse(src, name), include_attributes=True) == want, name
        checked += 1
    for mode, src in (("eval", "a if b else [c async for c in d]"), ("single", "x = 1; print(x)\n"),
                      ("eval", "'\\u00e9' + b'\\xff' + f'{x!r:>{w}}' + 1e400j")):
        assert ast.dump(pycode.parse(src, mode=mode), include_attributes=True) == \
            ast.dump(ast.parse(src, mode=mode), include_attributes=True), src
        checked += 1
    typed = "def f(a,  # type: int\n      b):\n    # type: (...) -> None\n    x = []  # type: list\ny = 1  # type: ignore[x]\n"
    assert ast.dump(pycode.parse(typed, type_comments=True), include_attributes=True) == \
        ast.dump(ast.parse(typed, type_comments=True), include_attributes=True)
    got = pycode.compile(typed, "t.py", flags=ast.PyCF_ONLY_AST | ast.PyCF_TYPE_COMMENTS)
    assert ast.dump(got, include_attributes=True) == \
        ast.dump(compile(typed, "t.py", "exec", ast.PyCF_ONLY_AST | ast.PyCF_TYPE_COMMENTS), include_attributes=True)
    sig = "(int, *str, **bool) -> List[int]"
    assert ast.dump(pycode.parse(sig, mode="func_type"), include_attributes=True) == \
        ast.dump(ast.parse(sig, mode="func_type"), include_attributes=True)
    checked += 3
    with pytest.raises(SyntaxError) as e:
        pycode.parse("x = (", "bad.py")
    assert (e.value.msg, e.value.filename, e.value.lineno) == ("'(' was never closed", "bad.py", 1)
    with pytest.raises(ValueError):
        pycode.parse("x = 1", target=OTHER)
    assert checked == len(SNIPPETS) + 20 + 6


def test_syntax_error_attributes():
    cases = ("x = (", "def f(:\n", "return 1\n", "nonlocal x\n", "f(**k, *a)\n")
    misses = set()
    for bad in cases:
        with pytest.raises(SyntaxError) as want:
            compile(bad, "bad.py", "exec", dont_inherit=True)
        with pytest.raises(SyntaxError) as got:
            pycode.compile(bad, "bad.py")
        w, g = want.value, got.value
        if (type(g), g.msg, g.lineno, g.offset, g.end_lineno, g.end_offset) != \
                (type(w), w.msg, w.lineno, w.offset, w.end_lineno, w.end_offset):
            misses.add(bad)
    assert misses == KNOWN_ERROR_MISSES.get(HOST, set())


def _walk(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, (types.CodeType, pycode.Code)):
            yield from _walk(c)


ATTRS = ["co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_stacksize", "co_flags",
         "co_nlocals", "co_firstlineno", "co_code", "co_names", "co_varnames", "co_cellvars",
         "co_freevars", "co_filename", "co_name", "co_qualname", "co_linetable",
         "co_exceptiontable"]


def test_code_attributes_match_codetype():
    compared = 0
    for name, src in _cases():
        if name in _known():
            continue
        ref = compile(src, name, "exec", dont_inherit=True)
        mine = pycode._native.compile_code(src, name, "exec", HOST, 0)
        assert isinstance(mine, pycode.Code) and mine.release == HOST
        for r, m in zip(_walk(ref), _walk(mine)):
            for a in ATTRS:
                assert getattr(m, a) == getattr(r, a), (name, r.co_qualname, a)
            assert list(m.co_lines()) == list(r.co_lines()), (name, r.co_qualname)
            assert list(m.co_positions()) == list(r.co_positions()), (name, r.co_qualname)
            consts = [c for c in r.co_consts if not isinstance(c, types.CodeType)]
            assert [c for c in m.co_consts if not isinstance(c, pycode.Code)] == consts
            if sys.version_info < (3, 14):
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    assert m.co_lnotab == r.co_lnotab
            compared += 1
    assert compared > 300, compared


def test_code_object_protocol():
    c = pycode.compile("def f(a):\n    return a\n", "f.py", target=OTHER)
    assert isinstance(c, pycode.Code) and c.release == OTHER
    f = [k for k in c.co_consts if isinstance(k, pycode.Code)][0]
    assert repr(f).startswith("<code object f at 0x") and repr(f).endswith(', file "f.py", line 1>')
    g = f.replace(co_name="g", co_varnames=("b",))
    assert (g.co_name, g.co_varnames, f.co_name) == ("g", ("b",), "f")
    assert g != f and f == f.replace() and hash(f) == hash(f.replace())
    with pytest.raises(TypeError):
        f.replace(co_argcount="1")
    with pytest.raises(TypeError):
        f.replace(co_bogus=1)
    with pytest.raises(ValueError):
        f.to_code()


def test_to_code_runs():
    c = pycode._native.compile_code(b"def f(a):\n    return a * 2\n", "t.py", "exec", HOST, 0)
    ns = {}
    exec(c.to_code(), ns)
    assert ns["f"](21) == 42


def test_pyc_round_trip_and_untrusted_input():
    src = b"import sys\nprint(sys.argv)\n"
    code = pycode.compile(src, "r.py", target=OTHER)
    data = pycode.dump_pyc(code, invalidation_mode="unchecked-hash", source=src)
    header, back = pycode.load_pyc(data)
    assert header.release == OTHER and header.invalidation_mode == "unchecked-hash"
    assert back == code and back.to_marshal() == code.to_marshal()
    for junk in (b"", b"\x00" * 3, data[:20], data[:16] + b"\xff" * 40, bytes(range(256)) * 4):
        with pytest.raises(ValueError):
            pycode.load_pyc(junk)


def test_marshal_values_match_host():
    values = [0, -1, 2 ** 70, 1.5, -0.0, 2j, "x", "é\udc80", b"b", (1, (2,)), [1], {1: 2},
              frozenset({3}), None, True, ..., StopIteration]
    for v in values:
        data = pycode.marshal.dumps(v)
        assert marshal.loads(data) == v or (v != v), v
        assert pycode.marshal.loads(marshal.dumps(v)) == v, v


def test_dis_matches_host(tmp_path):
    if os.environ.get("PYTHONHASHSEED") != "0":
        pytest.skip("frozenset order needs PYTHONHASHSEED=0")
    shown = 0
    for name, src in list(_cases())[:30]:
        if name in _known():
            continue
        ref = compile(src, name, "exec", dont_inherit=True)
        out = io.StringIO()
        # pycode.dis shows a code object as `python -m dis FILE.pyc` does, i.e. as loaded from
        # marshal data (which orders frozenset members as the load inserted them).
        std_dis.dis(marshal.loads(marshal.dumps(ref)), file=out)
        want = out.getvalue()
        mine = pycode._native.compile_code(src, name, "exec", HOST, 0)
        got = pycode.dis(mine)
        # Addresses of code objects differ between processes.
        strip = lambda t: __import__("re").sub(r" at 0x[0-9a-f]+", " at 0x", t)
        assert strip(got) == strip(want), name
        assert strip(pycode.dis(ref)) == strip(want), name
        shown += 1
    assert shown == 30 - len([n for n, _ in list(_cases())[:30] if n in _known()])


def _specialise_me(obj, n):
    total = 0
    for i in range(n):
        total += obj.real + i
    return total, list(str(j) for j in range(3))


def test_dis_adaptive_matches_host():
    # dis(adaptive=True): the instructions CPython has specialised in a code object that ran
    # (its _co_code_adaptive, nested code objects included), and a fresh one as loaded.
    strip = lambda t: __import__("re").sub(r" at 0x[0-9a-f]+", " at 0x", t)
    for _ in range(100):
        _specialise_me(3, 20)
    fresh = pycode.compile("x = 1\nfor i in range(3):\n    x += i\n", "m.py")
    checked = 0
    for x in (_specialise_me.__code__, fresh):
        for caches in (False, True):
            out = io.StringIO()
            std_dis.dis(x, adaptive=True, show_caches=caches, file=out)
            assert strip(pycode.dis(x, adaptive=True, show_caches=caches)) == strip(out.getvalue())
            checked += 1
    assert checked == 4
    # It did specialise, so the adaptive text is not the plain one.
    assert pycode.dis(_specialise_me.__code__, adaptive=True) != pycode.dis(_specialise_me.__code__)
    with pytest.raises(NotImplementedError):
        pycode.dis(b"x = 1\n", adaptive=True)


def test_py_compile_drop_in(tmp_path):
    written = 0
    for name, src in list(_cases())[:40]:
        if name in _known():
            continue
        p = tmp_path / name
        p.write_bytes(src)
        a = std_py_compile.compile(str(p), cfile=str(tmp_path / "a.pyc"), doraise=True,
                                   invalidation_mode=std_py_compile.PycInvalidationMode.UNCHECKED_HASH)
        b = pycode.py_compile.compile(str(p), cfile=str(tmp_path / "b.pyc"), doraise=True,
                                      invalidation_mode=std_py_compile.PycInvalidationMode.UNCHECKED_HASH)
        assert (a, b) == (str(tmp_path / "a.pyc"), str(tmp_path / "b.pyc"))
        assert std_py_compile.PycInvalidationMode is pycode.py_compile.PycInvalidationMode
        a_bytes, b_bytes = (tmp_path / "a.pyc").read_bytes(), (tmp_path / "b.pyc").read_bytes()
        # Same header and same code; the bytes of the marshal data are compared in a fresh
        # interpreter (test_marshal_bytes_identical): this process's reference counts differ.
        assert a_bytes[:16] == b_bytes[:16], name
        assert marshal.loads(a_bytes[16:]) == marshal.loads(b_bytes[16:]), name
        written += 1
    assert written == 40 - len([n for n, _ in list(_cases())[:40] if n in _known()])
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    with pytest.raises(std_py_compile.PyCompileError) as e:
        pycode.py_compile.compile(str(bad), doraise=True)
    assert "SyntaxError" in e.value.msg
    default = pycode.py_compile.compile(str(tmp_path / "snippet0.py"))
    assert default == std_py_compile.importlib.util.cache_from_source(str(tmp_path / "snippet0.py"))
    other = pycode.py_compile.compile(str(tmp_path / "snippet0.py"), target="3.13.2")
    assert other.endswith("snippet0.cpython-313.pyc")


def test_compileall_drop_in(tmp_path, capsys):
    tree = tmp_path / "pkg"
    (tree / "sub").mkdir(parents=True)
    for i, s in enumerate(SNIPPETS):
        (tree / ("sub" if i % 2 else ".") / ("m%d.py" % i)).write_text(s)
    (tree / "bad.py").write_text("x = (\n")
    other = tmp_path / "other"
    import shutil
    shutil.copytree(tree, other)
    mode = std_py_compile.PycInvalidationMode.UNCHECKED_HASH
    ok_std = std_compileall.compile_dir(str(tree), quiet=1, invalidation_mode=mode)
    out_std = capsys.readouterr().out.replace(str(tree), "DIR")
    ok_mine = pycode.compileall.compile_dir(str(other), quiet=1, invalidation_mode=mode, workers=2)
    out_mine = capsys.readouterr().out.replace(str(other), "DIR")
    assert (ok_std, ok_mine) == (False, False)
    assert out_mine == out_std
    same = 0
    for root, _, files in os.walk(tree):
        for f in files:
            if f.endswith(".pyc"):
                mine = os.path.join(str(other), os.path.relpath(os.path.join(root, f), str(tree)))
                assert os.path.exists(mine), mine
                same += 1
    assert same == len(SNIPPETS)


def test_python_m_pycode(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("print('hi')\n")
    r = subprocess.run([sys.executable, "-m", "pycode", "compileall", "-q", "--target", "3.13", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "__pycache__" / "m.cpython-313.pyc").exists()
    r = subprocess.run([sys.executable, "-m", "pycode", "dis", str(tmp_path / "__pycache__" / "m.cpython-313.pyc")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "LOAD_NAME" in r.stdout, r.stderr


def test_verify():
    checked = 0
    for name, src in list(_cases())[:20]:
        ref = compile(src, name, "exec", dont_inherit=True)
        assert pycode.verify(ref) == [], name
        assert pycode.verify(pycode._native.compile_code(src, name, "exec", OTHER, 0)) == [], name
        checked += 1
    assert checked == 20
    code = pycode._native.compile_code(b"x = 1\n", "v.py", "exec", OTHER, 0)
    bad = code.replace(co_stacksize=0)
    assert any("stack" in v for v in pycode.verify(bad))
