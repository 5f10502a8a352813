"""Dump CPython's AST of each given .py file as one JSON line (for pycode_astjson).

Usage: python3 ast_to_json.py FILE... > out.jsonl   (each line: {"file":..., "ast":...} or {"file":..., "error":...})
Nodes are {"_": ClassName, "pos": [lineno, col, end_lineno, end_col] (if any), field: value...}.
Constants are tagged: {"t": "int", "v": "123"}, floats as repr, complex as [re, im] reprs,
str as a list of code points, bytes as a list of ints.
"""
import ast, json, sys

def const(v):
    if v is None: return {"t": "None"}
    if v is True: return {"t": "True"}
    if v is False: return {"t": "False"}
    if v is ...: return {"t": "Ellipsis"}
    if isinstance(v, int): return {"t": "int", "v": str(v)}
    if isinstance(v, float): return {"t": "float", "v": v.hex()}
    if isinstance(v, complex): return {"t": "complex", "v": [v.real.hex(), v.imag.hex()]}
    if isinstance(v, str): return {"t": "str", "v": [ord(c) for c in v]}
    if isinstance(v, bytes): return {"t": "bytes", "v": list(v)}
    if isinstance(v, tuple): return {"t": "tuple", "v": [const(x) for x in v]}
    if isinstance(v, frozenset): return {"t": "frozenset", "v": [const(x) for x in v]}
    raise TypeError(type(v))

def node(n):
    if isinstance(n, list):
        return [node(x) for x in n]
    if not isinstance(n, ast.AST):
        return n
    if not n._fields and not n._attributes:
        return type(n).__name__  # operators, contexts
    d = {"_": type(n).__name__}
    if hasattr(n, "lineno") and "lineno" in n._attributes:
        d["pos"] = [n.lineno, n.col_offset, n.end_lineno if n.end_lineno is not None else n.lineno,
                    n.end_col_offset if n.end_col_offset is not None else n.col_offset]
    for f in n._fields:
        v = getattr(n, f, None)
        if (type(n).__name__ in ("Constant", "MatchSingleton")) and f == "value":
            d[f] = const(v)
        elif isinstance(v, ast.AST) and not v._fields and not v._attributes:
            d[f] = type(v).__name__  # operators, contexts
        else:
            d[f] = node(v)
    return d

def main():
    for fn in sys.argv[1:]:
        try:
            with open(fn, "rb") as f:
                src = f.read()
            t = ast.parse(src, fn)
            print(json.dumps({"file": fn, "ast": node(t)}))
        except Exception as e:
            print(json.dumps({"file": fn, "error": repr(e)}))

if __name__ == "__main__":
    main()
