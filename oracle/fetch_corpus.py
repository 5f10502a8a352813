#!/usr/bin/env python3
"""Fetch the conformance corpora into <repo>/corpus/ (gitignored). Idempotent.

Corpora (each a directory of .py files under corpus/<name>/):

  stdlib-3.11.7   the native python3 3.11.7 standard library, including test/
                  (site-packages excluded)
  stdlib-3.11.2   Debian 12's /usr/bin/python3.11 (3.11.2) standard library (it has no test/
                  package beyond test.support and regrtest)
  stdlib-3.12.7   python_stdlib.zip of Pyodide 0.27.7   (needs `npm ci` in oracle/pyodide)
  stdlib-3.13.2   python_stdlib.zip of Pyodide 0.29.3
  stdlib-3.14.2   python_stdlib.zip of Pyodide 314.0.7
  stdlib-3.15.0rc1  python_stdlib.zip of Pyodide 315.0.0-alpha.2
  stdlib-3.12.1   /root/.pyenv/versions/3.12.1 stdlib (only where that install exists)
  stdlib-3.13.0   /root/.pyenv/versions/3.13.0 stdlib (only where that install exists)
  pypi            the wheels pinned in oracle/packages.txt, one directory per name-version

A corpus is complete when its `.complete` stamp holds the fingerprint of what it was made
from; a corpus whose stamp is missing or stale is rebuilt from scratch.

usage: fetch_corpus.py [--root DIR] [CORPUS ...]      (default: every corpus available here)
"""

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYODIDE_DIR = os.path.join(HERE, "pyodide", "node_modules")

# release -> pyodide npm alias (see oracle/pyodide/package.json)
PYODIDE_PACKAGES = {
    "3.12.7": "pyodide-0.27.7",
    "3.13.2": "pyodide-0.29.3",
    "3.14.2": "pyodide-314.0.7",
    "3.15.0rc1": "pyodide-315.0.0-alpha.2",
}
PYENV_RELEASES = ("3.12.1", "3.13.0")
ALL_CORPORA = ["stdlib-3.11.7", "stdlib-3.11.2"] + ["stdlib-" + r for r in PYODIDE_PACKAGES] + \
    ["stdlib-" + r for r in PYENV_RELEASES] + ["pypi"]


def log(msg):
    print("fetch_corpus: " + msg, file=sys.stderr, flush=True)


def native_3117_stdlib():
    """The stdlib directory of a python 3.11.7 interpreter: this one, or `python3` on PATH."""
    if sys.version_info[:3] == (3, 11, 7):
        return sysconfig.get_paths()["stdlib"]
    for exe in ("python3", "python3.11", "/root/.pyenv/versions/3.11.7/bin/python3"):
        try:
            out = subprocess.run(
                [exe, "-c", "import sys,sysconfig;print(sys.version_info[:3]==(3,11,7));"
                            "print(sysconfig.get_paths()['stdlib'])"],
                capture_output=True, text=True, check=True).stdout.split("\n")
        except (OSError, subprocess.CalledProcessError):
            continue
        if out[0] == "True":
            return out[1]
    return None


def native_3112_stdlib():
    """The stdlib directory of Debian 12's python3.11 (3.11.2), where that package is installed."""
    exe = "/usr/bin/python3.11"
    try:
        out = subprocess.run(
            [exe, "-I", "-c", "import sys,sysconfig;print(sys.version_info[:3]==(3,11,2));"
                              "print(sysconfig.get_paths()['stdlib'])"],
            capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return None
    return out[1] if out[0] == "True" else None


def pyenv_stdlib(release):
    major_minor = ".".join(release.split(".")[:2])
    path = "/root/.pyenv/versions/%s/lib/python%s" % (release, major_minor)
    return path if os.path.isdir(path) else None


def copy_tree_py(src_root, dst_root, skip_top=("site-packages",)):
    n = 0
    for dirpath, dirnames, filenames in os.walk(src_root):
        rel_dir = os.path.relpath(dirpath, src_root)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in skip_top]
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            src = os.path.join(dirpath, name)
            if not os.path.isfile(src):
                continue
            dst = os.path.normpath(os.path.join(dst_root, rel_dir, name))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            n += 1
    return n


def extract_zip_py(zip_bytes, dst_root):
    n = 0
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        for info in z.infolist():
            name = info.filename
            if info.is_dir() or not name.endswith(".py"):
                continue
            # wheels and stdlib zips hold relative paths; refuse anything else
            norm = os.path.normpath(name)
            if norm.startswith("..") or os.path.isabs(norm):
                continue
            dst = os.path.join(dst_root, norm)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(z.read(info))
            n += 1
    return n


