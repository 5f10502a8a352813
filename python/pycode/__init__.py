"""pycode: CPython's code objects outside CPython.

Compile Python source into the code objects (and ``.pyc`` files) a chosen CPython release
produces, byte for byte, and read, disassemble and write ``.pyc`` / marshal data of any release
pycode knows, from any Python >= 3.9::

    >>> import pycode
    >>> code = pycode.compile("x = 1\\n", "m.py", target="3.13")
    >>> code.co_names
    ('x',)

With no ``target`` (or the running interpreter's release) ``compile`` returns a real
``types.CodeType``; for another release it returns a :class:`pycode.Code`.
"""

import sys as _sys
import types as _types
# The builtin module, not weakref.py: importing a module changes the reference counts of the
# strings it holds, hence marshal's FLAG_REF bits when the caller compiles that module's source.
import _weakref

from . import _native
from ._native import Code

__all__ = [
    "Code", "compile", "load_pyc", "dump_pyc", "dis", "verify", "releases", "host_release",
    "PycHeader", "marshal", "py_compile", "compileall",
]

__version__ = "0.1.0"

_KNOWN = [name for name, _ in _native.releases()]


def releases():
    """``[(name, compiles)]`` for every CPython release pycode knows, oldest first."""
    return list(_native.releases())


def host_release():
    """The release of the running interpreter as pycode names it: its exact version when pycode
    knows it, else the newest known patch of its minor (same magic number), else ``None``."""
    v = _sys.version_info
    exact = "%d.%d.%d" % v[:3]
    if v.releaselevel != "final":
        exact += {"alpha": "a", "beta": "b", "candidate": "rc"}.get(v.releaselevel, "") + str(v.serial)
    if exact in _KNOWN:
        return exact
    minor = "%d.%d" % v[:2]
    same = [n for n in _KNOWN if n.startswith(minor + ".")]
    return same[-1] if same else None


def _resolve(target):
    if target is None:
        r = host_release()
        if r is None:
            raise NotImplementedError("pycode does not know CPython %d.%d" % _sys.version_info[:2])
        return r
    if not isinstance(target, str):
        raise TypeError("target must be a str such as '3.13' or '3.12.7', not %s" % type(target).__name__)
    return _native.release_info(target)[0]


def _is_host(release):
    return release.split(".")[:2] == [str(x) for x in _sys.version_info[:2]]


def _source_bytes(source):
    if isinstance(source, str):
        return source.encode("utf-8", "surrogatepass")
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    raise TypeError("compile() arg 1 must be a string or bytes object")


def compile(source, filename, mode="exec", *, target=None, optimize=-1, dont_inherit=False, flags=0):
    """``compile(source, filename, mode)`` as CPython ``target`` runs it.

    Returns a real ``types.CodeType`` when ``target`` is ``None`` or the running interpreter's
    minor release (its marshal data is what pycode wrote), otherwise a :class:`Code`.
    ``optimize=-1`` means the interpreter's ``-O`` level for the running release, 0 for others.
    Future flags are never inherited (as with ``dont_inherit=True``). ``flags`` takes the
    ``__future__`` features (``__future__.annotations.compiler_flag`` and the others, as
    ``compile`` does: they also appear in every ``co_flags``), ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``
    (``await``, ``async for``/``with`` and asynchronous comprehensions at module level; the module
    code object is then a coroutine when it uses them), ``ast.PyCF_TYPE_COMMENTS`` and
    ``PyCF_DONT_IMPLY_DEDENT`` (no effect on code objects), and ``ast.PyCF_ONLY_AST``: the
    tree as real ``ast`` nodes, as :func:`parse` (the running interpreter's release only).
    ``PyCF_ALLOW_INCOMPLETE_INPUT``, ``PyCF_OPTIMIZED_AST`` and ``barry_as_FLUFL`` are not
    supported (NotImplementedError); other bits are a ValueError, as with ``compile``.
    Source given as ``str`` is compiled from its UTF-8 encoding.
    """
    future_flags = _check_compile_flags(flags)
    release = _resolve(target)
    if isinstance(filename, bytes):
        filename = filename.decode("utf-8", "surrogateescape")
    filename = str(filename)
    if int(flags) & _PYCF_ONLY_AST:
        return _parse(source, filename, mode, release, int(flags) & _PYCF_TYPE_COMMENTS)
    if optimize == -1:
        optimize = _sys.flags.optimize if _is_host(release) else 0
    if optimize not in (0, 1, 2):
        raise ValueError("compile(): invalid optimize value")
    code = _native.compile_code(_source_bytes(source), filename, mode, release, optimize, future_flags)
    if target is None or _is_host(release):
        return code.to_code()
    return code


