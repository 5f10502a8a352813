#!/usr/bin/env python3
"""Regenerate the references of the eval/single-mode fixtures with real CPython 3.12.7
(Pyodide 0.27.7 under node, the oracle of oracle/refs.py):

    python3 crates/pycode_compile/tests/data/modes/regen.py

Writes `NAME.MODE.py.O{0,1,2}.marshal` next to every fixture `NAME.MODE.py` (MODE = eval,
single or exec) in this directory
(see oracle_modes.py for what they hold) and prints one line per fixture. The test
`tests/modes.rs` compares pycode's output with these bytes."""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.realpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "oracle"))
import refs  # noqa: E402  (oracle/refs.py: where the Pyodide build is)


def main():
    kind, pkg = refs.oracle_for("3.12.7")
    assert kind == "pyodide"
    files = sorted(n for n in os.listdir(HERE) if n.endswith((".eval.py", ".single.py", ".exec.py")))
    for n in os.listdir(HERE):
        if n.endswith(".marshal"):
            os.unlink(os.path.join(HERE, n))
    job = {"root": "/host" + HERE, "out": "/host" + HERE, "files": files, "features": ["modes"],
           "features_py": "/host" + os.path.join(HERE, "oracle_modes.py")}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as jf:
        json.dump(job, jf)
    try:
        p = subprocess.run(["node", refs.PYODIDE_DRIVER, pkg, refs.DRIVER, jf.name],
                           capture_output=True, text=True, env=refs._oracle_env())
    finally:
        os.unlink(jf.name)
    bad = p.returncode != 0
    for line in p.stdout.splitlines():
        if line.startswith("@@FILE "):
            rec = json.loads(line[len("@@FILE "):])
            status, detail = rec["results"]["modes"]
            print("%-40s %s %s" % (rec["file"], status, detail.strip()[-300:]))
            bad |= status != "ok"
    if p.returncode != 0:
        print(p.stderr[-2000:], file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
