"""Oracle driver: runs INSIDE the reference interpreter (native CPython or Pyodide).

Given a job (JSON: corpus root, output root, relative file paths, feature names, path of
oracle/features.py), it runs every feature on every file and writes outputs to
`<out>/<rel><suffix>`. Progress goes to stdout as one line per event, read by oracle/refs.py:

  @@BEGIN <index>
  @@FILE {"i": index, "file": rel, "results": {feature: [status, detail]}}
  @@END

Native use:   python3 driver.py JOB.json
Pyodide use:  oracle/pyodide_driver.mjs execs this file, then calls run_job_file(path).
Must stay runnable by every target release (3.11 .. 3.14).
"""

import json
import os
import shutil
import sys
import tempfile
import traceback


def _emit(tag, payload=""):
    sys.stdout.write("%s %s\n" % (tag, payload) if payload != "" else tag + "\n")
    sys.stdout.flush()


def _write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if isinstance(data, str):
        with open(path, "w", encoding="utf-8", newline="", errors="surrogateescape") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def run_job(job):
    ns = {"__name__": "oracle_features"}
    with open(job["features_py"], "rb") as f:
        src = f.read()
    exec(compile(src, job["features_py"], "exec"), ns)
    features = ns["FEATURES"]
    Rejected = ns["Rejected"]
    NotApplicable = ns["NotApplicable"]
    Ctx = ns["Ctx"]
    wanted = job["features"]
    for name in wanted:
        if name not in features:
            raise SystemExit("driver: unknown feature %r (known: %s)" % (name, sorted(features)))

    # The corpus root becomes the working directory; it must not shadow the oracle's own
    # stdlib (Pyodide puts the working directory on sys.path, and a corpus may be a stdlib).
    root = os.path.abspath(job["root"])
    sys.path[:] = [p for p in sys.path
                   if p not in ("", ".") and os.path.abspath(p) != root and not
                   os.path.abspath(p).startswith(root + os.sep)]
    os.chdir(root)
    out_root = job["out"]
    tmp = tempfile.mkdtemp(prefix="pycode-oracle-")
    try:
        for i, rel in enumerate(job["files"]):
            _emit("@@BEGIN", str(i))
            ctx = Ctx(rel, tmp)
            results = {}
            for name in wanted:
                outputs = {}
                try:
                    outputs = features[name](ctx)
                    status, detail = "ok", ""
                except Rejected as r:
                    status, detail, outputs = "rejected", r.detail, r.outputs
                except NotApplicable as e:
                    status, detail = "n/a", str(e)
                except Exception:  # CPython itself failed to produce the reference
                    status, detail = "crash", traceback.format_exc()
                for suffix, data in outputs.items():
                    _write(os.path.join(out_root, rel + suffix), data)
                results[name] = [status, detail]
            _emit("@@FILE", json.dumps({"i": i, "file": rel, "results": results}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _emit("@@END")


def run_job_file(path):
    with open(path, encoding="utf-8") as f:
        run_job(json.load(f))


if __name__ == "__main__":
    run_job_file(sys.argv[1])