# compile()'s flags: the __future__ features (CO_FUTURE_*), the obsolete CO_NESTED, and the
# PyCF_* compile flags.
_CO_FUTURE = 0x20000 | 0x40000 | 0x80000 | 0x100000 | 0x200000 | 0x800000 | 0x1000000
_CO_FUTURE_BARRY_AS_BDFL = 0x400000
_CO_NESTED = 0x10
_PYCF_DONT_IMPLY_DEDENT = 0x200
_PYCF_TYPE_COMMENTS = 0x1000
_PYCF_ALLOW_TOP_LEVEL_AWAIT = 0x2000
_PYCF_ONLY_AST = 0x400
_PYCF_UNSUPPORTED = {0x4000: "PyCF_ALLOW_INCOMPLETE_INPUT", 0x8000: "PyCF_OPTIMIZED_AST",
                     _CO_FUTURE_BARRY_AS_BDFL: "barry_as_FLUFL"}


def _check_compile_flags(flags):
    """The ``__future__`` bits of ``compile()``'s ``flags``, after CPython's check."""
    flags = int(flags)
    known = (_CO_FUTURE | _CO_NESTED | _PYCF_DONT_IMPLY_DEDENT | _PYCF_TYPE_COMMENTS | _PYCF_ALLOW_TOP_LEVEL_AWAIT
             | _PYCF_ONLY_AST)
    for bit in _PYCF_UNSUPPORTED:
        known |= bit
    if flags & ~known:
        raise ValueError("compile(): unrecognised flags")
    for bit, name in _PYCF_UNSUPPORTED.items():
        if flags & bit:
            raise NotImplementedError("pycode.compile(): flag %s is not supported" % name)
    return flags & (_CO_FUTURE | _PYCF_ALLOW_TOP_LEVEL_AWAIT)


def parse(source, filename="<unknown>", mode="exec", *, type_comments=False, target=None):
    """``ast.parse(source, filename, mode)`` by pycode's parser: real ``ast`` nodes of the running
    interpreter, equal (``ast.dump(..., include_attributes=True)``) to what its own parser
    builds, and its ``SyntaxError`` for invalid source. ``target`` may only name the running
    interpreter's minor release: other releases' trees are not this interpreter's node classes
    (``pycode ast --target R`` prints them)."""
    release = _resolve(target)
    return _parse(source, str(filename), mode, release, type_comments)


def _parse(source, filename, mode, release, type_comments):
    if not _is_host(release):
        raise ValueError("an AST of CPython %s cannot be built from CPython %d.%d's ast module"
                         % ((release,) + tuple(_sys.version_info[:2])))
    from . import _astbuild
    return _astbuild.from_dump(_native.ast_dump(_source_bytes(source), filename, mode, release, bool(type_comments)))


# id(weak reference to a code object from Code.to_code) -> (that reference, pinned objects)
_PINNED = {}


def _unpin(ref):
    _PINNED.pop(id(ref), None)


def _to_code(self):
    """A real ``types.CodeType`` (only for the running interpreter's minor release).

    Its ``marshal.dumps`` is this code's marshal data: ``marshal.loads`` rebuilds the objects
    and their sharing, and the objects written with ``FLAG_REF`` only because something outside
    the tree held them in CPython (static strings such as ``'<genexpr>'`` on 3.11/3.12, the
    one-byte ``bytes`` singletons, the caller's ``filename``) are given one extra reference for
    as long as their code object lives (marshal's ``FLAG_REF`` follows reference counts)."""
    if not _is_host(self.release):
        raise ValueError("a CPython %s code object cannot become a code object of CPython %d.%d"
                         % ((self.release,) + tuple(_sys.version_info[:2])))
    import marshal as _marshal
    code = _marshal.loads(self.to_marshal())
    for holder, pins in self._ref_pins(code):
        if pins:
            ref = _weakref.ref(holder, _unpin)
            _PINNED[id(ref)] = (ref, pins)
    return code


Code.to_code = _to_code


def _from_codetype(code, release):
    """A real code object of the running interpreter as a :class:`Code` of ``release``."""
    import marshal as _marshal
    return marshal.loads(_marshal.dumps(code), release=release)


