"""Runs INSIDE CPython (native 3.12.1, or 3.12.7 in Pyodide through tools/pyodide_exec.mjs):
main(root, tag, name) writes `<name>.<tag>.O<N>.marshal` = `marshal.dumps(compile(source_bytes,
name, "exec", dont_inherit=True, optimize=N))` for N = 0, 1, 2 into root (see regen.py)."""
import marshal
import os
import sys
import warnings


def main(root, tag, name):
    os.chdir(root)
    with open(name, "rb") as f:
        src = f.read()
    for level in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(src, name, "exec", dont_inherit=True, optimize=level)
        with open("%s.%s.O%d.marshal" % (name, tag, level), "wb") as f:
            f.write(marshal.dumps(code))
    return "ok %s %s" % (tag, name)


if __name__ == "__main__":
    print(main(*sys.argv[1:]))
