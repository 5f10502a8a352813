# Oracle side of the AST differential test: runs under a real CPython (native or Pyodide).
# usage: oracle_dump.py LIST OUT.jsonl [PREFIX]
# For every path in LIST (one a line; PREFIX is prepended to open it) writes one JSON line with
# what `python -m ast -a FILE` prints (ast.parse(src, type_comments=True) then
# ast.dump(include_attributes=True, indent=3)), or the error it raises.
import ast, json, sys

def main(argv):
    lst, out = argv[0], argv[1]
    prefix = argv[2] if len(argv) > 2 else ""
    paths = open(lst, encoding="utf-8").read().splitlines()
    with open(out, "w", encoding="utf-8") as w:
        for p in paths:
            rec = {"path": p}
            try:
                with open(prefix + p, "rb") as f:
                    src = f.read()
                tree = ast.parse(src, p, "exec", type_comments=True)
                rec["ok"] = True
                rec["dump"] = ast.dump(tree, include_attributes=True, indent=3)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
                rec["ok"] = False
                rec["error"] = "%s: %s (%s:%s)" % (type(e).__name__, getattr(e, "msg", str(e)),
                                                   getattr(e, "lineno", 0), getattr(e, "offset", 0))
            w.write(json.dumps(rec, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    main(sys.argv[1:])
