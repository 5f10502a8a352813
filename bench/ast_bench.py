#!/usr/bin/env python3
"""Front-end throughput: pycode_parse (decode + parse + convert to the CPython-shaped AST + drop)
versus CPython's own `ast.parse(src, type_comments=True)`, on the same files, in one invocation.

usage: python3 bench/ast_bench.py [--python PY] [--root DIR] [--target 3.11] [--reps N]
                                  [--rounds R] [--pyast BIN] [--callgrind] [--subset K]

Method (made to hold on a loaded machine):
* corpus: every .py under --root (default: the native CPython 3.11.7 stdlib, `test/` included,
  no site-packages) that the --python interpreter's `ast.parse` accepts, so both sides do the same work;
* both sides read all files into memory first; only parsing is timed, never start-up or I/O;
* both sides measure CPU time, not wall time: CPython `time.process_time()` around a pass over
  all files, pycode the thread CPU clock (`CLOCK_THREAD_CPUTIME_ID`) around the same pass;
* each side runs --reps passes per round and --rounds rounds, alternating CPython and pycode,
  and the best pass of each side counts (the least disturbed one);
* CPython's number includes building and freeing the Python `ast` objects (the result of each
  `ast.parse` is dropped before the next), pycode's building and dropping `pycode_ast` trees.
--callgrind also counts instructions for one pass over a fixed subset (every K-th file of the
sorted corpus) with `valgrind --tool=callgrind`, on both sides: exact and repeatable under load
(for before/after comparisons of changes), though instructions are not time. pycode's count
covers exactly the pass (`--toggle-collect`); CPython's is the whole script minus the same
script without the parsing loop.
"""
import argparse, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CPY = r'''
import ast, sys, time, warnings
warnings.simplefilter("ignore")
paths = open(sys.argv[1]).read().splitlines()
reps = int(sys.argv[2])
files = [open(p, "rb").read() for p in paths]
best_cpu = best_wall = 1e9
for _ in range(reps):
    w = time.perf_counter()
    c = time.process_time()
    for src in files:
        ast.parse(src, type_comments=True)
    cpu = time.process_time() - c
    wall = time.perf_counter() - w
    best_cpu = min(best_cpu, cpu)
    best_wall = min(best_wall, wall)
print(best_cpu, best_wall, sum(map(len, files)))
'''

CHECK = r'''
import ast, sys, warnings
warnings.simplefilter("ignore")
for p in sys.stdin.read().splitlines():
    try:
        ast.parse(open(p, "rb").read(), type_comments=True)
    except Exception:
        continue
    print(p)
'''