class PycHeader:
    """The 16-byte header of a ``.pyc``."""

    __slots__ = ("release", "magic_family", "flags", "invalidation_mode", "mtime", "source_size", "source_hash")

    def __init__(self, d):
        for k in self.__slots__:
            setattr(self, k, d.get(k))

    def __repr__(self):
        fields = ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__ if getattr(self, k) is not None)
        return "PycHeader(%s)" % fields


def load_pyc(data):
    """``(PycHeader, Code)`` from the bytes of a ``.pyc`` file of any known release. Bad input
    raises ``ValueError`` (with the offset where it went wrong), never crashes."""
    header, code = _native.load_pyc(bytes(data))
    return PycHeader(header), code


def dump_pyc(code, *, invalidation_mode="timestamp", mtime=0, source_size=0, source=None):
    """The bytes of a ``.pyc`` holding ``code`` (a :class:`Code`, or a ``CodeType`` of the
    running interpreter). Hash-based modes hash ``source`` (bytes) as importlib does."""
    if isinstance(code, _types.CodeType):
        code = _from_codetype(code, host_release())
    mode = getattr(invalidation_mode, "name", invalidation_mode)
    mode = str(mode).lower().replace("_", "-")
    source_hash = None
    if mode != "timestamp":
        if source is None:
            raise ValueError("hash-based .pyc files need the source")
        source_hash = _native.source_hash(bytes(source), code.release)
    return _native.dump_pyc(code, mode, mtime, source_size, source_hash)


def verify(x):
    """The rules CPython's interpreter would rely on that ``x`` breaks (a :class:`Code`, a
    ``CodeType`` of the running interpreter, or ``.pyc`` bytes), one string each: code object,
    offset, rule, detail. An empty list means the code's release can run it safely as far as
    pycode's verifier checks (opcodes, operands, jumps, stack depth, exception and line tables,
    locals, flags)."""
    if isinstance(x, (bytes, bytearray, memoryview)):
        _, x = load_pyc(bytes(x))
    elif isinstance(x, _types.CodeType):
        x = _from_codetype(x, host_release())
    if not isinstance(x, Code):
        raise TypeError("verify() takes a pycode.Code, a code object or .pyc bytes")
    return _native.verify(x)


def dis(x, *, target=None, show_caches=False, adaptive=False, show_offsets=False, show_positions=False):
    """The text ``dis.dis(x)`` prints in release ``target``, for a :class:`Code`, a
    ``CodeType``, the bytes of a ``.pyc``, or source (``str``, compiled for ``target``).
    Frozenset constants are ordered as a 64-bit CPython with ``PYTHONHASHSEED=0`` orders them."""
    if adaptive:
        # The specialised instructions live in the running interpreter's code objects only: a
        # CodeType as it is now, or a Code of the running release as CPython would load it.
        if isinstance(x, Code):
            x = x.to_code()
        elif not isinstance(x, _types.CodeType):
            raise NotImplementedError("pycode.dis(adaptive=True) takes a code object of the running interpreter's release")
        release = _resolve(target)
        if not _is_host(release):
            raise ValueError("adaptive bytecode of CPython %d.%d cannot be shown as %s"
                             % (tuple(_sys.version_info[:2]) + (release,)))
        code = _adaptive_code(x, _from_codetype(x, release))
    elif isinstance(x, Code):
        code = x
    elif isinstance(x, _types.CodeType):
        code = _from_codetype(x, _resolve(target))
    elif isinstance(x, (bytes, bytearray, memoryview)):
        _, code = load_pyc(bytes(x))
    elif isinstance(x, str):
        code = _native.compile_code(_source_bytes(x), "<dis>", "exec", _resolve(target), 0)
    else:
        raise TypeError("don't know how to disassemble %s objects" % type(x).__name__)
    return _native.dis(code, show_caches, show_offsets, show_positions)


def _adaptive_code(live, code):
    """``code`` (``live`` as a :class:`Code`) with the bytecode of ``live``'s current adaptive
    (specialised) form (``_co_code_adaptive``, what ``dis(adaptive=True)`` shows), nested code
    objects included."""
    consts = tuple(_adaptive_code(c, mine) if isinstance(c, _types.CodeType) else mine
                   for c, mine in zip(live.co_consts, code.co_consts))
    return code.replace(co_code=live._co_code_adaptive, co_consts=consts)


from . import marshal, py_compile, compileall  # noqa: E402
