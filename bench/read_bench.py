#!/usr/bin/env python3
"""Read-side benchmark: pycode vs CPython on the same .pyc files, in one run.

Compiles a stdlib (default: the running python3's own Lib, tests included) into .pyc files in a
temporary directory with CPython itself, then times, over exactly those files:
  * marshal load:  pycode_marshal::read_pyc  vs  CPython marshal.loads
  * disassembly:   pycode_dis::dis           vs  CPython dis.dis (into a StringIO)
Both sides run in one process each and exclude process start-up and file reading.
Prints MB/s and the ratio. Usage: python3 bench/read_bench.py [--src DIR] [--limit N]
"""
import argparse, dis, io, marshal, os, py_compile, subprocess, sys, sysconfig, tempfile, time, warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_pycs(src, out, limit):
    n = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "site-packages"))
        for f in sorted(filenames):
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, src)
            dst = os.path.join(out, rel + "c")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            try:
                py_compile.compile(path, cfile=dst, dfile=rel, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeError):
                continue
            n += 1
            if limit and n >= limit:
                return


def cpython_times(out):
    datas = []
    for dirpath, _, filenames in os.walk(out):
        for f in sorted(filenames):
            if f.endswith(".pyc"):
                with open(os.path.join(dirpath, f), "rb") as fh:
                    datas.append(fh.read())
    t0 = time.perf_counter()
    codes = [marshal.loads(memoryview(d)[16:]) for d in datas]
    t1 = time.perf_counter()
    text = 0
    for c in codes:
        buf = io.StringIO()
        dis.dis(c, file=buf)
        text += len(buf.getvalue())
    t2 = time.perf_counter()
    return len(datas), sum(map(len, datas)), t1 - t0, t2 - t1, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=sysconfig.get_paths()["stdlib"])
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "pycode_dis", "--example", "dis_tree"],
                   cwd=ROOT, check=True)
    exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
                       "release", "examples", "dis_tree")
    with tempfile.TemporaryDirectory() as out:
        build_pycs(args.src, out, args.limit)
        n, size, c_load, c_dis, c_text = cpython_times(out)
        r = subprocess.run([exe, out, "--machine"], capture_output=True, text=True, check=True)
        fields = dict(kv.split("=") for kv in r.stdout.split())
        p_load, p_dis = float(fields["read"]), float(fields["dis"])
        mb = size / 1e6
        print(f"corpus: {n} .pyc files, {mb:.1f} MB, from {args.src} (CPython {sys.version.split()[0]})")
        print(f"{'':14}{'CPython':>12}{'pycode':>12}{'ratio':>9}")
        print(f"{'marshal load':14}{mb / c_load:>9.1f} MB/s{mb / p_load:>7.1f} MB/s{c_load / p_load:>8.1f}x")
        print(f"{'dis':14}{mb / c_dis:>9.1f} MB/s{mb / p_dis:>7.1f} MB/s{c_dis / p_dis:>8.1f}x")
        if int(fields["files"]) != n:
            print(f"note: pycode read {fields['files']} of {n} files", file=sys.stderr)


if __name__ == "__main__":
    main()