def corpus(python, root):
    files = []
    for d, dirs, fs in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".py")]
    out = subprocess.run([python, "-c", CHECK], input="\n".join(files), capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def run_cpython(python, lst, reps):
    out = subprocess.run([python, "-c", CPY, lst, str(reps)], capture_output=True, text=True, check=True).stdout
    cpu, wall, total = out.split()
    return float(cpu), float(wall), int(total)


def run_pycode(pyast, target, lst, reps):
    out = subprocess.run([pyast, "--target", target, "--bench", lst, "--reps", str(reps)],
                         capture_output=True, text=True, check=True).stdout
    f = out.split()
    d = dict(zip(f[0::2], f[1::2]))
    return float(d["best_cpu"]), float(d["best_wall"]), int(d["bytes"]), int(d["ok"]), int(d["files"])


CPY_CG = r'''
import ast, sys, warnings
warnings.simplefilter("ignore")
files = [open(p, "rb").read() for p in open(sys.argv[1]).read().splitlines()]
if sys.argv[2] == "1":
    for src in files:
        ast.parse(src, type_comments=True)
'''


def callgrind_total(cmd):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                       capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"))
    m = re.search(r"Collected : (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit("callgrind failed:\n" + r.stderr[-2000:])
    return int(m.group(1))


def callgrind_cpython(python, lst):
    """CPython's instructions for ast.parse over the files, dropping each tree (the same script
    run without the parsing loop is subtracted: start-up and file reading)."""
    return callgrind_total([python, "-c", CPY_CG, lst, "1"]) - callgrind_total([python, "-c", CPY_CG, lst, "0"])


def callgrind(pyast, target, lst):
    with tempfile.TemporaryDirectory() as tmp:
        outf = os.path.join(tmp, "cg.out")
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + outf,
                            "--toggle-collect=*bench_pass*", pyast, "--target", target, "--bench", lst, "--reps", "1"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("callgrind failed:\n" + r.stderr[-2000:])
        m = re.search(r"Collected : (\d+)", r.stderr)
        if m:
            return int(m.group(1))
        for line in open(outf):
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyast", help="prebuilt pyast example (default: build it, release)")
    ap.add_argument("--python", default="/root/.pyenv/versions/3.11.7/bin/python3")
    ap.add_argument("--root", default="/root/.pyenv/versions/3.11.7/lib/python3.11")
    ap.add_argument("--target", default="3.11")
    ap.add_argument("--reps", type=int, default=5, help="passes per round and side")
    ap.add_argument("--rounds", type=int, default=2, help="alternating CPython/pycode rounds")
    ap.add_argument("--callgrind", action="store_true", help="also count pycode instructions on a subset")
    ap.add_argument("--subset", type=int, default=20, help="callgrind subset: every K-th file")
    args = ap.parse_args()
    pyast = args.pyast
    if pyast is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "pycode_parse", "--example", "pyast"], check=True, cwd=ROOT)
        pyast = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "examples", "pyast")
    files = corpus(args.python, args.root)
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "files.txt")
        with open(lst, "w") as f:
            f.write("\n".join(files) + "\n")
        c_cpu = c_wall = p_cpu = p_wall = float("inf")
        for _ in range(args.rounds):
            cpu, wall, total = run_cpython(args.python, lst, args.reps)
            c_cpu, c_wall = min(c_cpu, cpu), min(c_wall, wall)
            cpu, wall, ptotal, ok, n = run_pycode(pyast, args.target, lst, args.reps)
            p_cpu, p_wall = min(p_cpu, cpu), min(p_wall, wall)
        assert ptotal == total, (ptotal, total)
        mb = total / 1e6
        print("corpus:  %d files, %.2f MB (%s), pycode parsed %d/%d" % (len(files), mb, args.root, ok, n))
        print("CPython %s ast.parse: %7.2f MB/s CPU (%.3f s)   %7.2f MB/s wall" % (
            args.python, mb / c_cpu, c_cpu, mb / c_wall))
        print("pycode_parse --target %s: %7.2f MB/s CPU (%.3f s)   %7.2f MB/s wall" % (
            args.target, mb / p_cpu, p_cpu, mb / p_wall))
        print("ratio (CPU): %.1fx   (wall: %.1fx)   best of %d x %d passes each" % (
            c_cpu / p_cpu, c_wall / p_wall, args.reps, args.rounds))
        if args.callgrind:
            sub = files[::args.subset]
            slst = os.path.join(tmp, "subset.txt")
            with open(slst, "w") as f:
                f.write("\n".join(sub) + "\n")
            sbytes = sum(os.path.getsize(p) for p in sub)
            ir = callgrind(pyast, args.target, slst)
            cir = callgrind_cpython(args.python, slst)
            print("callgrind: %d files (every %dth), %d bytes" % (len(sub), args.subset, sbytes))
            print("  pycode_parse: %15s instructions, %6.1f per byte" % (format(ir, ","), ir / sbytes))
            print("  CPython:      %15s instructions, %6.1f per byte" % (format(cir, ","), cir / sbytes))
            print("  ratio (instructions): %.1fx" % (cir / ir))


if __name__ == "__main__":
    main()
