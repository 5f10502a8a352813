#!/usr/bin/env python3
"""Parse+convert throughput of pycode_parse versus CPython's own `ast.parse`, on the same files in
the same run. usage: bench.py [--pyast BIN] [--python PY] [--root DIR] [--target 3.11]

Default corpus: the native CPython 3.11 stdlib (incl. test/), files that 3.11 parses. Both sides
read all files first and time only parsing (best of 3); CPython's number includes building the
Python `ast` objects, pycode's includes decoding and building `pycode_ast` nodes."""
import argparse, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))

CPY = r'''
import ast, sys, time, warnings
warnings.simplefilter("ignore")
files = [open(p, "rb").read() for p in open(sys.argv[1]).read().splitlines()]
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    for src in files:
        ast.parse(src, type_comments=True)
    best = min(best, time.perf_counter() - t)
print(sum(map(len, files)) / best / 1e6)
'''

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyast")
    ap.add_argument("--python", default="/root/.pyenv/versions/3.11.7/bin/python3")
    ap.add_argument("--root", default="/root/.pyenv/versions/3.11.7/lib/python3.11")
    ap.add_argument("--target", default="3.11")
    args = ap.parse_args()
    pyast = args.pyast
    if pyast is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "pycode_parse", "--example", "pyast"], check=True, cwd=REPO)
        pyast = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "examples", "pyast")
    files = []
    for d, dirs, fs in os.walk(args.root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".py")]
    # Keep the files CPython accepts, so both sides do the same work.
    check = subprocess.run([args.python, "-c", "import ast,sys,warnings\nwarnings.simplefilter('ignore')\nfor p in sys.stdin.read().splitlines():\n    try: ast.parse(open(p,'rb').read(), type_comments=True); print(p)\n    except Exception: pass"],
                           input="\n".join(files), capture_output=True, text=True, check=True)
    files = check.stdout.splitlines()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(files) + "\n")
        lst = f.name
    cpy = float(subprocess.run([args.python, "-c", CPY, lst], capture_output=True, text=True, check=True).stdout)
    out = subprocess.run([pyast, "--target", args.target, "--bench", lst], capture_output=True, text=True, check=True).stdout
    mine = float(out.split()[0])
    total = sum(os.path.getsize(p) for p in files)
    print("corpus: %d files, %.1f MB (%s)" % (len(files), total / 1e6, args.root))
    print("CPython ast.parse: %.1f MB/s" % cpy)
    print("pycode_parse:      %.1f MB/s" % mine)
    print("ratio:             %.1fx" % (mine / cpy))
    os.remove(lst)

if __name__ == "__main__":
    main()
