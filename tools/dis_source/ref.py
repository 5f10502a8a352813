"""Expected text of `pycode dis [-m MODE] FILE.py` for crates/pycode_cli/tests/fixtures/dis_source:
`dis.dis(compile(source, NAME, MODE))` with MODE from the file name prefix (exec_/eval_/single_),
written to NAME.<X.Y.Z>.txt. Run inside that fixture directory with the release's interpreter
(native: PYTHONHASHSEED=0; frozenset order then matches `--set-order 64`)."""
import contextlib, dis, glob, io, platform
ver = platform.python_version()
for f in sorted(glob.glob("*.py")):
    mode = f.split("_", 1)[0]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        dis.dis(compile(open(f, "rb").read(), f, mode))
    open(f"{f[:-3]}.{ver}.txt", "w").write(buf.getvalue())
