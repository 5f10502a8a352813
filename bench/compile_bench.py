#!/usr/bin/env python3
"""Compile benchmark: `pycode compileall` against CPython's `python -m compileall` (and `serc`
when it can be installed), on one copy of a source tree, in one run. A benchmark, not a test.

    python3 bench/compile_bench.py [--pycode target/release/pycode] [--python PYTHON3.12]
                                   [--tree DIR] [--target 3.12] [--jobs 1,2,0] [--no-serc] [--repeat N]
                                   [--stages PATH] [--no-stages] [--serc PATH]
    python3 bench/compile_bench.py --targets 3.11,3.12,3.13,3.14,3.15 [--tree DIR] [--repeat N]

With --targets, one run covers every target at -j 1: pycode compileall --target T, the native
CPython of that minor where this machine has one (3.11.7 python3, pyenv 3.12.1 / 3.13.0), CPython
3.12.1 as the common baseline, and serc (--serc, else `serc` on PATH) for the same minor; a table
per target with CPU s, MB/s, peak RSS and each ratio, and how many .pyc equal the native CPython's
(when its exact release is the target's). A target pycode does not compile yet says so.

For each tool and each -j value the tree's __pycache__ directories are removed, then the tool
compiles everything (`-f -q`). Every tool writes into freshly created __pycache__ directories, so
all pay the same file-system costs. With --repeat N the tools take turns N times (round-robin,
so background load hits all of them alike) and the run with the least CPU time is reported.
Reported per measurement: wall time, user and system CPU time (of the process and all its
descendants, collected with os.wait4 as a child subreaper) and their sum, source MB/s over wall
and CPU time, peak RSS (the largest of the process and its children), the number of .pyc files
written, and the exit status. The last lines give each tool's CPU time relative to CPython's.
The default tree is the 3.12 stdlib: corpus/stdlib-3.12.7 when fetched (see oracle/), else the
3.12 interpreter's own Lib directory. It is copied (only .py files) to a temporary directory first.

Then, on the same copy, the `stages` example (`cargo build --release --example stages -p pycode_cli`;
skipped with --no-stages) splits pycode's time: its parser alone (pycode_parser), the whole compile
in memory, `compile_dir` in-process, and the file-system floor (the same `compile_dir` walking,
reading every source and writing every .pyc atomically with its real size, but with the compile
replaced by handing back bytes made beforehand: a measurement, not a compile path). The last lines
say how many ms of CPU a 10x lead over CPython leaves, next to the parse time and that floor,
and how each tool scales with -j, and issue 11's memory check: each -j N run's peak RSS above
-j 1's, per added worker, against the largest working set of one file (peak RSS compiling each
of the five largest files alone, minus that of a one-line file). The load-independent split of every stage against CPython's
own, in instructions, is bench/stage_split.py (callgrind).
"""
import re
import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_python312():
    for cand in ("/root/.pyenv/versions/3.12.1/bin/python3", shutil.which("python3.12")):
        if cand and os.path.exists(cand):
            return cand
    return None


def default_tree(python):
    corpus = os.path.join(ROOT, "corpus", "stdlib-3.12.7")
    if os.path.isdir(corpus):
        return corpus
    if python:
        out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                             capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.strip()
    sys.exit("no tree: pass --tree")


def copy_py_tree(src, dst):
    """Copies the .py files of src (skipping site-packages and __pycache__); returns (files, bytes)."""
    n = size = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "site-packages"))
        rel = os.path.relpath(dirpath, src)
        for f in filenames:
            if f.endswith(".py"):
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                shutil.copy2(os.path.join(dirpath, f), os.path.join(dst, rel, f))
                n += 1
                size += os.path.getsize(os.path.join(dirpath, f))
    return n, size


def largest_files(tree, n):
    """The n largest .py files of tree (path relative to tree, bytes), largest first."""
    sizes = []
    for dirpath, _, filenames in os.walk(tree):
        for f in filenames:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                sizes.append((os.path.getsize(path), os.path.relpath(path, tree)))
    sizes.sort(reverse=True)
    return [(rel, size) for size, rel in sizes[:n]]


