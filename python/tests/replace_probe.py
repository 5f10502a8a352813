"""What ``CodeType.replace`` returns, measured in the running interpreter, for pycode's
``Code.replace`` test (test_replace.py): each case is a code object, the changes, its marshal
data before and after (or the error ``replace`` raised).

Regenerate (one file per release; Pyodide builds run the same ``main``):
    for v in 3.11.7 3.12.1 3.13.0; do PYENV_VERSION=$v python3 replace_probe.py > replace/$v.json; done
    /usr/bin/python3.11 replace_probe.py > replace/3.11.2.json
    node ../../tools/pyodide_exec.mjs ../../oracle/pyodide/node_modules/pyodide-314.0.7 replace_probe.py > replace/3.14.2.json
    (and pyodide-0.27.7 → 3.12.7, pyodide-0.29.3 → 3.13.2, pyodide-315.0.0-alpha.2 → 3.15.0rc1)
"""
import marshal
import sys
src = '''
def f(a, b, *c, d, **e):
    x = 1
    def g():
        return a + x
    return g
def h():
    v = [y for y in range(3)]
    return v
'''
mod = compile(src, "m.py", "exec", dont_inherit=True)
mc = compile("r = [y for y in range(3)]\nclass K:\n    z = [w for w in range(2)]\ndef p(a, /, b, *, c):\n    return a\n", "n.py", "exec", dont_inherit=True)
K = [c for c in mc.co_consts if hasattr(c, "co_code") and c.co_name == "K"][0]
mc2 = compile("class K2:\n    z = [lambda: w for w in range(2)]\n", "k.py", "exec", dont_inherit=True)
K2 = [c for c in mc2.co_consts if hasattr(c, "co_code") and c.co_name == "K2"][0]
pf = [c for c in mc.co_consts if hasattr(c, "co_code") and c.co_name == "p"][0]
f = [c for c in mod.co_consts if hasattr(c, "co_code") and c.co_name == "f"][0]
h = [c for c in mod.co_consts if hasattr(c, "co_code") and c.co_name == "h"][0]
g = [c for c in f.co_consts if hasattr(c, "co_code")][0]
def info(c):
    import dis
    return (c.co_varnames, c.co_cellvars, c.co_freevars, c.co_nlocals, marshal.dumps(c).hex()[-200:])
cases = [
  ("f none", f, {}),
  ("f rename arg b", f, dict(co_varnames=("a","B","d","c","e","g"))),
  ("f rename cellarg a in varnames", f, dict(co_varnames=("A","b","d","c","e","g"))),
  ("f rename cellarg a in both", f, dict(co_varnames=("A","b","d","c","e","g"), co_cellvars=("A","x"))),
  ("f add varname", f, dict(co_varnames=("a","b","d","c","e","g","z"), co_nlocals=7)),
  ("f add varname no nlocals", f, dict(co_varnames=("a","b","d","c","e","g","z"))),
  ("f remove varname", f, dict(co_varnames=("a","b","d","c","e"), co_nlocals=5)),
  ("f reorder cells", f, dict(co_cellvars=("x","a"))),
  ("f add cellvar", f, dict(co_cellvars=("a","x","q"))),
  ("g add freevar", g, dict(co_freevars=("a","x","w"))),
  ("h none", h, {}),
  ("module comp none", mc, {}),
  ("module comp rename", mc, dict(co_varnames=tuple(n.upper() for n in mc.co_varnames))),
  ("module comp add", mc, dict(co_varnames=mc.co_varnames + ("q",), co_nlocals=len(mc.co_varnames) + 1)),
  ("class comp none", K, {}),
  ("class comp prepend", K, dict(co_varnames=("q",) + K.co_varnames, co_nlocals=len(K.co_varnames) + 1)),
  ("class comp drop first", K, dict(co_varnames=K.co_varnames[1:], co_nlocals=len(K.co_varnames) - 1)),
  ("class cellcomp none", K2, {}),
  ("class cellcomp prepend", K2, dict(co_varnames=("q",) + K2.co_varnames, co_nlocals=len(K2.co_varnames) + 1)),
  ("class cellcomp cells reversed", K2, dict(co_cellvars=tuple(reversed(K2.co_cellvars)))),
  ("class cellcomp add cell", K2, dict(co_cellvars=("zz",) + K2.co_cellvars)),
  ("posonly none", pf, {}),
  ("posonly rename", pf, dict(co_varnames=("A", "B", "C"))),
  ("posonly other fields", pf, dict(co_name="pp", co_firstlineno=9)),
  ("f cellvars only", f, dict(co_cellvars=("a", "x"))),
  ("f freevars empty", f, dict(co_freevars=())),
  ("posonly name not interned", pf, dict(co_name="".join(["p", "q"]), co_qualname="".join(["q", "q"]))),
  ("f negative nlocals", f, dict(co_nlocals=-1)),
  ("f negative flags", f, dict(co_flags=-1)),
  ("f negative firstlineno", f, dict(co_firstlineno=-2)),
  ("f huge stacksize", f, dict(co_stacksize=2 ** 31)),
  ("posonly varnames too small", pf, dict(co_kwonlyargcount=2)),
  ("h same varnames", h, dict(co_varnames=h.co_varnames)),
]
def main(*a):
    import json
    out = []
    for name, c, ch in cases:
        try:
            after = marshal.dumps(c.replace(**ch)).hex()
        except Exception as e:
            after = "ERR %s: %s" % (type(e).__name__, e)
        # which str arguments were interned objects (marshal writes that state for co_name etc.;
        # marshal's own type byte tells it without interning anything, as sys.intern would)
        shown = dict(ch, __interned__=[k for k, v in ch.items() if isinstance(v, str) and chr(marshal.dumps(v)[0] & 0x7F) in "ZAt"])
        out.append([name, shown, marshal.dumps(c).hex(), after])
    v = sys.version_info
    release = "%d.%d.%d" % v[:3]
    if v.releaselevel != "final":
        release += {"alpha": "a", "beta": "b", "candidate": "rc"}[v.releaselevel] + str(v.serial)
    return json.dumps({"release": release, "cases": out}, indent=0)
if __name__ == "__main__":
    print(main())
