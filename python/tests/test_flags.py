"""``pycode.compile(..., flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)`` against what each real
interpreter compiled (tla_probe.py → tla/<release>.json): the code objects, compared through
test_replace.canonical (marshal data without reference-count artefacts), or the SyntaxError."""

import json
import os

import pytest

import pycode
from test_replace import canonical

HERE = os.path.dirname(os.path.abspath(__file__))
FLAG = 0x2000
FILES = sorted(f for f in os.listdir(os.path.join(HERE, "tla")) if f.endswith(".json"))
CASES = []
for name in FILES:
    with open(os.path.join(HERE, "tla", name)) as f:
        data = json.load(f)
    for mode, src, result in data["cases"]:
        CASES.append((data["release"], mode, src, result))


def test_case_count():
    # 8 releases, 30 cases each
    assert len(FILES) == 8
    assert len(CASES) == 8 * 30


@pytest.mark.parametrize("release,mode,src,result", CASES, ids=["%s %s %r" % c[:3] for c in CASES])
def test_top_level_await_matches_cpython(release, mode, src, result):
    if result.startswith("ERR "):
        with pytest.raises(SyntaxError) as e:
            pycode.compile(src, "t.py", mode, target=release, flags=FLAG)
        got = "ERR %s: %s (%s, %s)" % (type(e.value).__name__, e.value.msg, e.value.lineno, e.value.offset)
        assert got == result
        return
    code = pycode.compile(src, "t.py", mode, target=release, flags=FLAG)
    if not isinstance(code, pycode.Code):
        code = pycode.marshal.loads(__import__("marshal").dumps(code), release=release)
    assert canonical(code.to_marshal()) == canonical(bytes.fromhex(result))
