"""``Code.replace`` against ``CodeType.replace`` of every release pycode reads: the marshal data
of the replaced code object (or the error) that each real interpreter produced for the same
case, measured by replace_probe.py into replace/<release>.json."""

import builtins
import json
import os
import sys

import pytest

import pycode

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = sorted(f for f in os.listdir(os.path.join(HERE, "replace")) if f.endswith(".json"))
CASES = []
for name in FILES:
    with open(os.path.join(HERE, "replace", name)) as f:
        data = json.load(f)
    for case in data["cases"]:
        CASES.append((data["release"],) + tuple(case))


def test_case_count():
    # 8 releases (3.11.2, 3.11.7, 3.12.1, 3.12.7, 3.13.0, 3.13.2, 3.14.2, 3.15.0rc1), 33 cases each
    assert len(FILES) == 8
    assert len(CASES) == 8 * 33


def canonical(data):
    """The objects of marshal ``data`` as nested tuples, without what depends on the writer's
    reference counts: ``FLAG_REF`` bits, back references (replaced by what they name) and the
    choice among the str encodings. Code objects keep every field, ``co_localspluskinds`` too."""
    pos = 0
    refs = []

    def take(n):
        nonlocal pos
        if pos + n > len(data):
            raise ValueError("truncated marshal data")
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def i32():
        return int.from_bytes(take(4), "little", signed=True)

    def obj():
        code = take(1)[0]
        flag, t = code & 0x80, chr(code & 0x7F)
        if t == "r":
            return refs[i32()]
        slot = len(refs)
        if flag:
            refs.append(None)
        if t in "0NFTS.":
            v = (t,)
        elif t == "i":
            v = ("int", i32())
        elif t == "l":
            n = i32()
            v = ("long", n, take(2 * abs(n)))
        elif t == "g":
            v = ("float", take(8))
        elif t == "y":
            v = ("complex", take(16))
        elif t == "s":
            v = ("bytes", take(i32()))
        elif t in "tuaA":
            v = ("str", take(i32()), t in "tA")
        elif t in "zZ":
            v = ("str", take(take(1)[0]), t == "Z")
        elif t in ")([<>":
            n = take(1)[0] if t == ")" else i32()
            v = ("seq" if t in ")(" else t, tuple(obj() for _ in range(n)))
        elif t == "{":
            items = []
            while data[pos:pos + 1] != b"0":
                items.append((obj(), obj()))
            take(1)
            v = ("dict", tuple(items))
        elif t == ":":
            v = ("slice", obj(), obj(), obj())
        elif t == "c":
            head = tuple(i32() for _ in range(5))
            mid = tuple(obj() for _ in range(8))
            first = i32()
            v = ("code", head, mid, first, obj(), obj())
        else:
            raise ValueError("marshal type %r not handled here" % t)
        if flag:
            refs[slot] = v
        return v

    return obj()


def _changes(raw):
    """The keyword arguments of a case, with the str objects interned that were interned when
    CPython ran it."""
    interned = raw.get("__interned__", [])
    out = {}
    for k, v in raw.items():
        if k != "__interned__":
            out[k] = tuple(v) if isinstance(v, list) else sys.intern(v) if k in interned else v
    return out


@pytest.mark.parametrize("release,name,changes,before,after", CASES, ids=["%s %s" % (c[0], c[1]) for c in CASES])
def test_replace_matches_cpython(release, name, changes, before, after):
    code = pycode.marshal.loads(bytes.fromhex(before), release=release)
    assert code.to_marshal().hex() == before
    want = canonical(bytes.fromhex(after)) if not after.startswith("ERR ") else None
    if after.startswith("ERR "):
        cls, _, msg = after[4:].partition(": ")
        with pytest.raises(getattr(builtins, cls)) as e:
            code.replace(**_changes(changes))
        assert str(e.value) == msg
    else:
        assert canonical(code.replace(**_changes(changes)).to_marshal()) == want
