#!/usr/bin/env python3
"""Conformance runner: compare pycode with real CPython on a corpus, write/check a snapshot.

usage: run.py --release R --feature F [--corpus C] [--sample N] [--check] [--pycode PATH] [--jobs K]

For every corpus file in scope, runs the pycode command of feature F (conformance/features.py)
and compares its output with the reference made by real CPython R (oracle/refs.py, generated on
demand). Writes conformance/<R>/<F>-<C>[-sample<N>].txt:

    matched N/M (P%)
    <failing file path>        (sorted; "  (oracle crashed)" when CPython itself failed)

--check: do not write; exit 1 when the fresh snapshot differs from the committed one (so both
regressions and improvements show up in review). Unified diffs of each failing file go to
oracle/work/<R>/<C>/diffs/<F>/ for inspection.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "oracle"))
sys.path.insert(0, HERE)

import refs  # noqa: E402  (oracle/refs.py)
import floors  # noqa: E402  (conformance/floors.py)
from features import FEATURES  # noqa: E402  (conformance/features.py)

TIMEOUT = 120  # seconds per pycode invocation

# code names may contain spaces, e.g. "<generic parameters of X>"
_ADDR = re.compile(r"(<code object .*? at )0x[0-9a-fA-F]+(?=, file )")


def _skip_string(s, i):
    """s[i] is a quote; return the index after the closing quote (handles escapes and
    triple quotes as repr() writes them)."""
    q = s[i]
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == q:
            return j + 1
        j += 1
    return j


def _split_top(s):
    """Split a repr body at top-level ', ' (outside brackets and strings)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c in "'\"":
            i = _skip_string(s, i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0 and s.startswith(", ", i):
            parts.append(s[start:i])
            start = i + 2
            i += 2
            continue
        i += 1
    parts.append(s[start:])
    return parts


_ID_HASHED = re.compile(r"\b(None|Ellipsis)\b")


def normalise_frozensets(text, only_id_hashed=False):
    """Sort the elements inside every `frozenset({...})` (innermost first); with
    `only_id_hashed`, only those whose elements mention None or Ellipsis. Iterative scan,
    no recursion on input depth."""
    out = []
    i = 0
    key = "frozenset({"
    stack = []  # positions in `out` where a frozenset body starts
    while i < len(text):
        if text.startswith(key, i):
            out.append(key)
            stack.append(len(out))
            i += len(key)
            continue
        c = text[i]
        if c in "'\"" and stack:
            j = _skip_string(text, i)
            out.append(text[i:j])
            i = j
            continue
        if stack and text.startswith("})", i):
            start = stack.pop()
            body = "".join(out[start:])
            del out[start:]
            if only_id_hashed and not _ID_HASHED.search(body):
                out.append(body)
            else:
                out.append(", ".join(sorted(_split_top(body))))
            out.append("})")
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def normalise(text, pyodide, release):
    """The permitted differences. Frozenset order: fully when the reference is from Pyodide
    (32-bit hashes); on 3.11 also where None/Ellipsis take part, because 3.11 hashes them by
    address, which changes from run to run even with PYTHONHASHSEED=0."""
    text = _ADDR.sub(r"\g<1>0x?", text)
    if "frozenset({" in text and (pyodide or release.startswith("3.11.")):
        only = not pyodide
        text = "\n".join(normalise_frozensets(line, only) for line in text.split("\n"))
    return text


def _read(path, binary=False):
    with open(path, "rb") as f:
        data = f.read()
    return data if binary else data.decode("utf-8", "surrogateescape")


def default_pycode():
    tdir = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    if not os.path.isabs(tdir):
        tdir = os.path.join(REPO, tdir)
    return os.path.join(tdir, "release", "pycode")


def _find_pyc(root):
    found = []
    for dirpath, _, names in os.walk(root):
        found += [os.path.join(dirpath, n) for n in names if n.endswith(".pyc")]
    return found[0] if len(found) == 1 else None


def check_file(release, corpus, rel, spec, statuses, pycode, pyodide):
    """Return None when pycode matches, "" when the file is out of scope, a short reason
    string for failures without a diff, else (reason, got, want, stderr)."""
    sts = [statuses[r][rel][0] for r in spec["refs"]]
    if "crash" in sts:
        return "oracle crashed"
    if "n/a" in sts:
        return ""
    compare = spec["compare"]
    rejected = "rejected" in sts
    if rejected and compare != "text-or-error":
        return ""
    with tempfile.TemporaryDirectory(prefix="pycode-conf-") as tmp:
        subst = {"release": release, "src": rel, "tmp": tmp,
                 "set_order": "32" if pyodide else "64",
                 "pyc": refs.output_path(release, corpus, rel, ".pyc"),
                 "tspyc": refs.output_path(release, corpus, rel, ".ts.pyc"),
                 "pyc_O1": refs.output_path(release, corpus, rel, ".O1.pyc"),
                 "tspyc_O1": refs.output_path(release, corpus, rel, ".O1.ts.pyc"),
                 "pyc_O2": refs.output_path(release, corpus, rel, ".O2.pyc"),
                 "tspyc_O2": refs.output_path(release, corpus, rel, ".O2.ts.pyc")}
        env = dict(os.environ)
        for k, v in spec.get("env", {}).items():
            env[k] = v.format(**subst)
        # `argv`, then (when it succeeded) the optional second command `then`; the last one run
        # is what is compared.
        for step in [spec["argv"]] + ([spec["then"]] if "then" in spec else []):
            argv = [pycode] + [a.format(**subst) for a in step]
            try:
                p = subprocess.run(argv, cwd=refs.corpus_dir(corpus), env=env, capture_output=True,
                                   timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                return "timeout"
            except OSError as e:
                return "cannot run pycode: %s" % e
            if p.returncode != 0:
                break
        out = p.stdout
        if spec.get("output") == "tmp-pyc":
            pyc = _find_pyc(tmp)
            out = _read(pyc, binary=True) if pyc else b""
    err = p.stderr.decode("utf-8", "surrogateescape")
    if compare == "status":
        return None if p.returncode == 0 else ("exit %d" % p.returncode, out.decode("utf-8", "replace"), "", p.stderr)
    if compare == "bytes":
        want = _read(refs.output_path(release, corpus, rel, spec["expect"]), binary=True)
        if p.returncode == 0 and out == want:
            return None
        return ("exit %d" % p.returncode, out, want, p.stderr)
    got = normalise(out.decode("utf-8", "surrogateescape"), pyodide, release)
    if compare in ("status-stderr", "streams"):
        want = normalise(_read(refs.output_path(release, corpus, rel, spec["expect"])), pyodide, release)
        if compare == "streams":
            got = "exit %d\n--- stdout\n%s--- stderr\n%s" % (p.returncode, got, normalise(err, pyodide, release))
        else:
            got = "exit %d\n%s" % (p.returncode, normalise(err, pyodide, release))
        return None if got == want else ("mismatch", got, want, b"")
    if rejected:
        want = _read(refs.output_path(release, corpus, rel, spec["expect_error"])).rstrip()
        if p.returncode != 0 and err.rstrip().endswith(want):
            return None
        return ("expected an error", err, want, b"")
    want = normalise(_read(refs.output_path(release, corpus, rel, spec["expect"])), pyodide, release)
    if p.returncode == 0 and got == want:
        return None
    return ("exit %d" % p.returncode, got, want, p.stderr)


def _write_diff(path, rel, result):
    reason, got, want, stderr = result
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(got, bytes) or isinstance(want, bytes):
        got_s = got.hex() if isinstance(got, bytes) else got
        want_s = want.hex() if isinstance(want, bytes) else want
        got_l = [got_s[i:i + 64] + "\n" for i in range(0, len(got_s), 64)]
        want_l = [want_s[i:i + 64] + "\n" for i in range(0, len(want_s), 64)]
    else:
        got_l, want_l = got.splitlines(True), want.splitlines(True)
    diff = list(difflib.unified_diff(want_l, got_l, "cpython/" + rel, "pycode/" + rel, n=2))
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("# %s\n" % reason)
        if stderr:
            f.write("# pycode stderr: %s\n" % stderr.decode("utf-8", "replace")[-1500:].replace("\n", "\n# "))
        f.writelines(diff[:400])


def snapshot_path(release, feature, corpus_name, n):
    name = "%s-%s%s.txt" % (feature, corpus_name, "" if n is None else "-sample%d" % n)
    return os.path.join(HERE, release, name)


def run(release, feature, corpus_name, n, pycode, jobs, oracle_jobs):
    spec = FEATURES[feature]
    corpus = refs.resolve_corpus(release, corpus_name)
    files = refs.sample(refs.corpus_files(corpus), n)
    statuses = refs.ensure_refs(release, corpus, files, spec["refs"], jobs=oracle_jobs)
    pyodide = refs.oracle_is_pyodide(release)
    diff_dir = os.path.join(refs.work_dir(release, corpus), "diffs", feature)
    if os.path.isdir(diff_dir):
        for dirpath, _, names in os.walk(diff_dir, topdown=False):
            for name in names:
                os.unlink(os.path.join(dirpath, name))
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        results = list(ex.map(lambda rel: check_file(release, corpus, rel, spec, statuses, pycode, pyodide),
                              files))
    matched, failing = 0, []
    for rel, res in zip(files, results):
        if res is None:
            matched += 1
        elif res == "":
            continue
        elif isinstance(res, str):
            failing.append("%s  (%s)" % (rel, res))
        else:
            failing.append(rel)
            _write_diff(os.path.join(diff_dir, rel + ".diff"), rel, res)
    total = matched + len(failing)
    pct = 100.0 * matched / total if total else 0.0
    lines = ["matched %d/%d (%.1f%%)" % (matched, total, pct)] + sorted(failing)
    return "\n".join(lines) + "\n", diff_dir


def snapshot(release, feature, corpus, n, pycode, jobs=2, oracle_jobs=2, check=False, out=sys.stdout):
    """Compute one snapshot; write it, or with `check` compare it with the committed one.
    The fresh count is also judged against its floor (conformance/floors.txt), whatever the
    snapshot file says. Returns "passed", "failed" (differs from the committed snapshot in
    check mode, or below its floor) or "not-implemented" (marked so in floors.txt; never
    counted as passing)."""
    text, diff_dir = run(release, feature, corpus, n, pycode, jobs, oracle_jobs)
    path = snapshot_path(release, feature, corpus, n)
    rel_path = os.path.relpath(path, REPO)
    out.write("%s %s %s%s: %s   (diffs: %s)\n" % (
        release, feature, corpus, "" if n is None else " sample %d" % n,
        text.split("\n", 1)[0], os.path.relpath(diff_dir, REPO)))
    floor_status, floor_msgs = floors.judge(os.path.relpath(path, HERE).replace(os.sep, "/"), text)
    for msg in floor_msgs:
        out.write("floors: %s\n" % msg)
    status = {"below": "failed", floors.NOT_IMPLEMENTED: "not-implemented"}.get(floor_status, "passed")
    if check:
        old = _read(path) if os.path.isfile(path) else ""
        if old != text:
            out.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                rel_path + " (committed)", rel_path + " (now)"))
            out.write("run.py: %s differs from this run (update it: same command without --check)\n"
                      % rel_path)
            return "failed"
        return status
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    out.write("wrote %s\n" % rel_path)
    if status == "failed":
        out.write("run.py: %s is below its floor in conformance/floors.txt: this is a regression\n" % rel_path)
    return status


def main():
    ap = argparse.ArgumentParser(description="Compare pycode with real CPython on a corpus.")
    ap.add_argument("--release", required=True, choices=refs.RELEASES)
    ap.add_argument("--feature", required=True, choices=sorted(FEATURES))
    ap.add_argument("--corpus", default="stdlib", help="stdlib (that release's), stdlib-3.11.7, pypi, ...")
    ap.add_argument("--sample", type=int, default=None, metavar="N")
    ap.add_argument("--check", action="store_true", help="compare with the committed snapshot")
    ap.add_argument("--pycode", default=default_pycode())
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--oracle-jobs", type=int, default=2)
    args = ap.parse_args()

    if not os.path.isfile(args.pycode):
        sys.exit("run.py: no pycode binary at %s (cargo build --release -p pycode_cli)" % args.pycode)
    try:
        status = snapshot(args.release, args.feature, args.corpus, args.sample, args.pycode,
                          args.jobs, args.oracle_jobs, args.check)
    except refs.OracleError as e:
        sys.exit("run.py: %s" % e)
    return 1 if status == "failed" else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
