"""Expected outputs of tests/encodings/src/*.py: what each release's `python -m ast -a FILE`
prints (run in src/, so FILE is the bare name), or on failure "ERROR\n" plus
`traceback.format_exception_only` of the exception, into expected/NAME.<major.minor>.txt.

    python3 make_expected.py                     # native 3.11.7
    node ../../../../oracle/pyodide_driver.mjs ../../../../oracle/pyodide/node_modules/pyodide-0.27.7 \
        make_expected.py job.json                # job.json: {"dir": "/host" + this directory}
(3.12.7: pyodide-0.27.7, 3.13.2: pyodide-0.29.3, 3.14.2: pyodide-314.0.7)."""
import ast
import contextlib
import io
import json
import os
import sys
import traceback
import warnings


def run(here):
    rel = "%d.%d" % sys.version_info[:2]
    src = os.path.join(here, "src")
    os.chdir(src)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".py"):
            continue
        out = io.StringIO()
        saved = sys.argv
        sys.argv = ["python -m ast", "-a", name]
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(out):
                warnings.simplefilter("ignore")
                ast.main()
            text = out.getvalue()
        except (SyntaxError, ValueError) as e:
            text = "ERROR\n" + "".join(traceback.format_exception_only(type(e), e))
        finally:
            sys.argv = saved
        with open(os.path.join(here, "expected", "%s.%s.txt" % (name[:-3], rel)), "w",
                  encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)


def run_job_file(path):
    with open(path) as f:
        run(json.load(f)["dir"])


if __name__ == "__main__":
    run(os.path.dirname(os.path.abspath(__file__)))