def read_packages():
    pkgs = []
    with open(os.path.join(HERE, "packages.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, sep, version = line.partition("==")
                if not sep or not version:
                    raise SystemExit("packages.txt: not name==version: %r" % line)
                pkgs.append((name.strip(), version.strip()))
    return pkgs


def plan(corpus):
    """Return (fingerprint, builder) for a corpus, or None when it cannot be made here."""
    if corpus == "stdlib-3.11.7":
        src = native_3117_stdlib()
        if src is None:
            return None
        return ("native:" + src, lambda dst: copy_tree_py(src, dst))
    if corpus == "stdlib-3.11.2":
        src = native_3112_stdlib()
        if src is None:
            return None
        # Debian keeps third-party packages in dist-packages (none inside this directory).
        return ("native:" + src, lambda dst: copy_tree_py(src, dst, skip_top=("site-packages", "dist-packages")))
    if corpus.startswith("stdlib-"):
        release = corpus[len("stdlib-"):]
        if release in PYODIDE_PACKAGES:
            zpath = os.path.join(PYODIDE_DIR, PYODIDE_PACKAGES[release], "python_stdlib.zip")
            if not os.path.isfile(zpath):
                return None
            with open(zpath, "rb") as f:
                data = f.read()
            fp = "zip:" + hashlib.sha256(data).hexdigest()
            return (fp, lambda dst: extract_zip_py(data, dst))
        if release in PYENV_RELEASES:
            src = pyenv_stdlib(release)
            if src is None:
                return None
            return ("native:" + src, lambda dst: copy_tree_py(src, dst))
        raise SystemExit("unknown corpus %r" % corpus)
    if corpus == "invalid":
        # invalid programs (tools/invalid/extract.py + hand-written), committed in corpus_invalid/
        src = os.path.join(REPO, "corpus_invalid")
        h = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                h.update(os.path.relpath(p, src).encode() + b"\0")
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
        return ("invalid:" + h.hexdigest(), lambda dst: copy_tree_py(src, dst, skip_top=()))
    if corpus == "pypi":
        pkgs = read_packages()
        fp = "pypi:" + ";".join("%s==%s" % p for p in pkgs)

        def build(dst):
            n = 0
            with tempfile.TemporaryDirectory() as tmp:
                for name, version in pkgs:
                    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                           "--disable-pip-version-check", "-q", "-d", tmp, "%s==%s" % (name, version)]
                    subprocess.run(cmd, check=True)
                wheels = sorted(os.listdir(tmp))
                for name, version in pkgs:
                    canon = name.lower().replace("-", "_")
                    match = [w for w in wheels if w.endswith(".whl")
                             and w.lower().startswith("%s-%s-" % (canon, version))]
                    if len(match) != 1:
                        raise SystemExit("no single wheel for %s==%s among %r" % (name, version, wheels))
                    with open(os.path.join(tmp, match[0]), "rb") as f:
                        n += extract_zip_py(f.read(), os.path.join(dst, "%s-%s" % (canon, version)))
            return n
        return (fp, build)
    raise SystemExit("unknown corpus %r" % corpus)


def fetch(corpus, root, required):
    dst = os.path.join(root, corpus)
    stamp = os.path.join(dst, ".complete")
    p = plan(corpus)
    if p is None:
        if required:
            raise SystemExit("fetch_corpus: cannot make %s on this machine" % corpus)
        log("skip %s (its source is not on this machine)" % corpus)
        return
    fingerprint, build = p
    if os.path.isfile(stamp):
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == fingerprint:
                log("%s up to date" % corpus)
                return
    if os.path.exists(dst):
        shutil.rmtree(dst)
    tmp = dst + ".partial"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    n = build(tmp)
    with open(os.path.join(tmp, ".complete"), "w", encoding="utf-8") as f:
        f.write(fingerprint + "\n")
    os.rename(tmp, dst)
    log("%s: %d files" % (corpus, n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(REPO, "corpus"))
    ap.add_argument("corpora", nargs="*", help="default: all available here")
    args = ap.parse_args()
    os.makedirs(args.root, exist_ok=True)
    for c in args.corpora or ALL_CORPORA:
        fetch(c, args.root, required=bool(args.corpora))


if __name__ == "__main__":
    main()
