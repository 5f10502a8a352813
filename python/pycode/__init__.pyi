import ast
import types
from typing import Iterator, Optional, Tuple, Union

from . import compileall as compileall, marshal as marshal, py_compile as py_compile

__version__: str

class Code:
    """A code object of any CPython release pycode knows, read-only like CPython's."""
    @property
    def release(self) -> str: ...
    co_argcount: int
    co_posonlyargcount: int
    co_kwonlyargcount: int
    co_stacksize: int
    co_flags: int
    co_nlocals: int
    co_firstlineno: int
    co_code: bytes
    co_consts: tuple
    co_names: Tuple[str, ...]
    co_varnames: Tuple[str, ...]
    co_cellvars: Tuple[str, ...]
    co_freevars: Tuple[str, ...]
    co_filename: str
    co_name: str
    co_qualname: str
    co_linetable: bytes
    co_exceptiontable: bytes
    co_lnotab: bytes
    def co_lines(self) -> Iterator[Tuple[int, int, Optional[int]]]: ...
    def co_positions(self) -> Iterator[Tuple[Optional[int], Optional[int], Optional[int], Optional[int]]]: ...
    def exception_entries(self) -> list[Tuple[int, int, int, int, bool]]: ...
    def to_marshal(self) -> bytes: ...
    def to_code(self) -> types.CodeType: ...
    def replace(self, **changes: object) -> "Code": ...

class PycHeader:
    release: str
    magic_family: str
    flags: int
    invalidation_mode: str
    mtime: Optional[int]
    source_size: Optional[int]
    source_hash: Optional[bytes]

def releases() -> list[Tuple[str, bool]]: ...
def host_release() -> Optional[str]: ...
def parse(
    source: Union[str, bytes],
    filename: str = ...,
    mode: str = ...,
    *,
    type_comments: bool = ...,
    target: Optional[str] = ...,
) -> ast.AST: ...
def compile(
    source: Union[str, bytes],
    filename: Union[str, bytes],
    mode: str = "exec",
    *,
    target: Optional[str] = None,
    optimize: int = -1,
    dont_inherit: bool = False,
    flags: int = 0,
) -> Union[types.CodeType, Code, ast.AST]: ...
def load_pyc(data: bytes) -> Tuple[PycHeader, Code]: ...
def dump_pyc(
    code: Union[Code, types.CodeType],
    *,
    invalidation_mode: object = "timestamp",
    mtime: int = 0,
    source_size: int = 0,
    source: Optional[bytes] = None,
) -> bytes: ...
def dis(
    x: Union[Code, types.CodeType, bytes, str],
    *,
    target: Optional[str] = None,
    show_caches: bool = False,
    adaptive: bool = False,
    show_offsets: bool = False,
    show_positions: bool = False,
) -> str: ...
def verify(x: Union[Code, types.CodeType, bytes]) -> list[str]: ...
