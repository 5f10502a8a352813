#!/usr/bin/env python3
"""Front-end throughput, source bytes to finished AST, in one run on the same files:

* pycode_parser (pycode's own parser, issue 10): decode + tokens + rules + `pycode_ast` tree + drop
  (`crates/pycode_parser/examples/parsebench.rs`); for the split, its tokenizer alone (decode +
  every token), the whole parse with a builder that builds nothing (tokenizer + rules), and the
  parse building the arena tree instead (`pycode_ast::arena`, `pycode_parser::parse_arena`);
* ruff 0.0.10's path, `pycode_parse` (ruff parse + conversion to the CPython-shaped tree + drop),
  as long as that crate exists (skipped cleanly once it is removed);
* CPython's own `ast.parse(src, type_comments=True)` (native 3.12.1 by default), tree built and freed.

usage: python3 bench/ast_bench.py [--python PY] [--root DIR] [--release 3.12.7] [--reps N]
                                  [--rounds R] [--callgrind] [--subset K]

Method (made to hold on a loaded machine):
* corpus: every .py under --root (default: corpus/stdlib-3.12.7, 8.9 MB) that the --python
  interpreter's `ast.parse` accepts, so every side does the same work;
* every side reads all files into memory first; only parsing is timed, never start-up or I/O;
* CPU time, not wall time: CPython `time.process_time()` around a pass over all files, the Rust
  sides the thread CPU clock (`CLOCK_THREAD_CPUTIME_ID`) around the same pass;
* each side runs --reps passes per round and --rounds rounds, sides alternating; the best pass
  of each side counts (the least disturbed one);
* --callgrind also counts instructions (exact and repeatable under load, though not time) for
  one pass over a fixed subset (every K-th file of the sorted corpus; K=1 is the whole corpus):
  the Rust sides exactly the pass (`--toggle-collect=*bench_pass*`), CPython the whole script
  minus the same script without the parsing loop.
"""
import argparse, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))

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

CPY_CG = r'''
import ast, sys, warnings
warnings.simplefilter("ignore")
files = [open(p, "rb").read() for p in open(sys.argv[1]).read().splitlines()]
if sys.argv[2] == "1":
    for src in files:
        ast.parse(src, type_comments=True)
'''


def default_python():
    try:
        out = subprocess.run(["pyenv", "which", "python3"], capture_output=True, text=True,
                             env=dict(os.environ, PYENV_VERSION="3.12.1"))
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except OSError:
        pass
    return "/root/.pyenv/versions/3.12.1/bin/python3"


