#!/usr/bin/env python3
"""Generate reference outputs with real CPython, one oracle process for many files.

usage: refs.py --release R --corpus C [--sample N] [--features pyc,dis,...] [--jobs K]

Oracles: 3.11.7 = native python3 3.11.7; 3.11.2 = Debian 12's /usr/bin/python3.11; 3.12.1 /
3.13.0 = /root/.pyenv installs (only where present); 3.12.7 / 3.13.2 / 3.14.2 / 3.15.0rc1 =
Pyodide 0.27.7 / 0.29.3 / 314.0.7 / 315.0.0-alpha.2 under node.
Native oracles run with PYTHONHASHSEED=0; Pyodide ones too (but 32-bit hashes there).

Layout (gitignored), for corpus C (a directory corpus/C made by oracle/fetch_corpus.py):
  oracle/work/<R>/<C>/files/<rel><suffix>      outputs (see oracle/features.py)
  oracle/work/<R>/<C>/status/<feature>.jsonl   one {"file", "status", "detail"} per line
  oracle/work/<R>/<C>/.fingerprint             oracle + corpus identity; a change wipes the dir
  oracle/work/<R>/<C>/status/<F>.fingerprint   feature F's own code; a change redoes F only
The co_filename of every compiled file is its path relative to the corpus root.
Generation is incremental: only (file, feature) pairs without a status are run. A file during
which the oracle process dies is recorded as `crash` and the oracle restarts after it.
"""

import argparse
import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# Resolved through symlinks (a git worktree links corpus/, oracle/work and node_modules to the
# main checkout's): Pyodide sees the host only under /host and cannot follow an absolute link,
# and the oracle's fingerprint must not depend on which checkout runs it (else every worktree
# would wipe the shared references).
CORPUS_ROOT = os.path.realpath(os.path.join(REPO, "corpus"))
WORK_ROOT = os.path.realpath(os.path.join(HERE, "work"))
DRIVER = os.path.join(HERE, "driver.py")
FEATURES_PY = os.path.join(HERE, "features.py")
PYODIDE_DRIVER = os.path.join(HERE, "pyodide_driver.mjs")
PYODIDE_NODE_MODULES = os.path.realpath(os.path.join(HERE, "pyodide", "node_modules"))

RELEASES = ("3.11.2", "3.11.7", "3.12.1", "3.12.7", "3.13.0", "3.13.2", "3.14.2", "3.15.0rc1")
PYODIDE_PACKAGES = {"3.12.7": "pyodide-0.27.7", "3.13.2": "pyodide-0.29.3", "3.14.2": "pyodide-314.0.7",
                    "3.15.0rc1": "pyodide-315.0.0-alpha.2"}
DEFAULT_FEATURES = ("pyc", "dis", "dis-C", "info", "ast", "error", "compileall")


class OracleError(Exception):
    pass


