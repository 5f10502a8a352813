#!/usr/bin/env python3
"""References for the invalid-program corpus (corpus_invalid/): runs tools/invalid/oracle_features.py
inside each release's CPython (the oracle machinery of oracle/refs.py) and stores the outputs in
oracle/work/<release>/invalid-syntaxerr/files/<rel>.{syntaxerr,pycompile} (gitignored).

usage: tools/invalid/invalid_refs.py [--release R ...] [--force]
Incremental: a file already having both outputs is skipped unless --force.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "oracle"))
import refs  # noqa: E402

CORPUS = os.path.join(REPO, "corpus_invalid")
FEATURES_PY = os.path.join(HERE, "oracle_features.py")
RELEASES = ("3.11.2", "3.11.7", "3.12.7", "3.13.2", "3.14.2", "3.15.0rc1")
SUFFIXES = (".syntaxerr", ".pycompile")


def corpus_files():
    out = []
    for dirpath, dirnames, filenames in os.walk(CORPUS):
        dirnames.sort()
        for n in filenames:
            if n.endswith(".py"):
                out.append(os.path.relpath(os.path.join(dirpath, n), CORPUS).replace(os.sep, "/"))
    return sorted(out)


def out_dir(release):
    return os.path.join(refs.WORK_ROOT, release, "invalid-syntaxerr", "files")


def run(release, files):
    kind, _ = refs.oracle_for(release)
    prefix = "/host" if kind == "pyodide" else ""
    pending = list(files)
    while pending:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as jf:
            json.dump({"root": prefix + CORPUS, "out": prefix + out_dir(release), "files": pending,
                       "features": ["syntaxerr", "pycompile"], "features_py": prefix + FEATURES_PY}, jf)
            job = jf.name
        try:
            p = subprocess.Popen(refs._oracle_cmd(release, job), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=refs._oracle_env(), text=True)
            current, ended = None, False
            for line in p.stdout:
                if line.startswith("@@BEGIN "):
                    current = int(line.split()[1])
                elif line.startswith("@@FILE "):
                    current = None
                elif line.startswith("@@END"):
                    ended = True
            err = p.stderr.read()[-1500:]
            rc = p.wait()
        finally:
            os.unlink(job)
        if ended and rc == 0:
            return
        if current is None:
            sys.exit("oracle %s failed (rc=%s): %s" % (release, rc, err))
        rel = pending[current]
        print("refs: oracle %s died on %s; recorded as crash" % (release, rel), file=sys.stderr)
        for suf in SUFFIXES:
            path = os.path.join(out_dir(release), rel + suf)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("crash\n")
        pending = pending[current + 1:]


def main_for(release, files, force=False):
    todo = [f for f in files if force or not all(
        os.path.isfile(os.path.join(out_dir(release), f + s)) for s in SUFFIXES)]
    if todo:
        print("refs: %s: %d/%d files to run" % (release, len(todo), len(files)), file=sys.stderr)
        run(release, todo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--release", action="append", choices=RELEASES)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    files = corpus_files()
    for r in args.release or RELEASES:
        main_for(r, files, args.force)


if __name__ == "__main__":
    main()
