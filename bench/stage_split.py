#!/usr/bin/env python3
"""Where the instructions of a whole `compileall -j 1` go, stage by stage: pycode against CPython,
counted by callgrind in the same run (instruction counts are exact and repeatable; wall time on a
shared machine is not). A benchmark, not a test.

    python3 bench/stage_split.py [--pycode target/release/pycode] [--python PYTHON] [--target 3.12]
                                 [--tree DIR] [--pycode-out FILE] [--cpython-out FILE] [--no-cpython]

Each tool compiles its own fresh copy of the tree (only .py files; default corpus/stdlib-3.12.7)
under `valgrind --tool=callgrind`: `pycode compileall --target T -q -f -j 1 COPY` and
`PYTHON -m compileall -q -f -j 1 COPY` (default: pyenv's 3.12.1). --pycode-out / --cpython-out
read an existing callgrind output instead of running that tool.

Stages are inclusive counts of each stage's entry function (`callgrind_annotate --inclusive=yes`,
summed over every call, nested code objects included):

| stage | pycode | CPython |
|---|---|---|
| parse | `parse_source_warn` | `_PyPegen_run_parser_from_string` |
| symbol table | `symtable::build::build` | `_PySymtable_Build` |
| CFG + assembly + code objects | `optimize_and_assemble_owned` + `GraphBuilder::add_code` + `GraphBuilder::finish` | `optimize_and_assemble` (3.12+), `assemble` (3.11) |
| marshal | `marshal::write::dump_into` | `marshal_dumps` |

"AST optimisation + code generation" is what is left of the per-file compile (pycode:
`compile_to_marshal_into`; CPython: `Py_CompileStringObject` plus `marshal_dumps`) once the
other stages are taken out (CPython inlines its AST optimiser into `_PyAST_Compile`, so the two
cannot be told apart there); "the rest" is everything outside the per-file compile: start-up,
walking the tree, reading and writing files, the interpreter running `compileall.py`.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each stage: the entry functions summed; each entry a list of alternative names (the first
# found in the profile is used), so one table serves CPython 3.11 to 3.13.
PYCODE = {
    "parse": [["pycode_compile::parse_source_warn"]],
    "symtable": [["pycode_symtable::build::build"]],
    "cfg": [["pycode_assemble::optimize_and_assemble_owned"], ["pycode_assemble::graph::GraphBuilder::add_code"],
            ["pycode_assemble::graph::GraphBuilder::finish"]],
    "marshal": [["pycode_marshal::write::dump_into"]],
    "compile": [["pycode_compile::compile_to_marshal_into", "pycode_compile::compile_to_marshal_warn"]],
}
CPYTHON = {
    "parse": [["_PyPegen_run_parser_from_string"]],
    "symtable": [["_PySymtable_Build"]],
    "cfg": [["optimize_and_assemble", "assemble"]],
    "marshal": [["marshal_dumps", "PyMarshal_WriteObjectToString"]],
    "compile": [["Py_CompileStringObject"], ["marshal_dumps", "PyMarshal_WriteObjectToString"]],
}
ROWS = [
    ("parse", "parse (source -> AST)"),
    ("symtable", "symbol table"),
    ("codegen", "AST optimisation + code generation"),
    ("cfg", "CFG optimisation + assembly + code objects"),
    ("marshal", "marshal"),
    ("rest", "the rest (start-up, walk, read, write)"),
]


def find_python312():
    for cand in ("/root/.pyenv/versions/3.12.1/bin/python3", shutil.which("python3.12")):
        if cand and os.path.exists(cand):
            return cand
    return None


def copy_tree(src, dst):
    for dirpath, _, files in os.walk(src, followlinks=True):
        rel = os.path.relpath(dirpath, src)
        for f in files:
            if f.endswith(".py"):
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                shutil.copyfile(os.path.join(dirpath, f), os.path.join(dst, rel, f))


def tree_bytes(tree):
    return sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(tree, followlinks=True)
               for f in fs if f.endswith(".py"))


def callgrind(cmd, out):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if not os.path.exists(out):
        sys.exit("stage_split: callgrind failed for %s:\n%s" % (" ".join(cmd), r.stderr[-2000:]))


LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")


def inclusive(out):
    """{function name: inclusive count} and the program total. callgrind lists a function once per
    source file its instructions came from (inlined code), each entry with the calls made from
    there; the entry of its own symbol (the largest) holds the whole, so that one is taken."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no", out],
                          capture_output=True, text=True, cwd="/").stdout
    total, funcs = None, {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        rest = m.group(2)
        if rest.startswith("PROGRAM TOTALS"):
            total = n
            continue
        if " [" in rest and rest.endswith("]"):
            rest = rest[: rest.rindex(" [")]
        name = rest.split(":", 1)[1] if ":" in rest else rest
        funcs[name] = max(funcs.get(name, 0), n)
    if total is None:
        sys.exit("stage_split: no totals in %s" % out)
    return total, funcs


def split(total, funcs, table):
    out = {}
    for stage, entries in table.items():
        n = 0
        for names in entries:
            found = [x for x in names if x in funcs]
            if not found:
                sys.exit("stage_split: none of %s in the profile (renamed? update the table in %s)"
                         % (names, os.path.basename(__file__)))
            n += funcs[found[0]]
        out[stage] = n
    out["codegen"] = out["compile"] - out["parse"] - out["symtable"] - out["cfg"] - out["marshal"]
    out["rest"] = total - out["compile"]
    out["total"] = total
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pycode", default=os.path.join(ROOT, "target", "release", "pycode"))
    ap.add_argument("--python", default=None, help="CPython to compare (default pyenv 3.12.1)")
    ap.add_argument("--target", default="3.12")
    ap.add_argument("--tree", default=os.path.join(ROOT, "corpus", "stdlib-3.12.7"))
    ap.add_argument("--pycode-out", default=None)
    ap.add_argument("--cpython-out", default=None)
    ap.add_argument("--no-cpython", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.tree):
        sys.exit("stage_split: no tree %s (python3 oracle/fetch_corpus.py stdlib-3.12.7, or --tree)" % args.tree)
    size = tree_bytes(args.tree)
    work = tempfile.mkdtemp(prefix="stage_split_")
    try:
        pout = args.pycode_out
        if pout is None:
            copy_tree(args.tree, os.path.join(work, "p"))
            pout = os.path.join(work, "pycode.cg")
            callgrind([args.pycode, "compileall", "--target", args.target, "-q", "-f", "-j", "1",
                       os.path.join(work, "p")], pout)
        p = split(*inclusive(pout), PYCODE)
        c = None
        if not args.no_cpython:
            cout = args.cpython_out
            if cout is None:
                python = args.python or find_python312()
                if python is None:
                    sys.exit("stage_split: no CPython 3.12 found: --python PATH or --no-cpython")
                copy_tree(args.tree, os.path.join(work, "c"))
                cout = os.path.join(work, "cpython.cg")
                callgrind([python, "-m", "compileall", "-q", "-f", "-j", "1", os.path.join(work, "c")], cout)
            c = split(*inclusive(cout), CPYTHON)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("tree %s: %.2f MB; pycode --target %s; instructions (callgrind), M = 10^6" % (args.tree, size / 1e6, args.target))
    print()
    if c:
        print("| stage | CPython | pycode | CPython / pycode | pycode per byte |")
        print("|---|---|---|---|---|")
    else:
        print("| stage | pycode | pycode per byte |")
        print("|---|---|---|")
    for key, label in ROWS + [("total", "**whole job**")]:
        pv = p[key]
        if c:
            ratio = "%.2f" % (c[key] / pv) if pv > 0 else "-"
            print("| %s | %s M | %s M | %s | %.1f |" % (label, format(round(c[key] / 1e6), ","), format(round(pv / 1e6), ","), ratio, pv / size))
        else:
            print("| %s | %s M | %.1f |" % (label, format(round(pv / 1e6), ","), pv / size))
    if c:
        print()
        print("10x less than CPython would be %s M for the whole job (today %s M: %.2fx)."
              % (format(round(c["total"] / 10e6), ","), format(round(p["total"] / 1e6), ","), c["total"] / p["total"]))


if __name__ == "__main__":
    main()
