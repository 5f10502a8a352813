"""Module-level pseudo-instruction listing from CPython 3.12.1's codegen (before the CFG), in the
format `pycode_codegen`'s `cg_dump` example prints. Usage: python3.12 codegen_oracle.py [-O N] FILE...

Uses `_testinternalcapi.compiler_codegen(ast, filename, optimize)` (see 3.12's
Lib/test/support/bytecode_helper.py). Jump targets are instruction indices.
"""
import _testinternalcapi, ast, opcode, sys, types

PSEUDO = {v: k for k, v in opcode.opmap.items() if v >= 256}

def key_value(k):
    # u_consts is keyed by _PyCode_ConstantKey: (type, value[, marker]) or (keys, value) tuples.
    return k[1] if isinstance(k, tuple) else k

def r(v):
    if isinstance(v, types.CodeType):
        return f"<code {v.co_name}>"
    if isinstance(v, tuple):
        items = [r(x) for x in v]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(v, frozenset):
        return "frozenset({" + ", ".join(sorted(r(x) for x in v)) + "})" if v else "frozenset()"
    return repr(v)

def main():
    args = sys.argv[1:]
    opt = 0
    if args[:1] == ["-O"]:
        opt = int(args[1]); args = args[2:]
    for fn in args:
        print("=== " + fn)
        try:
            src = open(fn, "rb").read()
            t = ast.parse(src, fn)
            # compile() first: compiler_codegen crashes 3.12.1 on some invalid programs
            # ('return' outside function), compile() reports them.
            compile(t, fn, "exec", dont_inherit=True, optimize=opt)
            insts, meta = _testinternalcapi.compiler_codegen(t, fn, opt)
        except Exception as e:
            print(f"ERROR {type(e).__name__}: {getattr(e, 'msg', e)}")
            continue
        consts = sorted(meta["consts"].items(), key=lambda kv: kv[1])
        print("consts: " + "; ".join(r(key_value(k)) for k, _ in consts))
        for key in ("names", "varnames", "cellvars", "freevars"):
            items = sorted(meta[key].items(), key=lambda kv: kv[1])
            print(f"{key}: " + " ".join(k for k, _ in items))
        for i, (op, arg, *loc) in enumerate(insts):
            name = opcode.opname[op] if op < 256 else PSEUDO.get(op, str(op))
            print(f"{i} {name} {arg} {loc[0]} {loc[1]} {loc[2]} {loc[3]}")

main()
