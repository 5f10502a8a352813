#!/usr/bin/env python3
"""Regenerates tests/fixtures/expected/<name>.<release>.txt with real CPython (`python -m ast -a`):
3.11 with the native interpreter, 3.12/3.13/3.14 with the pinned Pyodide builds. A file a release
rejects gets the line `ERROR <ExceptionClass>`."""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
sys.path.insert(0, HERE)
from difftest import PYODIDE, REPO, NATIVE_311  # noqa: E402

def main():
    names = sorted(f for f in os.listdir(FIX) if f.endswith(".py"))
    os.makedirs(os.path.join(FIX, "expected"), exist_ok=True)
    lst = os.path.join(FIX, "_list.txt")
    with open(lst, "w") as f:
        f.write("\n".join(names) + "\n")
    for rel in ("3.11", "3.12", "3.13", "3.14"):
        out = os.path.join(FIX, "_out.jsonl")
        if rel == "3.11":
            subprocess.run([os.path.join(NATIVE_311, "bin", "python3"), os.path.join(HERE, "oracle_dump.py"), lst, out, FIX + "/"], check=True)
        else:
            pyo = os.path.join(REPO, "oracle", "pyodide", "node_modules", PYODIDE[rel])
            subprocess.run(["node", os.path.join(HERE, "run_pyodide.mjs"), pyo, os.path.abspath(FIX), "_list.txt", "_out.jsonl"], check=True)
        for line in open(out, encoding="utf-8"):
            rec = json.loads(line)
            text = rec["dump"] if rec["ok"] else "ERROR " + rec["error"].split(":")[0]
            with open(os.path.join(FIX, "expected", "%s.%s.txt" % (rec["path"][:-3], rel)), "w", encoding="utf-8") as f:
                f.write(text + "\n")
        os.remove(out)
    os.remove(lst)

if __name__ == "__main__":
    main()
