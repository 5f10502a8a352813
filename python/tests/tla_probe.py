"""``compile(..., flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)`` measured in the running interpreter for
pycode's test (test_pycode_flags.py): each case is a mode, a source and the marshal data of the
code object (or the SyntaxError: class, message, line, offset).

Regenerate (one file per release; Pyodide builds run the same ``main``):
    for v in 3.11.7 3.12.1 3.13.0; do PYENV_VERSION=$v python3 tla_probe.py > tla/$v.json; done
    /usr/bin/python3.11 tla_probe.py > tla/3.11.2.json
    node ../../tools/pyodide_exec.mjs ../../oracle/pyodide/node_modules/pyodide-314.0.7 tla_probe.py > tla/3.14.2.json
    (and pyodide-0.27.7 → 3.12.7, pyodide-0.29.3 → 3.13.2, pyodide-315.0.0-alpha.2 → 3.15.0rc1)
"""
import json
import marshal
import sys

FLAG = 0x2000  # ast.PyCF_ALLOW_TOP_LEVEL_AWAIT

CASES = [
    ("exec", "await x\n"),
    ("exec", "y = await f(1)\nprint(y)\n"),
    ("exec", "async for i in a:\n    print(i)\nelse:\n    pass\n"),
    ("exec", "async with a as b, c:\n    print(b)\n"),
    ("exec", "r = [i async for i in a]\n"),
    ("exec", "r = [await i for i in a]\n"),
    ("exec", "r = {i: await i for i in a if await i}\n"),
    ("exec", "r = {i async for i in a}\n"),
    ("exec", "g = (i async for i in a)\n"),
    ("exec", "g = (await i for i in a)\n"),
    ("exec", "x = 1\n"),
    ("exec", "def f():\n    await x\n"),
    ("exec", "async def f():\n    await x\nawait f()\n"),
    ("exec", "f = lambda: await x\n"),
    ("exec", "class C:\n    await x\n"),
    ("exec", "class C:\n    r = [i async for i in a]\n"),
    ("exec", "def f():\n    return [i async for i in a]\n"),
    ("exec", "yield x\n"),
    ("exec", "await x\nyield y\n"),
    ("exec", "try:\n    await x\nexcept E:\n    await y\nfinally:\n    await z\n"),
    ("exec", "for i in await a:\n    async with b:\n        await i\n"),
    ("exec", "r = [[j async for j in i] for i in a]\n"),
    ("exec", "import asyncio\nawait asyncio.sleep(0)\n"),
    ("eval", "await x"),
    ("eval", "[i async for i in a]"),
    ("eval", "(i async for i in a)"),
    ("eval", "1 + 2"),
    ("single", "await x\n"),
    ("single", "async for i in a: print(i)\n"),
    ("single", "x = 1\n"),
]


def main(*args):
    out = []
    for mode, src in CASES:
        try:
            code = compile(src, "t.py", mode, flags=FLAG, dont_inherit=True)
            result = marshal.dumps(code).hex()
        except SyntaxError as e:
            result = "ERR %s: %s (%s, %s)" % (type(e).__name__, e.msg, e.lineno, e.offset)
        out.append([mode, src, result])
    v = sys.version_info
    release = "%d.%d.%d" % v[:3]
    if v.releaselevel != "final":
        release += {"alpha": "a", "beta": "b", "candidate": "rc"}[v.releaselevel] + str(v.serial)
    return json.dumps({"release": release, "cases": out}, indent=0)


if __name__ == "__main__":
    print(main())
