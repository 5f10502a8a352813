"""pycode.compile against the running interpreter's builtin compile over a tree of .py files.

    python python/tests/host_corpus.py DIR [--limit N]

Prints three counts over the files the interpreter compiles:
  raw     pycode's marshal data (Code.to_marshal) == marshal.dumps(compile(...)) of the builtin
  equal   pycode.compile(...) == compile(...) (code-object equality)
  dumps   marshal.dumps(pycode.compile(...)) == marshal.dumps(compile(...)): also needs the
          reference counts marshal's FLAG_REF bits follow to match after marshal.loads
and the first files that differ in `raw`.
"""
import gc
import marshal
import os
import sys
import warnings

import pycode


def main():
    # No argparse: a module imported here changes the reference counts of its strings, hence
    # marshal's FLAG_REF bits in the builtin compile of that module's source (argparse.py).
    argv = sys.argv[1:]
    limit = None
    if "--limit" in argv:
        i = argv.index("--limit")
        limit = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) != 1:
        sys.exit("usage: host_corpus.py DIR [--limit N]")
    root = argv[0]
    warnings.simplefilter("ignore")
    release = pycode.host_release()
    n = raw = equal = dumps = 0
    bad = []
    files = []
    for dp, dn, fn in os.walk(root):
        dn.sort()
        files += [os.path.join(dp, f) for f in sorted(fn) if f.endswith(".py")]
    for path in files[:limit]:
        rel = os.path.relpath(path, root)
        with open(path, "rb") as f:
            src = f.read()
        # Code objects of earlier files may linger in cyclic garbage and hold strings, which
        # changes reference counts (FLAG_REF): collect first, as a fresh py_compile would be.
        gc.collect()
        try:
            ref = compile(src, rel, "exec", dont_inherit=True)
        except Exception:
            continue
        n += 1
        try:
            mine = pycode._native.compile_code(src, rel, "exec", release, 0)
            got = pycode.compile(src, rel)
        except Exception as e:
            bad.append("%s: %s" % (rel, repr(e)[:100]))
            continue
        want = marshal.dumps(ref)
        if mine.to_marshal() == want:
            raw += 1
        else:
            bad.append(rel)
        equal += got == ref
        dumps += marshal.dumps(got) == want
    print("CPython %s (pycode target %s), %s: %d files" % (sys.version.split()[0], release, root, n))
    for name, k in (("raw", raw), ("equal", equal), ("dumps", dumps)):
        print("  %-6s %d/%d (%.1f%%)" % (name, k, n, 100.0 * k / max(n, 1)))
    for b in bad[:20]:
        print("  differs:", b)


if __name__ == "__main__":
    main()
