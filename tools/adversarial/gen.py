#!/usr/bin/env python3
"""Write a directory of adversarial-but-valid Python 3.12 programs for the compiler's less
travelled corners: constant folding of huge numbers, non-ASCII identifiers in every place an
identifier can become a constant or a name, f-strings with nesting / format specs / debug
text / 1-character pieces, and 1-character strings. Deterministic for a given seed.

usage: gen.py [--seed N] [--count N] OUT_DIR

Compare pycode with CPython on the result with tools/adversarial/compare.py OUT_DIR. The files
are only compiled, never run, so names need not exist; every file is meant to compile (a file
CPython rejects is left out of the comparison, see compare.py).
"""
import argparse
import os
import random
import unicodedata

# ---------------------------------------------------------------------------- numbers

INTS = [
    "0", "1", "-1", "2", "3", "7", "8", "10", "255", "256", "257", "-5", "-6",
    "2**31", "2**32", "2**52", "2**53", "2**53 + 1", "2**53 - 1", "2**54 + 3", "2**62", "2**63",
    "2**63 - 1", "2**64", "2**64 - 1", "-2**63", "10**15", "10**16", "10**17", "10**18", "10**19",
    "10**20", "3**40", "7**45", "2**100", "2**127", "2**128", "2**129", "10**38", "10**39",
    "2**1023", "2**1024", "10**300", "10**308", "10**309", "10**320", "10**400", "2**1074",
    "2**1075", "123456789012345678901234567890", "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "0x1FFFFFFFFFFFFF", "0x20000000000001", "0x20000000000003", "9007199254740993",
    "18446744073709551615", "170141183460469231731687303715884105727", "1_000_000_000_000_000_000",
    "0o777777777777777777777777", "0b" + "1" * 70,
]
FLOATS = ["0.5", "1.5", "-0.0", "0.0", "1e308", "1.7976931348623157e308", "1e-308", "5e-324",
          "2.2250738585072014e-308", "1e16", "9007199254740993.0", "0.1", "3.0", "1e300", "float('inf')"]
COMPLEX = ["1j", "2+3j", "-1j", "1e308j", "0j", "(1+1j)"]
BOOLS = ["True", "False"]
BINOPS = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"]


def number(r, depth=0):
    k = r.random()
    if depth < 2 and k < 0.3:
        return "(%s %s %s)" % (number(r, depth + 1), r.choice(BINOPS), number(r, depth + 1))
    if k < 0.35:
        return "(%s(%s))" % (r.choice(["-", "+", "~", "not "]), number(r, depth + 1))
    pool = r.choice([INTS, INTS, INTS, FLOATS, COMPLEX, BOOLS])
    v = r.choice(pool)
    return "(%s)" % v if any(c in v for c in "*+- ") else v


def division_cases(r):
    """int / int with operands beyond 2**53, where correct rounding matters."""
    out = []
    big = ["10**18", "10**19", "2**53 + 1", "2**64 + 1", "3**60", "7**40", "10**30 + 7",
           "2**1023 * 3", "10**308 * 10", "10**400", "2**1100", "-10**18", "-(2**70 + 1)", "1"]
    small = ["8", "3", "7", "-3", "10**18", "3**41", "2**60 - 1", "10**330", "10**400", "2**1074",
             "2**1075", "-7", "2**1200", "10**500 + 1"]
    for _ in range(r.randint(3, 8)):
        out.append("%s / %s" % (r.choice(big + small), r.choice(small + big)))
    return out


def seq_cases(r):
    """Sequence repetition and shift / power / product size limits of ast_opt.c."""
    cases = [
        "'ab' * %d" % r.choice([2047, 2048, 2049, 4096]), "'é' * %d" % r.choice([4095, 4096, 4097]),
        "b'x' * %d" % r.choice([4096, 4097]), "(1, 2) * %d" % r.choice([127, 128, 129]),
        "((1, 2), (3, 4)) * %d" % r.choice([100, 128, 200]), "%d * ('a',)" % r.choice([255, 256, 257]),
        "'' * %d" % r.choice([0, 5, 1000]), "() * 3", "'x' * -1", "(None,) * 0", "'ab' * True",
        "1 << %d" % r.choice([63, 64, 127, 128, 129]), "%s << %d" % (r.choice(INTS[:20]), r.choice([1, 60, 100])),
        "2 ** %d" % r.choice([63, 64, 127, 128, 129]), "%s ** %d" % (r.choice(["3", "10", "-2", "2**64"]), r.choice([2, 3, 30, 40])),
        "(2**64) * (2**64)", "(2**64) * (2**65)", "(2**100) * (2**28)", "-(2**64) * (2**63)",
        "(-2) ** -1", "2 ** -1074", "2 ** -1075", "10 ** -400", "0 ** -1", "2.0 ** 1024",
        "(-8) ** (1/3)", "(2**64) % 7", "(-(2**64)) // 7", "(2**64) >> 70", "-(2**64) >> 200",
        "(2**128) - 1 & 0xFF", "~(2**64)", "-(-(2**63))",
    ]
    return r.sample(cases, r.randint(4, 10))


