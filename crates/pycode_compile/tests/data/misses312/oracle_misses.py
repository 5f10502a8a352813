"""Runs INSIDE CPython (native 3.11.x / 3.12.1 / 3.13.0, or Pyodide through tools/pyodide_exec.mjs):
main(root, tag, name) writes `<name>.<tag>.O<N>.marshal` = `marshal.dumps(compile(source_bytes,
name, "exec", dont_inherit=True, optimize=N))` for N = 0, 1, 2 (or only the level given) into
root (see regen.py), or
`<name>.<tag>.rejected` (the SyntaxError) when the release rejects the source."""
import marshal
import os
import sys
import warnings


def main(root, tag, name, level=None):
    os.chdir(root)
    with open(name, "rb") as f:
        src = f.read()
    # one level per process when given (3.13+: a code object of an earlier level still alive
    # keeps its qualnames interned, which changes how the next level's are written)
    for level in (0, 1, 2) if level is None else (int(level),):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                code = compile(src, name, "exec", dont_inherit=True, optimize=level)
            except SyntaxError as e:
                with open("%s.%s.rejected" % (name, tag), "w") as f:
                    f.write("%s: %s\n" % (type(e).__name__, e))
                return "rejected %s %s" % (tag, name)
        with open("%s.%s.O%d.marshal" % (name, tag, level), "wb") as f:
            f.write(marshal.dumps(code))
    return "ok %s %s" % (tag, name)


if __name__ == "__main__":
    print(main(*sys.argv[1:]))
