"""Runs INSIDE a reference interpreter (native CPython, or Pyodide via tools/pyodide_exec.mjs).

main(job.json): job = {"root": corpus dir, "out": output dir, "files": [rel, ...],
"levels": [0, 1, 2]}. With the working directory at root, writes for every file and level what
`py_compile.compile(rel, cfile=..., optimize=N, invalidation_mode=UNCHECKED_HASH)` writes, to
<out>/<rel>.O<N>.pyc (so co_filename is the relative path, as in oracle/refs.py), or
<out>/<rel>.O<N>.err with the exception when CPython rejects the file. Returns "ok N rejected M".
"""
import json
import os
import py_compile
import traceback
import warnings


def main(job_path):
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    os.chdir(job["root"])
    warnings.simplefilter("ignore")
    ok = rejected = 0
    for rel in job["files"]:
        for level in job["levels"]:
            base = os.path.join(job["out"], rel + ".O%d" % level)
            os.makedirs(os.path.dirname(base), exist_ok=True)
            for stale in (base + ".pyc", base + ".err"):
                if os.path.exists(stale):
                    os.unlink(stale)
            try:
                py_compile.compile(rel, cfile=base + ".pyc", doraise=True, optimize=level,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                ok += 1
            except Exception:
                with open(base + ".err", "w", encoding="utf-8") as f:
                    f.write("".join(traceback.format_exc()))
                rejected += 1
    return "ok %d rejected %d" % (ok, rejected)


if __name__ == "__main__":
    import sys
    print(main(sys.argv[1]))
