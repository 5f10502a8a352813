#!/usr/bin/env python3
"""Where the instructions of a whole `compileall -j 1` go, stage by stage: pycode against CPython,
counted by callgrind in the same run (instruction counts are exact and repeatable; wall time on a
shared machine is not). A benchmark, not a test.

    python3 bench/stage_split.py [--pycode target/release/pycode] [--python PYTHON] [--target 3.12]
                                 [--tree DIR] [--pycode-out FILE] [--cpython-out FILE] [--no-cpython]
                                 [--cache]

--cache also simulates the caches and branch predictor (callgrind --cache-sim=yes
--branch-sim=yes, about three times slower) and prints, per stage, the L1 instruction-cache
misses, L1 data-cache misses and mispredicted branches next to the instructions. Time is not
instructions alone: an L1 miss that hits L2 costs ~10-15 cycles and a mispredict ~15-20, so two
programs with the same instruction ratio can differ in CPU time (docs/throughput.md, "Session
13"). The --pycode-out / --cpython-out files must then come from such a run too.

Each tool compiles its own fresh copy of the tree (only .py files; default corpus/stdlib-3.12.7)
under `valgrind --tool=callgrind`: `pycode compileall --target T -q -f -j 1 COPY` and
`PYTHON -m compileall -q -f -j 1 COPY` (default: pyenv's 3.12.1). --pycode-out / --cpython-out
read an existing callgrind output instead of running that tool.

Stages are inclusive counts of each stage's entry function (`callgrind_annotate --inclusive=yes`,
summed over every call, nested code objects included):

| stage | pycode | CPython |
|---|---|---|
| parse | `parse_source_arena` (before the arena tree: `parse_source_warn`) | `_PyPegen_run_parser_from_string` |
| symbol table | `symtable::build::arena::build_arena` (before: `build`, `build_sets`) | `_PySymtable_Build` |
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
    "parse": [["pycode_compile::parse_source_arena", "pycode_compile::parse_source_warn"]],
    "symtable": [["pycode_symtable::build::arena::build_arena", "pycode_symtable::build::build",
                  "pycode_symtable::build::build_sets"]],
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


def callgrind(cmd, out, cache=False):
    sim = ["--cache-sim=yes", "--branch-sim=yes"] if cache else []
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + sim + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if not os.path.exists(out):
        sys.exit("stage_split: callgrind failed for %s:\n%s" % (" ".join(cmd), r.stderr[-2000:]))


PERCENT = re.compile(r"\(\s*[\d.]+%\)")
# The events --cache shows, and how they are summed into the columns printed.
CACHE_EVENTS = ["Ir", "I1mr", "D1mr", "D1mw", "Bcm", "Bim"]
COLUMNS = [("Ir", ["Ir"], "instructions"), ("I1", ["I1mr"], "L1i misses"), ("D1", ["D1mr", "D1mw"], "L1d misses"),
           ("Bm", ["Bcm", "Bim"], "mispredicts")]


def inclusive(out, events=("Ir",)):
    """{function name: [inclusive count per event]} and the program totals. callgrind lists a
    function once per source file its instructions came from (inlined code), each entry with the
    calls made from there; the entry of its own symbol (the largest) holds the whole, so that one
    is taken (per event)."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no",
                           "--show=" + ",".join(events), out],
                          capture_output=True, text=True, cwd="/").stdout
    total, funcs = None, {}
    for line in text.splitlines():
        words = PERCENT.sub(" ", line).split()
        nums = []
        while words and re.fullmatch(r"[\d,]+", words[0]) and len(nums) < len(events):
            nums.append(int(words.pop(0).replace(",", "")))
        if len(nums) != len(events) or not words:
            continue
        rest = " ".join(words)
        if rest.startswith("PROGRAM TOTALS"):
            total = nums
            continue
        if " [" in rest and rest.endswith("]"):
            rest = rest[: rest.rindex(" [")]
        name = rest.split(":", 1)[1] if ":" in rest else rest
        old = funcs.get(name)
        funcs[name] = nums if old is None else [max(a, b) for a, b in zip(old, nums)]
    if total is None:
        sys.exit("stage_split: no totals in %s" % out)
    return total, funcs


def split(total, funcs, table, event=0):
    """The stages of one event (its index in the profile's columns)."""
    out = {}
    for stage, entries in table.items():
        n = 0
        for names in entries:
            found = [x for x in names if x in funcs]
            if not found:
                sys.exit("stage_split: none of %s in the profile (renamed? update the table in %s)"
                         % (names, os.path.basename(__file__)))
            n += funcs[found[0]][event]
        out[stage] = n
    out["codegen"] = out["compile"] - out["parse"] - out["symtable"] - out["cfg"] - out["marshal"]
    out["rest"] = total[event] - out["compile"]
    out["total"] = total[event]
    return out


def column(total, funcs, table, events):
    """One column of COLUMNS per entry: the stages of the events it sums."""
    cols = {}
    for key, parts, _ in COLUMNS:
        per = [split(total, funcs, table, events.index(e)) for e in parts]
        cols[key] = {stage: sum(x[stage] for x in per) for stage in per[0]}
    return cols


def mega(n):
    return format(round(n / 1e6), ",") if n >= 10e6 else "%.1f" % (n / 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pycode", default=os.path.join(ROOT, "target", "release", "pycode"))
    ap.add_argument("--python", default=None, help="CPython to compare (default pyenv 3.12.1)")
    ap.add_argument("--target", default="3.12")
    ap.add_argument("--tree", default=os.path.join(ROOT, "corpus", "stdlib-3.12.7"))
    ap.add_argument("--pycode-out", default=None)
    ap.add_argument("--cpython-out", default=None)
    ap.add_argument("--no-cpython", action="store_true")
    ap.add_argument("--cache", action="store_true", help="also simulate caches and branches")
    args = ap.parse_args()
    events = CACHE_EVENTS if args.cache else ["Ir"]
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
                       os.path.join(work, "p")], pout, args.cache)
        ptotal, pfuncs = inclusive(pout, events)
        p = split(ptotal, pfuncs, PYCODE)
        pcols = column(ptotal, pfuncs, PYCODE, events) if args.cache else None
        c = ccols = None
        if not args.no_cpython:
            cout = args.cpython_out
            if cout is None:
                python = args.python or find_python312()
                if python is None:
                    sys.exit("stage_split: no CPython 3.12 found: --python PATH or --no-cpython")
                copy_tree(args.tree, os.path.join(work, "c"))
                cout = os.path.join(work, "cpython.cg")
                callgrind([python, "-m", "compileall", "-q", "-f", "-j", "1", os.path.join(work, "c")], cout, args.cache)
            ctotal, cfuncs = inclusive(cout, events)
            c = split(ctotal, cfuncs, CPYTHON)
            ccols = column(ctotal, cfuncs, CPYTHON, events) if args.cache else None
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
    if pcols:
        print()
        print("Simulated caches and branches (callgrind's L1 = this machine's sizes), M = 10^6:")
        print()
        head = " | ".join("%s%s" % (("CPython / pycode " if ccols else "pycode "), label) for _, _, label in COLUMNS)
        print("| stage | %s |" % head)
        print("|---|%s" % ("---|" * len(COLUMNS)))
        for key, label in ROWS + [("total", "**whole job**")]:
            cells = []
            for k, _, _ in COLUMNS:
                pv = pcols[k][key]
                cells.append("%s / %s" % (mega(ccols[k][key]), mega(pv)) if ccols else mega(pv))
            print("| %s | %s |" % (label, " | ".join(cells)))


if __name__ == "__main__":
    main()
