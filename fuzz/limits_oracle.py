"""Expected outcomes of the limit fixtures (crates/pycode_fuzzkit/tests/data/limits.in) from real
CPython: runs `python -m py_compile` on each expanded program and writes `limits.expected`
(`name | outcome`), outcome = `OK`, `Class: message @line` (SyntaxError family) or `Class: message`.

usage: python3 fuzz/limits_oracle.py /root/.pyenv/versions/3.12.1/bin/python3
"""
import os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "crates", "pycode_fuzzkit", "tests", "data")


def expand(t):
    """The template language of pycode_fuzzkit::gen::expand."""
    out, i, n = [], 0, len(t)
    esc = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
    while i < n:
        c = t[i]
        if c == "\\" and i + 1 < n:
            out.append(esc.get(t[i + 1], t[i + 1])); i += 2; continue
        if c == "{":
            parts, cur, part, i = ["", "", ""], [], 0, i + 1
            while i < n:
                d = t[i]
                if d == "\\" and i + 1 < n:
                    parts[part] += esc.get(t[i + 1], t[i + 1]); i += 2; continue
                if d == "}":
                    i += 1; break
                if d == "*" and part == 0 and i + 1 < n and t[i + 1].isdigit():
                    part = 1; i += 1; continue
                if d == "," and part == 1:
                    part = 2; i += 1; continue
                parts[part] += d; i += 1
            cnt = int(parts[1] or "1")
            out.append(parts[2].join([parts[0]] * cnt)); continue
        out.append(c); i += 1
    return "".join(out)


def blocks(header, footer, n):
    s = "".join(" " * i + header + "\n" for i in range(n)) + " " * n + "pass\n"
    if footer:
        s += "".join(" " * i + footer + "\n" for i in reversed(range(n)))
    return s


def program(t):
    m = re.fullmatch(r"@(INDENT|FOR|TRY)(\d+)", t)
    if m:
        k, n = m.group(1), int(m.group(2))
        return blocks({"INDENT": "if x:", "FOR": "for x in y:", "TRY": "try:"}[k], "finally: pass" if k == "TRY" else None, n)
    return expand(t)


def norm(out, rc):
    if rc == 0:
        return "OK"
    lines = [l for l in out.splitlines() if l.strip()]
    last = lines[-1] if lines else f"rc={rc}"
    m = re.match(r"Sorry: (\w+): (.*?)(?: \(([^,]*), line (\d+)\))?$", last)
    if m:
        return f"{m.group(1)}: {m.group(2)}" + (f" @{m.group(4)}" if m.group(4) else "")
    line = None
    for l in lines:
        mm = re.match(r'\s*File "[^"]*", line (\d+)', l)
        if mm:
            line = mm.group(1)
    return last + (f" @{line}" if line else "")


def main():
    py = sys.argv[1]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for raw in open(os.path.join(DATA, "limits.in"), encoding="utf-8"):
            if not raw.strip() or raw.startswith("#"):
                continue
            name, t = [x.strip() for x in raw.rstrip("\n").split(" | ", 1)]
            f = os.path.join(d, "t.py")
            with open(f, "w", encoding="utf-8") as fh:
                fh.write(program(t))
            r = subprocess.run([py, "-m", "py_compile", f], capture_output=True, text=True, errors="replace")
            rows.append(f"{name} | {norm(r.stderr, r.returncode)}")
            print(rows[-1][:160], flush=True)
    ver = subprocess.run([py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(DATA, f"limits-{ver}.expected"), "w", encoding="utf-8") as fh:
        fh.write(f"# python -m py_compile of CPython {ver}, by fuzz/limits_oracle.py\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