def gen_numbers(r, lines):
    for i in range(r.randint(8, 25)):
        lines.append("n%d = %s" % (i, number(r)))
    for i, c in enumerate(division_cases(r)):
        lines.append("d%d = %s" % (i, c))
    for i, c in enumerate(seq_cases(r)):
        lines.append("s%d = %s" % (i, c))
    lines.append("def numbers():")
    for c in division_cases(r) + [number(r) for _ in range(3)]:
        lines.append("    yield %s" % c)
    lines.append("")


# ---------------------------------------------------------------------------- names

NAMES = ["Café", "é", "ñ", "ü", "Ω", "ß", "中文", "ä1", "ﬁle", "ℌ", "µ", "Ǆ", "𝔘nit", "_ñ", "ÿ",
         "naïve", "Ā", "ǅx", "ｆｕｌｌ", "ª", "Ölçü", "λ", "x", "São_Paulo", "Ⅸ", "ℕ", "zé"]


def nm(r):
    return r.choice(NAMES)


def distinct(r, n):
    """n names that stay distinct after NFKC normalisation (as the parser sees them)."""
    out, seen = [], set()
    for x in r.sample(NAMES, len(NAMES)):
        k = unicodedata.normalize("NFKC", x)
        if k not in seen:
            seen.add(k)
            out.append(x)
        if len(out) == n:
            break
    return out


def gen_names(r, lines):
    c, m, a, k, p, q, u, v = distinct(r, 8)
    if r.random() < 0.5:
        lines.append("before = %r" % r.choice([c, m, a, k, c + "." + m]))
    lines.append("import %s" % nm(r))
    lines.append("from %s import %s, %s as %s" % (nm(r), nm(r), nm(r), nm(r)))
    lines.append("from . import %s" % nm(r))
    lines.append("%s: int = 1" % nm(r))
    lines.append("class %s:" % c)
    lines.append("    %s: int" % a)
    lines.append("    __%s = 1" % nm(r))
    lines.append("    def %s(self, %s, /, %s=1, *, %s=2, __%s=3, **kw) -> %s:" % (m, p, q, k, u, c))
    lines.append("        self.%s = %s" % (a, p))
    lines.append("        return %s(%s=%s, %s=1, **kw).%s" % (nm(r), k, q, u, a))
    lines.append("    class %s:" % nm(r))
    lines.append("        def %s(self): return __class__, %r" % (nm(r), r.choice([c, m, "é", "ñ"])))
    lines.append("    @staticmethod")
    lines.append("    def __%s(%s: %s = None, *%s: int): pass" % (nm(r), p, c, u))
    lines.append("def %s(%s, *, %s=%r):" % (nm(r), p, k, r.choice([c, m, "é"])))
    lines.append("    global %s" % v)
    lines.append("    class %s(%s, metaclass=%s, %s=1):" % (c, nm(r), nm(r), k))
    lines.append("        %s = lambda %s=0, *, %s=1: %s" % (nm(r), p, q, p))
    lines.append("    def %s():" % nm(r))
    lines.append("        nonlocal %s" % p)
    lines.append("        return [%s for %s in %s if %s]" % (q, q, p, q))
    lines.append("    %s.%s(%s=1, %s=2, %s=3)" % (nm(r), nm(r), k, q, u))
    lines.append("    return %s" % c)
    lines.append("match %s:" % nm(r))
    lines.append("    case %s(%s=1, %s=[%s, *%s]) if %s:" % (c, a, k, p, q, m))
    lines.append("        pass")
    lines.append("    case {%r: %s, **%s}:" % (a, p, q))
    lines.append("        pass")
    lines.append("    case %s.%s | %s.%s:" % (c, a, m, k))
    lines.append("        pass")
    lines.append("def %s[%s, *%s, **%s](%s: %s) -> %s: pass" % (nm(r), "T" + nm(r), "Ts" + nm(r), "P" + nm(r), p, "T" + nm(r), c))
    lines.append("class %s[%s: int, %s]: pass" % (nm(r) + "G", "T" + nm(r), "U" + nm(r)))
    lines.append("type %s[%s] = list[%s]" % (nm(r) + "A", "T" + nm(r), nm(r)))
    lines.append("%s = {%r: 1, %r: 2}" % (nm(r), a, k))
    lines.append("try:\n    pass\nexcept %s as %s:\n    del %s" % (nm(r), q, q))
    lines.append("with %s() as %s:\n    %s[%r] = %s.%s" % (nm(r), p, p, a, p, a))
    if r.random() < 0.5:
        lines.append("after = %r" % r.choice([c, m, a, k]))
    lines.append("")


# ---------------------------------------------------------------------------- f-strings

PIECES = ["", "a", " ", "é", "\\n", "{{a", "a}}", "ab", "é1", ":", "=", "!", "\\x00", "\\xff", "Ā",
          "%", "\\t", "'", "\\N{BULLET}", "x y", "-", "*", "[", "]", "\\u00e9", "0"]
