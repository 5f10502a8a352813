"""Print the symbol table of each file like pycode_symtable's `SymTable::dump` (oracle side)."""
import symtable, sys

def dump(t, depth, out):
    ind = "  " * depth
    name = "top" if depth == 0 else t.get_name()
    typ = t._table.type
    names = {0: "function", 1: "class", 2: "module", 3: "annotation", 4: "TypeVar bound", 5: "type alias", 6: "type parameters"}
    tname = names.get(typ, str(typ)) if isinstance(typ, int) else t.get_type()
    out.append(f"{ind}{tname} {name} line={t.get_lineno()} nested={t.is_nested()}")
    for n, f in t._table.symbols.items():
        out.append(f"{ind}  {n} {f:#x}")
    for c in t._table.children:
        dump(symtable._newSymbolTable(c, t._filename), depth + 1, out)

for fn in sys.argv[1:]:
    print("=== " + fn)
    try:
        src = open(fn, "rb").read()
        t = symtable.symtable(src, fn, "exec")
        out = []
        dump(t, 0, out)
        print("\n".join(out))
    except SyntaxError as e:
        print(f"ERROR {type(e).__name__} {e.msg} {e.lineno}")
    except RecursionError as e:
        print(f"ERROR RecursionError {e} 0")
