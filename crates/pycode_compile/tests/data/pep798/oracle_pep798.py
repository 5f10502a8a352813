# Runs inside the oracle (tools/pyodide_exec.mjs calls main): for every fixture NAME.py in
# SRC_DIR, `marshal.dumps(compile(source, NAME.py, 'exec', dont_inherit=True, optimize=N))` into
# OUT_DIR/NAME.py.O{N}.marshal, or, when the release rejects it, OUT_DIR/NAME.py.err holding
# "msg|lineno|offset|end_lineno|end_offset" of the SyntaxError. The warnings compile() emits at
# level N (category, line, message; PEP 765's `'return' in a 'finally' block`) go to
# OUT_DIR/NAME.py.O{N}.warnings when there are any.
import marshal
import os
import warnings


def main(src_dir, out_dir):
    lines = []
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith(".py") or name.startswith(("oracle_", "regen")):
            continue
        src = open(os.path.join(src_dir, name), "rb").read()
        for level in range(3):
            try:
                co = compile(src, name, "exec", dont_inherit=True, optimize=level)
            except SyntaxError as e:
                with open(os.path.join(out_dir, name + ".err"), "w") as f:
                    f.write("%s|%s|%s|%s|%s\n" % (e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset))
                lines.append("%s rejected: %s" % (name, e.msg))
                break
            with open(os.path.join(out_dir, "%s.O%d.marshal" % (name, level)), "wb") as f:
                f.write(marshal.dumps(co))
            del co
            # the warnings from a second compile (holding no code object while dumping)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                compile(src, name, "exec", dont_inherit=True, optimize=level)
            if caught:
                with open(os.path.join(out_dir, "%s.O%d.warnings" % (name, level)), "w") as f:
                    for w in caught:
                        f.write("%s:%d: %s\n" % (w.category.__name__, w.lineno, w.message))
        else:
            lines.append("%s ok" % name)
    return "\n".join(lines)