SPECS = [">10", ".2f", "x", "é", "", "<", "^5", ",", "_", "#x", "0>8", "%", "s", "*^{w}", "{w}",
         "{w}.{p}", ">{w}", "{w}{p}", "{f}{w}x", "{w:{p}}", "{w!r}"]
EXPRS = ["x", "y", "a.b", "f(x)", "x[0]", "x + 1", "'s'", "é", "(x, y)", " {x}", "x if y else z", "lambda: 1",
         "'é'", "\"q\"", "x!=y"]


def fexpr(r, quote, depth):
    if depth < 2 and r.random() < 0.15:
        return fstring(r, depth + 1, r.choice(["'", '"']))
    e = r.choice(EXPRS)
    if e == "lambda: 1":
        e = "(lambda: 1)"
    return e


def field(r, quote, depth):
    e = fexpr(r, quote, depth)
    s = "{" + e
    if r.random() < 0.2 and not e.startswith(("f'", 'f"')):
        s += r.choice(["=", " = ", "= "])
    if r.random() < 0.3:
        s += "!" + r.choice("rsa")
    if r.random() < 0.5:
        spec = r.choice(SPECS)
        spec = spec.replace("{w}", "{" + r.choice(["w", "x", "é", "1"]) + "}").replace("{p}", "{p}")
        s += ":" + spec
    return s + "}"


def fstring(r, depth=0, quote=None):
    quote = quote or r.choice(["'", '"', "'''", '"""'])
    parts = []
    for _ in range(r.randint(1, 5)):
        if r.random() < 0.5:
            p = r.choice(PIECES)
            if p == "'" and "'" in quote:
                p = "\\'"
            parts.append(p)
        else:
            parts.append(field(r, quote, depth))
    if len(quote) == 3 and r.random() < 0.3:
        parts.insert(r.randrange(len(parts) + 1), "\n")
    prefix = r.choice(["f", "f", "F", "rf", "fR"]) if depth == 0 else "f"
    body = "".join(parts)
    if prefix.lower().startswith("r") or "r" in prefix.lower():
        body = body.replace("\\N{BULLET}", "b").replace("\\'", "").replace("\\", "")
    return prefix + quote + body + quote


def gen_fstrings(r, lines):
    lines.append("def fs(x, y, z, w, p, a, é):")
    for i in range(r.randint(6, 15)):
        s = fstring(r)
        if r.random() < 0.2:
            s = s + " " + r.choice(["'a'", "'é'", "''", "'x' 'y'", "f'{x}'", "'\\n'"])
        if r.random() < 0.1:
            s = r.choice(["'a'", "'é'", "''"]) + " " + s
        lines.append("    v%d = %s" % (i, s))
    lines.append("    return %s" % ", ".join("v%d" % i for i in range(3)))
    # %-formatting that ast_opt.c rewrites into an f-string
    for i in range(r.randint(1, 4)):
        fmt = "".join(r.choice(["%s", "%r", "%a", "a", "é", "-", " ", "%%", "%5s", "%-3r", "%.2s", "x"])
                      for _ in range(r.randint(1, 5)))
        n = fmt.replace("%%", "").count("%")
        lines.append("pf%d = %r %% (%s)" % (i, fmt, ", ".join(["x"] * n) + ("," if n == 1 else "")))
    lines.append("")


# ---------------------------------------------------------------------------- 1-char strings

ONE = ["a", "é", "\x00", "\xff", "Ā", "*", "[", "{", " ", "\n", "_", "1", "€", "\x7f", "\x80", "ß"]


def gen_onechar(r, lines):
    ch = lambda: repr(r.choice(ONE))
    lines.append("o1 = (%s, %s, %s)" % (ch(), ch(), ch()))
    lines.append("o2 = x in {%s, %s, %s}" % (ch(), ch(), ch()))
    lines.append("o3 = {%s: %s, %s: 1}" % (ch(), ch(), ch()))
    lines.append("o4 = d[%s] + %s" % (ch(), ch()))
    lines.append("def oc(a=%s, *, b=%s):\n    %s\n    return a + %s" % (ch(), ch(), ch(), ch()))
    lines.append("o5 = %s.join(%s)" % (ch(), ch()))
    lines.append("o6 = f'{x}' + %s + f'{%s}'" % (ch(), ch()))
    lines.append("")


def gen_file(r):
    lines = ["x = y = z = w = p = a = é = d = f = 1"]
    topics = [gen_numbers, gen_names, gen_fstrings, gen_onechar]
    for t in r.sample(topics, r.randint(1, len(topics))):
        t(r, lines)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.count):
        r = random.Random("%d-%d" % (a.seed, i))
        with open(os.path.join(a.out, "g%04d.py" % i), "w", encoding="utf-8") as f:
            f.write(gen_file(r))
    print("wrote %d files to %s" % (a.count, a.out))


if __name__ == "__main__":
    main()