def worker_budget(cmd, tree, work, env, n=5):
    """Issue 11's memory budget for each added worker: the largest working set of one file, as
    peak RSS compiling that file alone minus peak RSS compiling a one-line file (the process's
    own floor). Tried on the n largest files (a file's working set does not follow its size
    exactly); returns (MB, relative path, floor MB)."""
    def alone(src_path, name):
        one = os.path.join(work, "one")
        shutil.rmtree(one, ignore_errors=True)
        os.makedirs(one)
        if src_path is None:
            with open(os.path.join(one, name), "w") as f:
                f.write("x = 1\n")
        else:
            shutil.copy2(src_path, os.path.join(one, name))
        m = measure(cmd(1, "one"), work, env)
        shutil.rmtree(one, ignore_errors=True)
        return m["rss_mb"]
    floor = alone(None, "x.py")
    best = (0.0, None)
    for rel, _ in largest_files(tree, n):
        mb = alone(os.path.join(tree, rel), os.path.basename(rel)) - floor
        if mb > best[0]:
            best = (mb, rel)
    return best[0], best[1], floor


TRASH_NAMES = itertools.count()


def clean(tree, trash):
    """Moves every __pycache__ of tree into the directory trash (deleted only at the end).

    Not deleted here: on a file system that avoids reusing recently freed inodes (ext4 without a
    journal, like the benchmark machine's, skips every inode freed in the last minutes when it
    allocates one), each deleted file makes every later file creation slower for minutes, so
    deleting between runs would make each run pay for the ones before it."""
    os.makedirs(trash, exist_ok=True)
    for dirpath, dirnames, _ in os.walk(tree):
        if "__pycache__" in dirnames:
            os.rename(os.path.join(dirpath, "__pycache__"), os.path.join(trash, str(next(TRASH_NAMES))))
            dirnames.remove("__pycache__")


def iter_pycs(tree):
    for dp, _, fs in os.walk(tree):
        for f in fs:
            if f.endswith(".pyc"):
                yield os.path.join(dp, f)


def read_pycs(tree):
    out = {}
    for dp, _, fs in os.walk(tree):
        for f in fs:
            if f.endswith(".pyc"):
                p = os.path.join(dp, f)
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, tree)] = fh.read()
    return out


