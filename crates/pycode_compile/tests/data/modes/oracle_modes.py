"""Reference maker for the eval/single-mode fixtures, run INSIDE the release's CPython by
oracle/driver.py (see regen.py next to this file). It has the shape oracle/driver.py expects
of a features module (FEATURES, Rejected, NotApplicable, Ctx).

For a fixture `NAME.MODE.py` (MODE = eval or single) it writes `NAME.MODE.py.O<N>.marshal` =
`marshal.dumps(compile(source_bytes, "NAME.MODE.py", MODE, dont_inherit=True, optimize=N))`
for N = 0, 1, 2."""

import marshal
import sys
import warnings

FEATURES = {}


class Rejected(Exception):
    def __init__(self, detail, outputs=None):
        super().__init__(detail)
        self.detail = detail
        self.outputs = outputs or {}


class NotApplicable(Exception):
    pass


class Ctx:
    def __init__(self, rel, tmpdir):
        self.rel = rel
        self.tmpdir = tmpdir


def _modes(ctx):
    parts = ctx.rel.rsplit("/", 1)[-1].split(".")
    if len(parts) != 3 or parts[1] not in ("eval", "single", "exec") or parts[2] != "py":
        raise NotApplicable("fixture names are NAME.MODE.py")
    mode = parts[1]
    with open(ctx.rel, "rb") as f:
        src = f.read()
    out = {}
    for level in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if sys.version_info >= (3, 15):
                    # The code object referenced once while marshal writes it, as when
                    # 3.15's py_compile writes a module (root without FLAG_REF, measured);
                    # a local variable here holds a second reference.
                    out[".O%d.marshal" % level] = marshal.dumps(
                        compile(src, ctx.rel, mode, dont_inherit=True, optimize=level))
                    continue
                code = compile(src, ctx.rel, mode, dont_inherit=True, optimize=level)
            except SyntaxError as e:
                raise Rejected("%s: %s" % (type(e).__name__, e))
        out[".O%d.marshal" % level] = marshal.dumps(code)
    return out


FEATURES["modes"] = _modes
