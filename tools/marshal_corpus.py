#!/usr/bin/env python3
"""Round-trip corpus run for pycode_marshal: every .pyc that real CPython writes must come back
byte-identical from `read_pyc` -> `write_pyc`, and hash-based headers must hold our
`source_hash` of the source.

Steps, per release:
  1. sources: corpus/stdlib-<release> (oracle/fetch_corpus.py) plus corpus/pypi; for the Pyodide
     releases (whose stdlib zip has no test/) also the test/ tree of the nearest pyenv release.
  2. compile them with that release's own interpreter (native python3 / pyenv / Pyodide under
     node) into <out>/<release>/; one file in ten is written CHECKED_HASH, one in ten
     UNCHECKED_HASH, one in seven with optimize=2, the rest TIMESTAMP.
  3. run `cargo run --release -p pycode_marshal --example marshal_corpus -- <out>/<release>`.

usage: tools/marshal_corpus.py [--out DIR] [--no-compile] [RELEASE ...]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPUS = os.path.join(REPO, "corpus")
PYODIDE = {
    "3.12.7": "pyodide-0.27.7",
    "3.13.2": "pyodide-0.29.3",
    "3.14.2": "pyodide-314.0.7",
    "3.15.0rc1": "pyodide-315.0.0-alpha.2",
}
NATIVE = {
    "3.11.2": "/usr/bin/python3.11",
    "3.11.7": "python3",
    "3.12.1": "/root/.pyenv/versions/3.12.1/bin/python3",
    "3.13.0": "/root/.pyenv/versions/3.13.0/bin/python3",
}
EXTRA_TESTS = {"3.12.7": "3.12.1", "3.13.2": "3.13.0", "3.14.2": "3.13.0"}


def sources(release):
    roots = [os.path.join(CORPUS, "stdlib-" + release), os.path.join(CORPUS, "pypi")]
    extra = EXTRA_TESTS.get(release)
    if extra:
        roots.append(os.path.join(CORPUS, "stdlib-" + extra, "test"))
    out = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".py"):
                    out.append(os.path.join(dirpath, name))
    return out


def compile_release(release, out_dir):
    dest = os.path.join(os.path.abspath(out_dir), release)
    os.makedirs(dest, exist_ok=True)
    listfile = os.path.join(dest, "compile.tsv")
    with open(listfile, "w", encoding="utf-8") as f:
        for i, src in enumerate(sources(release)):
            rel = os.path.relpath(src, CORPUS)
            mode = "checked" if i % 10 == 3 else "unchecked" if i % 10 == 7 else "timestamp"
            if i % 7 == 5:
                mode += ",O2"
            f.write("%s\t%s\t%s\n" % (src, os.path.join(dest, rel + "c"), mode))
    script = os.path.join(HERE, "marshal_compile.py")
    if release in NATIVE:
        cmd = [NATIVE[release], script, listfile]
    else:
        pkg = os.path.join(REPO, "oracle", "pyodide", "node_modules", PYODIDE[release])
        cmd = ["node", os.path.join(HERE, "pyodide_exec.mjs"), pkg, script, listfile]
    res = subprocess.run(cmd, capture_output=True, text=True)
    print("%s: compile %s%s" % (release, res.stdout.strip(), res.stderr.strip()[-500:]),
          flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "oracle", "work", "marshal"))
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("releases", nargs="*", default=list(NATIVE) + list(PYODIDE))
    args = ap.parse_args()
    if not args.no_compile:
        for r in args.releases:
            compile_release(r, args.out)
    dirs = [os.path.join(args.out, r) for r in args.releases]
    return subprocess.run(["cargo", "run", "-q", "--release", "-p", "pycode_marshal",
                           "--example", "marshal_corpus", "--"] + dirs, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main())