def become_subreaper():
    """Makes orphaned descendants (CPython's forkserver workers) our children, so their CPU time
    can be collected with wait4 (Linux prctl PR_SET_CHILD_SUBREAPER); False where unavailable."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except Exception:
        return False


def measure(cmd, cwd, env=None):
    """Runs cmd; wall time until it exits; CPU time and peak RSS over it and every descendant
    reaped by it or (as subreaper) by us."""
    # posix_spawn (vfork-like) rather than fork: a forked child's ru_maxrss would include the
    # pages it shared with this (much larger) Python process before exec.
    # Even posix_spawn's vfork-style child records this process's peak RSS as its own when it
    # execs (the kernel keeps the old address space's high-water mark), so the peak RSS comes from
    # GNU time (`%M`: the measured command and its waited-for descendants) where it exists.
    gnu_time = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    rss_file = os.path.join(cwd, ".maxrss")
    if gnu_time:
        cmd = [gnu_time, "-f", "%M", "-o", rss_file] + list(cmd)
    t0 = time.perf_counter()
    devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    child = os.posix_spawn("/bin/sh", ["sh", "-c", 'cd "$0" && exec "$@"', cwd] + list(cmd),
                         env if env is not None else os.environ, file_actions=devnull)
    user, sys_, rss, wall, code = 0.0, 0.0, 0, None, None
    while True:
        try:
            pid, status, ru = os.wait4(-1, 0)
        except ChildProcessError:
            break
        user += ru.ru_utime
        sys_ += ru.ru_stime
        rss = max(rss, ru.ru_maxrss)
        if pid == child:
            wall = time.perf_counter() - t0
            code = os.waitstatus_to_exitcode(status)
    if gnu_time:
        try:
            with open(rss_file) as f:
                rss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    return {"wall": wall, "user": user, "sys": sys_, "cpu": user + sys_, "rss_mb": rss / 1024.0, "status": code}


def try_serc(workdir):
    """Installs serc==0.1.8 with pip into a private directory; returns its executable or None."""
    exe = shutil.which("serc")
    if exe:
        return exe
    target = os.path.join(workdir, "serc-pkg")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", target, "serc==0.1.8"], capture_output=True, text=True)
    if r.returncode != 0:
        print("serc: not installable (%s)" % (r.stderr.strip().splitlines() or ["?"])[-1])
        return None
    exe = os.path.join(target, "bin", "serc")
    if os.path.exists(exe):
        os.chmod(exe, 0o755)
        return exe
    print("serc: installed but no executable found")
    return None


STAGE_ROW = re.compile(r"^(.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(-?\d+)\s+(\d+)$")


def run_stages(stages, tree, rounds):
    """Runs `stages --io TREE ROUNDS`; prints its table; returns {row name: cpu ms}."""
    r = subprocess.run([stages, "--io", tree, str(rounds)], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        print("  " + line)
    if r.returncode != 0:
        print("stages: exit status %d: %s" % (r.returncode, r.stderr.strip()[-500:]))
    rows = {}
    for line in r.stdout.splitlines():
        m = STAGE_ROW.match(line)
        if m:
            rows[m.group(1).strip()] = float(m.group(2))
    return rows


def stage(rows, prefix):
    return next((v for k, v in rows.items() if k.startswith(prefix)), None)


NATIVE = {"3.11": ("3.11.7", "python3"), "3.12": ("3.12.1", "/root/.pyenv/versions/3.12.1/bin/python3"),
          "3.13": ("3.13.0", "/root/.pyenv/versions/3.13.0/bin/python3")}


def python_version(exe):
    r = subprocess.run([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def multi_target(a):
    """--targets: every target at -j 1 in one run (see the module docstring)."""
    if not become_subreaper():
        print("note: not a subreaper; CPU time of CPython's workers may be missing")
    base_py = find_python312()
    tree_src = a.tree or default_tree(base_py)
    serc = a.serc or shutil.which("serc")
    work = tempfile.mkdtemp(prefix="pycode-bench-")
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    try:
        tree = os.path.join(work, "tree")
        trash = os.path.join(work, "trash")
        nfiles, nbytes = copy_py_tree(tree_src, tree)
        mb = nbytes / 1e6
        serc_v = subprocess.run([serc, "--version"], capture_output=True, text=True).stdout.strip() if serc else None
        print("tree: %s (%d .py files, %.1f MB), %d CPUs, -j 1, best of %d by CPU time; serc: %s"
              % (tree_src, nfiles, mb, os.cpu_count() or 0, max(1, a.repeat), serc_v or "not found"))

        def best_of(cmd, keep_pycs=False):
            best, pycs = None, None
            for rnd in range(max(1, a.repeat)):
                clean(tree, trash)
                m = measure(cmd, work, env)
                m["pycs"] = sum(1 for _ in iter_pycs(tree))
                if keep_pycs and rnd == 0:
                    pycs = read_pycs(tree)
                if best is None or m["cpu"] < best["cpu"]:
                    best = m
            return best, pycs

        baseline = None
        if base_py:
            best_of([base_py, "-m", "compileall", "-j", "1", "-f", "-q", "tree"])  # warm the page cache
            baseline, _ = best_of([base_py, "-m", "compileall", "-j", "1", "-f", "-q", "tree"])
        rows = []
        for t in a.targets.split(","):
            minor = ".".join(t.split(".")[:2])
            res = {}
            pyc = {}
            res["pycode"], pyc["pycode"] = best_of([a.pycode, "compileall", "--target", t, "-j", "1", "-f", "-q", "tree"], True)
            nat = NATIVE.get(minor)
            if nat and (nat[1] == "python3" or os.path.exists(nat[1])) and python_version(nat[1]) == nat[0]:
                res["cpython " + nat[0]], pyc["native"] = best_of([nat[1], "-m", "compileall", "-j", "1", "-f", "-q", "tree"], True)
            if serc and minor != "3.11":
                res["serc"], _ = best_of([serc, "compile", "--python-version", minor, "-f", "-j", "1", "tree"])
            print("\n== target %s" % t)
            print("%-16s %7s %9s %7s %5s %3s  %s" % ("tool", "cpu s", "MB/s cpu", "RSS MB", "pycs", "rc", "ratios (their CPU / pycode's)"))
            pm = res["pycode"]
            implemented = pm["pycs"] > 0
            extra = [("cpython 3.12.1", baseline)] if baseline and "cpython 3.12.1" not in res else []
            for name, m in list(res.items()) + extra:
                ratio = ""
                if name != "pycode" and implemented:
                    ratio = "pycode %.2fx less CPU" % (m["cpu"] / max(pm["cpu"], 1e-9))
                print("%-16s %7.2f %9.2f %7.1f %5d %3d  %s" % (name, m["cpu"], mb / max(m["cpu"], 1e-9), m["rss_mb"], m["pycs"], m["status"], ratio))
            if not implemented:
                print("pycode: target %s not compiled yet (exit status %d)" % (t, pm["status"]))
            elif pyc.get("native") and nat[0] == t:  # an exact release: 3.11.7, 3.12.1, 3.13.0
                same = sum(1 for k, v in pyc["pycode"].items() if pyc["native"].get(k) == v)
                print("pycode vs cpython %s: %d of %d .pyc byte-identical" % (nat[0], same, len(pyc["native"])))
            rows.append((t, res))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pycode", default=os.path.join(ROOT, "target", "release", "pycode"))
    ap.add_argument("--python", default=find_python312())
    ap.add_argument("--tree")
    ap.add_argument("--target", help="pycode's --target (default: the version of --python)")
    ap.add_argument("--jobs", default="1,2,0")
    ap.add_argument("--no-serc", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the run with the least CPU time is reported")
    ap.add_argument("--stages", help="the stages example (default: examples/stages next to --pycode)")
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--serc", help="a serc executable (e.g. 0.1.10 from `cargo install serc-cli --version 0.1.10`)")
    ap.add_argument("--targets", help="comma-separated targets: the every-target table at -j 1 (see above)")
    a = ap.parse_args()
    if a.targets:
        return multi_target(a)
    jobs = [int(j) for j in a.jobs.split(",")]
    if not become_subreaper():
        print("note: not a subreaper; CPU time of CPython's -j workers may be missing")
    tree_src = a.tree or default_tree(a.python)
    if a.target is None:
        a.target = (python_version(a.python) if a.python else None) or "3.12"
    work = tempfile.mkdtemp(prefix="pycode-bench-")
    try:
        tree = os.path.join(work, "tree")
        trash = os.path.join(work, "trash")
        nfiles, nbytes = copy_py_tree(tree_src, tree)
        mb = nbytes / 1e6
        print("tree: %s (%d .py files, %.1f MB), %d CPUs" % (tree_src, nfiles, mb, os.cpu_count() or 0))
        tools = []
        if os.path.exists(a.pycode):
            tools.append(("pycode", lambda j, d="tree": [a.pycode, "compileall", "--target", a.target, "-j", str(j), "-f", "-q", d]))
        else:
            print("pycode: %s not built (cargo build --release)" % a.pycode)
        if a.python:
            tools.append(("cpython", lambda j, d="tree": [a.python, "-m", "compileall", "-j", str(j), "-f", "-q", d]))
        else:
            print("cpython 3.12: not found")
        if not a.no_serc:
            serc = a.serc or try_serc(work)
            if serc:
                tools.append(("serc", lambda j, d="tree": [serc, "compile", "--python-version", ".".join(a.target.split(".")[:2]), "-f",
                                                          "-j", str(j or os.cpu_count() or 1), d]))
        env = dict(os.environ)
        env.pop("SOURCE_DATE_EPOCH", None)
        env.pop("PYTHONPYCACHEPREFIX", None)
        print("%-8s %3s %7s %7s %7s %7s %9s %9s %7s %5s %3s" % (
            "tool", "-j", "wall s", "user s", "sys s", "cpu s", "MB/s wall", "MB/s cpu", "RSS MB", "pycs", "rc"))
        written = {}
        best = {}
        for rnd in range(max(1, a.repeat)):
            for name, cmd in tools:
                for j in jobs:
                    clean(tree, trash)
                    m = measure(cmd(j), work, env)
                    if rnd == 0 and j == jobs[0]:
                        written[name] = read_pycs(tree)
                    m["pycs"] = sum(1 for _ in iter_pycs(tree))
                    if (name, j) not in best or m["cpu"] < best[(name, j)]["cpu"]:
                        best[(name, j)] = m
        for name, _ in tools:
            for j in jobs:
                m = best[(name, j)]
                print("%-8s %3d %7.2f %7.2f %7.2f %7.2f %9.2f %9.2f %7.1f %5d %3d" % (
                    name, j, m["wall"], m["user"], m["sys"], m["cpu"], mb / m["wall"], mb / max(m["cpu"], 1e-9),
                    m["rss_mb"], m["pycs"], m["status"]))
        print("(pycs = .pyc files written%s)" % (", best of %d rounds by CPU time" % a.repeat if a.repeat > 1 else ""))
        for j in jobs:
            ref_m = best.get(("cpython", j))
            if ref_m:
                for name, _ in tools:
                    if name != "cpython":
                        m = best[(name, j)]
                        print("-j %d: %s uses %.1fx less CPU time than cpython (%.2f s vs %.2f s)"
                              % (j, name, ref_m["cpu"] / max(m["cpu"], 1e-9), m["cpu"], ref_m["cpu"]))
        for name, _ in tools:
            ms = [best[(name, j)] for j in jobs]
            base = best.get((name, 1))
            parts = []
            for j, m in zip(jobs, ms):
                speed = " %.2fx" % (base["wall"] / max(m["wall"], 1e-9)) if base and j != 1 else ""
                parts.append("-j %d%s: %.2f s%s, %.0f MB" % (j, " (=%d)" % (os.cpu_count() or 0) if j == 0 else "",
                                                             m["wall"], speed, m["rss_mb"]))
            print("-j scaling, %s (wall time, speed-up over -j 1, peak RSS): %s" % (name, "; ".join(parts)))
        if 1 in jobs and len(jobs) > 1:
            for name, cmd in tools:
                budget, rel, floor = worker_budget(cmd, tree, work, env)
                one = best[(name, 1)]["rss_mb"]
                parts = []
                for j in jobs:
                    n = j or os.cpu_count() or 1
                    if n <= 1:
                        continue
                    added = (best[(name, j)]["rss_mb"] - one) / (n - 1)
                    parts.append("-j %d: %.1f MB per added worker (%s)" % (j, added, "within" if added <= budget else "ABOVE"))
                print("memory, %s: largest one-file working set %.1f MB (%s; floor %.1f MB); %s"
                      % (name, budget, rel, floor, "; ".join(parts)))
        ref = written.get("cpython")
        if ref:
            for name, pycs in written.items():
                if name == "cpython":
                    continue
                same = sum(1 for k, v in pycs.items() if ref.get(k) == v)
                same_hdr = sum(1 for k, v in pycs.items() if k in ref and ref[k][:16] == v[:16])
                print("%s vs cpython: %d of %d CPython .pyc files byte-identical, %d written, %d same header"
                      % (name, same, len(ref), len(pycs), same_hdr))
        stages = a.stages or os.path.join(os.path.dirname(os.path.abspath(a.pycode)), "examples", "stages")
        if a.no_stages:
            pass
        elif not os.path.exists(stages):
            print("stages: %s not built (cargo build --release --example stages -p pycode_cli)" % stages)
        else:
            clean(tree, trash)
            print("pycode's stages on the same tree (stages --io, best of %d by CPU time):" % max(1, a.repeat))
            rows = run_stages(stages, tree, max(1, a.repeat))
            parse = stage(rows, "pycode_parser")
            floor = stage(rows, "file-system floor")
            ref_m = best.get(("cpython", 1))
            pyc_m = best.get(("pycode", 1))
            if ref_m and parse is not None and floor is not None:
                budget = ref_m["cpu"] * 1000 / 10
                print("10x less CPU than CPython at -j 1 means %.0f ms (CPython: %.0f ms). The parser alone "
                      "%.0f ms + file-system floor %.0f ms = %.0f ms (%.0f%% of that budget)."
                      % (budget, ref_m["cpu"] * 1000, parse, floor, parse + floor, 100 * (parse + floor) / budget))
                whole = stage(rows, "compile to marshal")
                inproc = stage(rows, "compileall in-process")
                if pyc_m and whole is not None and inproc is not None:
                    print("pycode now: %.0f ms compiling in memory, %.0f ms as compile_dir in-process, %.0f ms as a process "
                          "(pycode compileall -j 1, CPU time)." % (whole, inproc, pyc_m["cpu"] * 1000))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
