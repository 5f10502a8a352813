#!/usr/bin/env python3
"""AST differential test: `pyast` (pycode_parser + pycode_ast) against real CPython, file by file.

usage: difftest.py [--releases 3.11,3.12,3.13,3.14] [--limit N] [--work DIR] [--pyast BIN] [--show N]

Corpora: 3.11 -> the native CPython 3.11 stdlib (incl. test/); 3.12/3.13/3.14 -> the stdlib zip of the
pinned Pyodide builds (3.12.7, 3.13.2, 3.14.2) in oracle/pyodide/node_modules. The oracle is
`ast.dump(ast.parse(src, type_comments=True), include_attributes=True, indent=3)`, i.e. `python -m ast -a`.
Prints N/M identical per release and groups failures by the first differing line.
"""
import argparse, collections, json, os, subprocess, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
PYODIDE = {"3.12": "pyodide-0.27.7", "3.13": "pyodide-0.29.3", "3.14": "pyodide-314.0.7"}
NATIVE_311 = "/root/.pyenv/versions/3.11.7"


def corpus(rel, work):
    """(root dir, list of relative .py paths)."""
    if rel == "3.11":
        root = os.path.join(NATIVE_311, "lib", "python3.11")
        files = []
        for d, dirs, fs in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
            for f in sorted(fs):
                if f.endswith(".py"):
                    files.append(os.path.relpath(os.path.join(d, f), root))
        return root, files
    root = os.path.join(work, "std-" + rel)
    if not os.path.isdir(root):
        z = os.path.join(REPO, "oracle", "pyodide", "node_modules", PYODIDE[rel], "python_stdlib.zip")
        zipfile.ZipFile(z).extractall(root)
    files = []
    for d, dirs, fs in os.walk(root):
        dirs.sort()
        for f in sorted(fs):
            if f.endswith(".py"):
                files.append(os.path.relpath(os.path.join(d, f), root))
    return root, files


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["path"]] = rec
    return out


def run_oracle(rel, root, files, work):
    lst = os.path.join(root, "_difftest_list.txt")
    out_name = "_difftest_oracle.jsonl"
    with open(lst, "w", encoding="utf-8") as f:
        f.write("\n".join(files) + "\n")
    out = os.path.join(work, "oracle-%s.jsonl" % rel)
    if os.path.exists(out):
        cached = load(out)
        if set(cached) >= set(files):
            return cached
    if rel == "3.11":
        subprocess.run([os.path.join(NATIVE_311, "bin", "python3"), os.path.join(HERE, "oracle_dump.py"), lst, out, root + "/"], check=True)
    else:
        pyo = os.path.join(REPO, "oracle", "pyodide", "node_modules", PYODIDE[rel])
        subprocess.run(["node", os.path.join(HERE, "run_pyodide.mjs"), pyo, root, "_difftest_list.txt", out_name], check=True)
        os.replace(os.path.join(root, out_name), out)
    return load(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--releases", default="3.11,3.12,3.13,3.14")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--work", default=os.environ.get("DIFFTEST_WORK", "/tmp/pycode-ast-difftest"))
    ap.add_argument("--pyast", default=None, help="path of the pyast example binary")
    ap.add_argument("--show", type=int, default=12, help="failure classes to show")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    pyast = args.pyast
    if pyast is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "pycode_parser", "--example", "pyast"], check=True, cwd=REPO)
        tdir = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
        pyast = os.path.join(tdir, "release", "examples", "pyast")
    total_bad = 0
    for rel in args.releases.split(","):
        root, files = corpus(rel, args.work)
        if args.limit:
            files = files[: args.limit]
        oracle = run_oracle(rel, root, files, args.work)
        lst = os.path.join(args.work, "list-%s.txt" % rel)
        with open(lst, "w", encoding="utf-8") as f:
            f.write("\n".join(os.path.join(root, p) for p in files) + "\n")
        mine_path = os.path.join(args.work, "mine-%s.jsonl" % rel)
        subprocess.run([pyast, "--target", rel, "-a", "-i", "3", "--batch", lst, mine_path], check=True)
        mine = {os.path.relpath(k, root): v for k, v in load(mine_path).items()}
        same = 0
        classes = collections.Counter()
        examples = {}
        for p in files:
            o, m = oracle.get(p), mine.get(p)
            if o is None or m is None:
                key = "missing result"
            elif o["ok"] and m["ok"] and o["dump"] == m["dump"]:
                same += 1
                continue
            elif not o["ok"] and not m["ok"]:
                same += 1  # both reject; message equality is checked separately
                continue
            elif o["ok"] != m["ok"]:
                key = "oracle %s / mine %s" % ("ok" if o["ok"] else "error", "ok" if m["ok"] else m.get("error", "")[:80])
            else:
                ol, ml = o["dump"].split("\n"), m["dump"].split("\n")
                i = next((k for k in range(min(len(ol), len(ml))) if ol[k] != ml[k]), min(len(ol), len(ml)))
                a = ol[i].strip() if i < len(ol) else "<end>"
                b = ml[i].strip() if i < len(ml) else "<end>"
                ctx = ""
                for k in range(i, -1, -1):
                    s = ol[k].strip() if k < len(ol) else ""
                    if s and s[0].isupper() and "(" in s:
                        ctx = s.split("(")[0]
                        break
                key = "%s: oracle %r / mine %r" % (ctx, a[:60], b[:60])
            classes[key] += 1
            examples.setdefault(key, p)
        bad = len(files) - same
        total_bad += bad
        print("%s: %d/%d identical" % (rel, same, len(files)))
        for key, n in classes.most_common(args.show):
            print("   %4d  %s   e.g. %s" % (n, key, examples[key]))
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
