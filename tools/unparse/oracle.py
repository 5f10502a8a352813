"""Annotation strings as CPython's compiler makes them under `from __future__ import annotations`
(Python/ast_unparse.c, *not* ast.unparse). Usage: oracle.py CASES.txt > OUT.tsv
Each case line is an expression E, compiled as `x: E` (or `def f(*args: E): pass` when E starts
with '*'); prints `E<TAB>text` with the stored string, or `E<TAB>!ErrorName` if compile() raises."""
import sys, warnings
warnings.simplefilter("ignore")
cases = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip() and not l.startswith("#")]
out = []
for e in cases:
    star = e.startswith("*")
    src = "from __future__ import annotations\n" + (f"def f(*args: {e}): pass\n" if star else f"x: {e}\n")
    try:
        ns = {}
        exec(compile(src, "<case>", "exec", dont_inherit=True), ns)
        ann = ns["f"].__annotations__["args"] if star else ns["__annotations__"]["x"]
        out.append(f"{e}\t{ann}")
    except Exception as ex:
        out.append(f"{e}\t!{type(ex).__name__}")
sys.stdout.write("\n".join(out) + "\n")
