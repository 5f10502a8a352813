#!/usr/bin/env python3
"""Regenerate the references of the eval/single-mode fixtures with real CPython (the oracle of
oracle/refs.py for that release: 3.12.7 and 3.13.2 are Pyodide under node, 3.13.0 the native
pyenv build):

    python3 crates/pycode_compile/tests/data/modes/regen.py                    # 3.12.7
    python3 crates/pycode_compile/tests/data/modes/regen.py --release 3.13.2   # into 3.13.2/

Writes `NAME.MODE.py.O{0,1,2}.marshal` for every fixture `NAME.MODE.py` (MODE = eval,
single or exec) in this directory, next to it for 3.12.7 and in the subdirectory named after
the release otherwise
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
    release = "3.12.7"
    if sys.argv[1:2] == ["--release"] and len(sys.argv) == 3:
        release = sys.argv[2]
    elif sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    kind, where = refs.oracle_for(release)
    out = HERE if release == "3.12.7" else os.path.join(HERE, release)
    os.makedirs(out, exist_ok=True)
    files = sorted(n for n in os.listdir(HERE) if n.endswith((".eval.py", ".single.py", ".exec.py")))
    for n in os.listdir(out):
        if n.endswith(".marshal"):
            os.unlink(os.path.join(out, n))
    host = "/host" if kind == "pyodide" else ""
    job = {"root": host + HERE, "out": host + out, "files": files, "features": ["modes"],
           "features_py": host + os.path.join(HERE, "oracle_modes.py")}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as jf:
        json.dump(job, jf)
    try:
        if kind == "pyodide":
            cmd = ["node", refs.PYODIDE_DRIVER, where, refs.DRIVER, jf.name]
        else:
            cmd = [where, "-s", "-X", "utf8", refs.DRIVER, jf.name]
        p = subprocess.run(cmd, capture_output=True, text=True, env=refs._oracle_env())
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