def log(msg):
    print("refs: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- oracles

def _native_exe(release):
    cands = []
    if release == "3.11.7":
        cands = [sys.executable, shutil.which("python3"), shutil.which("python3.11")]
    if release == "3.11.2":
        cands = ["/usr/bin/python3.11"]
    cands.append("/root/.pyenv/versions/%s/bin/python3" % release)
    for exe in cands:
        if not exe or not os.path.exists(exe):
            continue
        try:
            v = subprocess.run([exe, "-c", "import sys;print('%d.%d.%d'%sys.version_info[:3])"],
                               capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        if v == release:
            return exe
    return None


def oracle_for(release):
    """('native', exe) or ('pyodide', package_dir); raises OracleError when unavailable."""
    if release in PYODIDE_PACKAGES:
        pkg = os.path.join(PYODIDE_NODE_MODULES, PYODIDE_PACKAGES[release])
        if not os.path.isfile(os.path.join(pkg, "pyodide.mjs")):
            raise OracleError("Pyodide for %s missing: run `npm ci` in oracle/pyodide" % release)
        if not shutil.which("node"):
            raise OracleError("node not found (needed for the Pyodide oracle of %s)" % release)
        return ("pyodide", pkg)
    if release in RELEASES:
        exe = _native_exe(release)
        if exe is None:
            raise OracleError("no native CPython %s on this machine" % release)
        return ("native", exe)
    raise OracleError("unknown release %r (known: %s)" % (release, ", ".join(RELEASES)))


def oracle_is_pyodide(release):
    return release in PYODIDE_PACKAGES


# ---------------------------------------------------------------------------- corpus

def corpus_dir(corpus):
    """A corpus name is a directory under corpus/; `stdlib` means `stdlib-<release>` and is
    resolved by resolve_corpus."""
    return os.path.join(CORPUS_ROOT, corpus)


def resolve_corpus(release, corpus):
    return "stdlib-" + release if corpus == "stdlib" else corpus


_CHECKED_CORPORA = set()


def ensure_corpus(corpus):
    """Make corpus/C current: fetch_corpus.py compares its stamp with the source's fingerprint
    (cheap) and rebuilds a stale copy, e.g. corpus/invalid after corpus_invalid/ gained files."""
    d = corpus_dir(corpus)
    if corpus not in _CHECKED_CORPORA:
        subprocess.run([sys.executable, os.path.join(HERE, "fetch_corpus.py"), corpus], check=True)
        _CHECKED_CORPORA.add(corpus)
    return d


def corpus_files(corpus):
    d = ensure_corpus(corpus)
    out = []
    for dirpath, dirnames, filenames in os.walk(d):
        dirnames.sort()
        for name in filenames:
            if name.endswith(".py"):
                out.append(os.path.relpath(os.path.join(dirpath, name), d).replace(os.sep, "/"))
    out.sort()
    return out


def sample(files, n):
    """A deterministic sample of n files: the n smallest sha256(path). Adding files to a corpus
    only displaces members whose hash is larger, so samples stay mostly stable."""
    if n is None or n >= len(files):
        return list(files)
    keyed = sorted(files, key=lambda f: hashlib.sha256(f.encode("utf-8")).hexdigest())
    return sorted(keyed[:n])


# ---------------------------------------------------------------------------- references

def work_dir(release, corpus):
    return os.path.join(WORK_ROOT, release, corpus)


def _features_parts():
    """Split oracle/features.py into the code every feature shares and each feature's own
    function (keyed by feature name), so that adding or changing one feature only invalidates
    that feature's references."""
    with open(FEATURES_PY, encoding="utf-8") as f:
        src = f.read()
    lines = src.splitlines(keepends=True)
    common, own = [], {}
    for node in ast.parse(src).body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "".join(lines[first - 1:node.end_lineno])
        name = None
        for d in getattr(node, "decorator_list", []):
            if (isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "feature"
                    and d.args and isinstance(d.args[0], ast.Constant)):
                name = d.args[0].value
        if name is None:
            common.append(text)
        else:
            own[name] = text
    return "".join(common), own


def _fingerprint(release, corpus):
    """Identity of the oracle (drivers, the shared part of features.py, the interpreter) and of
    the corpus; a change wipes the whole work directory."""
    h = hashlib.sha256()
    for p in (DRIVER, PYODIDE_DRIVER):
        with open(p, "rb") as f:
            h.update(f.read())
    h.update(_features_parts()[0].encode("utf-8"))
    kind, where = oracle_for(release)
    h.update(("%s:%s:%s\n" % (release, kind, where)).encode())
    with open(os.path.join(corpus_dir(corpus), ".complete"), "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def _refresh_feature_fingerprints(wdir, features):
    """Forget the references of a feature whose own code in features.py changed."""
    own = _features_parts()[1]
    sdir = os.path.join(wdir, "status")
    os.makedirs(sdir, exist_ok=True)
    for feat in features:
        fp = hashlib.sha256(own.get(feat, "").encode("utf-8")).hexdigest()
        fp_path = os.path.join(sdir, feat + ".fingerprint")
        old = None
        if os.path.isfile(fp_path):
            with open(fp_path, encoding="utf-8") as f:
                old = f.read().strip()
        if old != fp:
            status = os.path.join(sdir, feat + ".jsonl")
            if os.path.isfile(status):
                log("oracle feature %s changed: redoing its references" % feat)
                os.unlink(status)
            with open(fp_path, "w", encoding="utf-8") as f:
                f.write(fp + "\n")


def load_status(release, corpus, feature):
    """{rel: (status, detail)} for a feature (later lines win)."""
    path = os.path.join(work_dir(release, corpus), "status", feature + ".jsonl")
    out = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    rec = json.loads(line)
                    out[rec["file"]] = (rec["status"], rec["detail"])
    return out


def output_path(release, corpus, rel, suffix):
    return os.path.join(work_dir(release, corpus), "files", rel + suffix)


class _StatusWriter:
    def __init__(self, wdir, features):
        os.makedirs(os.path.join(wdir, "status"), exist_ok=True)
        self.files = {f: open(os.path.join(wdir, "status", f + ".jsonl"), "a", encoding="utf-8")
                      for f in features}
        self.lock = threading.Lock()

    def record(self, rel, results):
        with self.lock:
            for feat, (status, detail) in results.items():
                fh = self.files[feat]
                fh.write(json.dumps({"file": rel, "status": status, "detail": detail}) + "\n")
                fh.flush()

    def close(self):
        for fh in self.files.values():
            fh.close()


def _oracle_cmd(release, job_path):
    kind, where = oracle_for(release)
    if kind == "native":
        return [where, "-s", "-X", "utf8", DRIVER, job_path]
    return ["node", PYODIDE_DRIVER, where, DRIVER, job_path]


def _oracle_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


# Features that write .pyc files run in oracle processes of their own. marshal's FLAG_REF bits
# follow reference counts, and a process that has unmarshalled code (dis, info, tables) or
# imported modules keeps interned strings alive that a fresh `python -m py_compile` would not
# have: measured on 3.13.2, imaplib.py's class qualnames lost FLAG_REF after the dis features
# had loaded the same file. A process that only compiles (collecting garbage in between, see
# f_pyc in features.py) writes what a fresh one does.
COMPILE_FEATURES = ("pyc", "pyc-O1", "pyc-O2")


def _run_chunk_groups(release, corpus, files, features, writer, errors):
    """`_run_chunk` once for the .pyc features and once for the rest, in separate processes.
    A native interpreter starts in milliseconds, so there the .pyc features get a fresh process
    per file, exactly `python -m py_compile FILE`: 3.11 keeps one-character strings (cached
    singletons) alive once any compile used them, so even a process that only compiles differs
    from a fresh one in FLAG_REF bits (measured on the 3.11.7 stdlib + tests: 101 of 103 files)."""
    compiling = [f for f in features if f in COMPILE_FEATURES]
    rest = [f for f in features if f not in COMPILE_FEATURES]
    if compiling:
        if oracle_for(release)[0] == "native":
            for f in files:
                _run_chunk(release, corpus, [f], compiling, writer, errors)
        else:
            _run_chunk(release, corpus, files, compiling, writer, errors)
    if rest:
        _run_chunk(release, corpus, files, rest, writer, errors)


def _run_chunk(release, corpus, files, features, writer, errors):
    """Run one oracle process over `files`, restarting after a file that kills it."""
    kind, _ = oracle_for(release)
    prefix = "/host" if kind == "pyodide" else ""
    wdir = work_dir(release, corpus)
    pending = list(files)
    while pending:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as jf:
            json.dump({"root": prefix + corpus_dir(corpus), "out": prefix + os.path.join(wdir, "files"),
                       "files": pending, "features": list(features),
                       "features_py": prefix + FEATURES_PY}, jf)
            job_path = jf.name
        try:
            with tempfile.TemporaryFile("w+", encoding="utf-8") as errf:
                proc = subprocess.Popen(_oracle_cmd(release, job_path), stdout=subprocess.PIPE,
                                        stderr=errf, env=_oracle_env(), text=True, encoding="utf-8")
                current, done, ended = None, 0, False
                for line in proc.stdout:
                    if line.startswith("@@BEGIN "):
                        current = int(line.split()[1])
                    elif line.startswith("@@FILE "):
                        rec = json.loads(line[len("@@FILE "):])
                        writer.record(rec["file"], rec["results"])
                        done = rec["i"] + 1
                        current = None
                    elif line.startswith("@@END"):
                        ended = True
                rc = proc.wait()
                errf.seek(0)
                err_tail = errf.read()[-2000:]
        finally:
            os.unlink(job_path)
        if ended and rc == 0:
            return
        if current is None:
            errors.append("oracle %s failed before file %d (rc=%s): %s" % (release, done, rc, err_tail))
            return
        rel = pending[current]
        log("oracle died on %s (rc=%s); recorded as crash, restarting" % (rel, rc))
        writer.record(rel, {f: ["crash", "oracle process died (rc=%s): %s" % (rc, err_tail)]
                            for f in features})
        pending = pending[current + 1:]


def ensure_refs(release, corpus, files, features, jobs=1):
    """Make sure every (file, feature) has a reference; return {feature: {rel: (status, detail)}}."""
    corpus = resolve_corpus(release, corpus)
    ensure_corpus(corpus)
    wdir = work_dir(release, corpus)
    fp = _fingerprint(release, corpus)
    fp_path = os.path.join(wdir, ".fingerprint")
    old = None
    if os.path.isfile(fp_path):
        with open(fp_path, encoding="utf-8") as f:
            old = f.read().strip()
    if old != fp:
        if os.path.isdir(wdir):
            log("oracle or corpus changed: wiping %s" % wdir)
            shutil.rmtree(wdir)
        os.makedirs(wdir)
        with open(fp_path, "w", encoding="utf-8") as f:
            f.write(fp + "\n")
    _refresh_feature_fingerprints(wdir, features)
    statuses = {feat: load_status(release, corpus, feat) for feat in features}
    todo = [rel for rel in files if any(rel not in statuses[feat] for feat in features)]
    if todo:
        missing = [feat for feat in features if any(rel not in statuses[feat] for rel in todo)]
        log("%s/%s: running the oracle on %d files for %s" % (release, corpus, len(todo), ",".join(missing)))
        writer = _StatusWriter(wdir, missing)
        errors = []
        try:
            jobs = max(1, min(jobs, len(todo)))
            chunks = [todo[k::jobs] for k in range(jobs)]
            threads = [threading.Thread(target=_run_chunk_groups,
                                        args=(release, corpus, c, missing, writer, errors))
                       for c in chunks]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            writer.close()
        if errors:
            raise OracleError("\n".join(errors))
        statuses = {feat: load_status(release, corpus, feat) for feat in features}
    return {feat: {rel: statuses[feat][rel] for rel in files if rel in statuses[feat]} for feat in features}


def main():
    ap = argparse.ArgumentParser(description="Generate CPython reference outputs.")
    ap.add_argument("--release", required=True, choices=RELEASES)
    ap.add_argument("--corpus", required=True, help="stdlib (= stdlib-<release>), stdlib-3.11.7, pypi, ...")
    ap.add_argument("--sample", type=int, default=None, help="deterministic sample of N files")
    ap.add_argument("--features", default=",".join(DEFAULT_FEATURES))
    ap.add_argument("--jobs", type=int, default=1, help="oracle processes in parallel")
    args = ap.parse_args()
    corpus = resolve_corpus(args.release, args.corpus)
    files = sample(corpus_files(corpus), args.sample)
    features = [f for f in args.features.split(",") if f]
    try:
        res = ensure_refs(args.release, corpus, files, features, jobs=args.jobs)
    except OracleError as e:
        sys.exit("refs: %s" % e)
    for feat in features:
        counts = {}
        for status, _ in res[feat].values():
            counts[status] = counts.get(status, 0) + 1
        print("%s %s %s: %s" % (args.release, corpus, feat,
                                " ".join("%s=%d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
