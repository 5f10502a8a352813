"""pycode.compile against the running interpreter's builtin compile over a tree of .py files.

    python python/tests/host_corpus.py DIR [--limit N] [--fresh]

Prints three counts over the files the interpreter compiles:
  raw     pycode's marshal data (Code.to_marshal) == marshal.dumps(compile(...)) of the builtin
  equal   pycode.compile(...) == compile(...) (code-object equality)
  dumps   marshal.dumps(pycode.compile(...)) == marshal.dumps(compile(...)): also needs the
          reference counts marshal's FLAG_REF bits follow to match after marshal.loads
and the first files that differ in `raw`.

marshal's FLAG_REF bits follow reference counts, so the builtin's own bytes depend on what the
process compiled before (identifiers an earlier file interned may still be alive, or immortal).
`--fresh` compiles each file in a new interpreter, as `python -m py_compile FILE` would.
"""
import gc
import marshal
import os
import subprocess
import sys
import warnings

import pycode


def check(path, rel, release):
    """(compiled by the builtin, raw, equal, dumps, error) for one file."""
    with open(path, "rb") as f:
        src = f.read()
    # Code objects of earlier files may linger in cyclic garbage and hold strings, which
    # changes reference counts (FLAG_REF): collect first.
    gc.collect()
    try:
        ref = compile(src, rel, "exec", dont_inherit=True)
    except Exception:
        return (False, False, False, False, None)
    try:
        mine = pycode._native.compile_code(src, rel, "exec", release, 0)
        got = pycode.compile(src, rel)
    except Exception as e:
        return (True, False, False, False, repr(e)[:100])
    want = marshal.dumps(ref)
    return (True, mine.to_marshal() == want, got == ref, marshal.dumps(got) == want, None)


def main():
    # No argparse: a module imported here changes the reference counts of its strings, hence
    # marshal's FLAG_REF bits in the builtin compile of that module's source (argparse.py).
    argv = sys.argv[1:]
    warnings.simplefilter("ignore")
    release = pycode.host_release()
    if argv[:1] == ["--one"]:
        print(repr(check(argv[1], argv[2], release)))
        return
    limit = None
    if "--limit" in argv:
        i = argv.index("--limit")
        limit = int(argv[i + 1])
        del argv[i:i + 2]
    fresh = "--fresh" in argv
    if fresh:
        argv.remove("--fresh")
    if len(argv) != 1:
        sys.exit("usage: host_corpus.py DIR [--limit N] [--fresh]")
    root = argv[0]
    n = raw = equal = dumps = 0
    bad = []
    files = []
    for dp, dn, fn in os.walk(root):
        dn.sort()
        files += [os.path.join(dp, f) for f in sorted(fn) if f.endswith(".py")]
    for path in files[:limit]:
        rel = os.path.relpath(path, root)
        if fresh:
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", path, rel],
                                 capture_output=True, text=True, check=True).stdout
            compiled, r, e, d, err = eval(out)
        else:
            compiled, r, e, d, err = check(path, rel, release)
        if not compiled:
            continue
        n += 1
        raw += r
        equal += e
        dumps += d
        if err is not None:
            bad.append("%s: %s" % (rel, err))
        elif not r:
            bad.append(rel)
    print("CPython %s (pycode target %s), %s%s: %d files" % (
        sys.version.split()[0], release, root, " (a fresh interpreter per file)" if fresh else "", n))
    for name, k in (("raw", raw), ("equal", equal), ("dumps", dumps)):
        print("  %-6s %d/%d (%.1f%%)" % (name, k, n, 100.0 * k / max(n, 1)))
    for b in bad[:20]:
        print("  differs:", b)


if __name__ == "__main__":
    main()