def corpus(python, root):
    files = []
    for d, dirs, fs in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files += [os.path.abspath(os.path.join(d, f)) for f in sorted(fs) if f.endswith(".py")]
    out = subprocess.run([python, "-c", CHECK], input="\n".join(files), capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def parse_kv(out):
    f = out.split()
    d = dict(zip(f[0::2], f[1::2]))
    return float(d["best_cpu"]), float(d["best_wall"]), int(d["bytes"]), int(d["ok"]), int(d["files"])


class Side:
    """One parser: a name, the command of one timed run over LIST, and how to read its output."""

    def __init__(self, name, cmd, rust=True):
        self.name, self.cmd, self.rust = name, cmd, rust
        self.cpu = self.wall = float("inf")
        self.ok = self.n = self.total = 0

    def run(self, lst, reps):
        out = subprocess.run(self.cmd(lst, reps), capture_output=True, text=True, check=True).stdout
        if self.rust:
            cpu, wall, total, ok, n = parse_kv(out)
        else:
            c, w, t = out.split()
            cpu, wall, total, ok, n = float(c), float(w), int(t), -1, -1
        self.cpu, self.wall = min(self.cpu, cpu), min(self.wall, wall)
        self.total, self.ok, self.n = total, ok, n


def callgrind_total(cmd, toggle=None):
    extra = ["--toggle-collect=" + toggle] if toggle else []
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + extra + cmd,
                       capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"))
    m = re.search(r"Collected : (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit("callgrind failed:\n" + r.stderr[-2000:])
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=None, help="CPython for ast.parse (default: pyenv 3.12.1)")
    ap.add_argument("--root", default=os.path.join(ROOT, "corpus", "stdlib-3.12.7"))
    ap.add_argument("--release", default="3.12.7", help="release pycode parses for")
    ap.add_argument("--reps", type=int, default=5, help="passes per round and side")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    ap.add_argument("--callgrind", action="store_true", help="also count instructions on a subset")
    ap.add_argument("--subset", type=int, default=10, help="callgrind subset: every K-th file")
    ap.add_argument("--no-build", action="store_true", help="use the already built examples")
    args = ap.parse_args()
    python = args.python or default_python()
    minor = ".".join(args.release.split(".")[:2])

    has_ruff = os.path.isdir(os.path.join(ROOT, "crates", "pycode_parse", "examples")) and os.path.isfile(
        os.path.join(ROOT, "crates", "pycode_parse", "examples", "pyast.rs"))
    if not args.no_build:
        cmd = ["cargo", "build", "--release", "-q", "-p", "pycode_parser", "--example", "parsebench"]
        subprocess.run(cmd, check=True, cwd=ROOT)
        if has_ruff:
            subprocess.run(["cargo", "build", "--release", "-q", "-p", "pycode_parse", "--example", "pyast"], check=True, cwd=ROOT)
    pbench = os.path.join(TARGET, "release", "examples", "parsebench")
    pyast = os.path.join(TARGET, "release", "examples", "pyast")
    has_ruff = has_ruff and os.path.isfile(pyast)

    sides = [
        Side("pycode_parser " + args.release, lambda l, r: [pbench, "--release", args.release, "--reps", str(r), l]),
        Side("  its tokenizer alone", lambda l, r: [pbench, "--release", args.release, "--stage", "lex", "--reps", str(r), l]),
        Side("  its rules, building nothing", lambda l, r: [pbench, "--release", args.release, "--stage", "null", "--reps", str(r), l]),
        Side("  building the arena tree", lambda l, r: [pbench, "--release", args.release, "--stage", "arena", "--reps", str(r), l]),
    ]
    if has_ruff:
        sides.append(Side("pycode_parse (ruff 0.0.10)", lambda l, r: [pyast, "--target", minor, "--bench", l, "--reps", str(r)]))
    cpy = Side("CPython ast.parse", lambda l, r: [python, "-c", CPY, l, str(r)], rust=False)
    sides.append(cpy)

    files = corpus(python, args.root)
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "files.txt")
        with open(lst, "w") as f:
            f.write("\n".join(files) + "\n")
        for _ in range(args.rounds):
            for s in sides:
                s.run(lst, args.reps)
        total = cpy.total
        mb = total / 1e6
        print("corpus: %d files, %.2f MB (%s), accepted by %s" % (len(files), mb, args.root, python))
        print("%-30s %9s %9s %9s  %s" % ("", "MB/s CPU", "CPU s", "MB/s wall", "vs CPython (CPU)"))
        for s in sides:
            if s.rust and s.total != total:
                sys.exit("%s read %d bytes, CPython %d" % (s.name, s.total, total))
            note = "" if not s.rust else "  parsed %d/%d" % (s.ok, s.n)
            print("%-30s %9.1f %9.4f %9.1f  %5.2fx%s" % (s.name, mb / s.cpu, s.cpu, mb / s.wall, cpy.cpu / s.cpu, note))
        if not has_ruff:
            print("pycode_parse (ruff 0.0.10): not in this tree, skipped")
        print("best of %d x %d passes per side" % (args.reps, args.rounds))
        if args.callgrind:
            sub = files[::args.subset]
            slst = os.path.join(tmp, "subset.txt")
            with open(slst, "w") as f:
                f.write("\n".join(sub) + "\n")
            sbytes = sum(os.path.getsize(p) for p in sub)
            print("callgrind: %d files (every %dth), %d bytes" % (len(sub), args.subset, sbytes))
            counts = []
            for s in sides:
                if s.rust:
                    ir = callgrind_total(s.cmd(slst, 1), "*bench_pass*")
                else:
                    ir = (callgrind_total([python, "-c", CPY_CG, slst, "1"])
                          - callgrind_total([python, "-c", CPY_CG, slst, "0"]))
                counts.append((s.name, ir))
            cir = counts[-1][1]
            for name, ir in counts:
                print("  %-30s %15s instructions %7.1f per byte  (CPython / this: %.2fx)" % (
                    name, format(ir, ","), ir / sbytes, cir / ir))


if __name__ == "__main__":
    main()
