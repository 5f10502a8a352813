"""Generate the CFG/assembler fixtures from CPython 3.12.1's own compiler stages.

Run with CPython 3.12.1 (it has _testinternalcapi.compiler_codegen / optimize_cfg):

    /root/.pyenv/versions/3.12.1/bin/python3 crates/pycode_flowgraph/tools/gen_fixtures.py

For every case (a hand-written snippet in tools/snippets/, or the module-level code of a
stdlib file) it writes tests/fixtures/<set>/<name>.txt with:
  == meta       names/varnames/flags/firstlineno of the module code unit
  == consts     the codegen constant list (index order)
  == codegen    compiler_codegen() output: OPNAME ARG LINE ENDLINE COL ENDCOL (targets = indices)
  == optimize_cfg   optimize_cfg() output in the same format, or CRASH (3.12.1's test hook
                    segfaults on some exception-handling graphs), then its constant list
  == code       the code object compile() makes: stacksize, flags, nlocalsplus, co_code,
                co_linetable, co_exceptiontable (hex), co_consts
Constants are written one per line in a prefix notation (see encode()).

A snippet file may hold several cases separated by lines '#---- name'; each case's source is then
also written as tests/fixtures/snippets/<name>.py next to its .txt. A single-case snippet file
(e.g. longjump.py) is not copied: tools/snippets/<name>.py is its only source.
"""
import ast, dis, os, sys, glob, marshal, struct
import _testinternalcapi as T

assert sys.version_info[:3] == (3, 12, 1), sys.version
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "tests", "fixtures")
HAS_TARGET = set(dis.hasjrel + dis.hasjabs + dis.hasexc)


def encode(v):
    t = type(v)
    if v is None: return "None"
    if v is True: return "True"
    if v is False: return "False"
    if v is ...: return "Ellipsis"
    if t is int: return "i:%d" % v
    if t is float: return "f:%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
    if t is complex:
        return "c:%016x:%016x" % (struct.unpack("<Q", struct.pack("<d", v.real))[0],
                                  struct.unpack("<Q", struct.pack("<d", v.imag))[0])
    if t is str: return "s:" + v.encode("utf-8", "surrogatepass").hex()
    if t is bytes: return "b:" + v.hex()
    if t is tuple: return " ".join(["t:%d" % len(v)] + [encode(x) for x in v])
    if t is frozenset: return " ".join(["fs:%d" % len(v)] + [encode(x) for x in v])
    if t is type(compile("0", "", "eval")): return "code:" + v.co_qualname.encode().hex()
    raise TypeError(t)


def opname(op):
    return dis.opname[op] if op < 256 else {v: k for k, v in dis.opmap.items()}[op]


def fmt_insts(insts):
    return ["%s %d %d %d %d %d" % (opname(op), arg, l, el, c, ec) for op, arg, l, el, c, ec in insts]


def optimize_in_child(insts, consts):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = T.optimize_cfg(insts, consts, 0)
            # 3.12.1's cfg_to_instructions reads stale labels for some SETUP_* targets
            # (the same bug that crashes it elsewhere): treat out-of-range targets as a crash.
            if any(op in HAS_TARGET and not 0 <= arg <= len(out) for op, arg, *_ in out):
                os._exit(1)
            data = "\n".join(fmt_insts(out)) + "\n== optimize_cfg consts\n" + "\n".join(encode(c) for c in consts)
        except Exception as e:
            data = "ERROR " + type(e).__name__
        os.write(w, data.encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        c = os.read(r, 65536)
        if not c: break
        chunks.append(c)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not chunks:
        return "CRASH"
    return b"".join(chunks).decode()


def case(src, filename="f.py"):
    tree = ast.parse(src)
    insts, md = T.compiler_codegen(tree, filename, 0)
    # u_consts is keyed by _PyCode_ConstantKey(); the value is item 1 of tuple keys
    # (consts_dict_keys_inorder).
    consts = [k[1] if type(k) is tuple else k for k in sorted(md["consts"], key=md["consts"].get)]
    co = compile(src, filename, "exec", dont_inherit=True)
    def names(d): return " ".join(k for k, _ in sorted(d.items(), key=lambda kv: kv[1]))
    lines = ["== meta",
             "names " + names(md["names"]),
             "varnames " + names(md["varnames"]),
             "cellvars " + names(md["cellvars"]),
             "freevars " + names(md["freevars"]),
             "argcount %d %d %d" % (md["argcount"], md["posonlyargcount"], md["kwonlyargcount"]),
             "flags %d" % co.co_flags,
             "firstlineno %d" % co.co_firstlineno,
             "== consts"] + [encode(c) for c in consts]
    lines += ["== codegen"] + fmt_insts(insts)
    lines += ["== optimize_cfg", optimize_in_child(list(insts), list(consts))]
    lines += ["== code",
              "stacksize %d" % co.co_stacksize,
              "nlocalsplus %d" % len(co.co_varnames + co.co_cellvars + co.co_freevars),
              "names " + " ".join(co.co_names),
              "code " + co.co_code.hex(),
              "linetable " + co.co_linetable.hex(),
              "exceptiontable " + co.co_exceptiontable.hex(),
              "== code consts"] + [encode(c) for c in co.co_consts]
    return "\n".join(lines) + "\n"


def write(setname, name, src, keep_src=True):
    d = os.path.join(OUT, setname)
    os.makedirs(d, exist_ok=True)
    try:
        text = case(src)
    except (SyntaxError, ValueError, TypeError) as e:
        print("skip", setname, name, type(e).__name__, file=sys.stderr)
        return
    if keep_src:
        with open(os.path.join(d, name + ".py"), "w", encoding="utf-8", newline="") as f:
            f.write(src)
    with open(os.path.join(d, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("# generated by crates/pycode_flowgraph/tools/gen_fixtures.py from CPython 3.12.1; do not edit\n")
        f.write(text)


def main():
    for p in sorted(glob.glob(os.path.join(HERE, "snippets", "*.py"))):
        with open(p, encoding="utf-8") as f:
            src = f.read()
        # A snippet file may hold several cases separated by lines '#---- name'.
        parts = src.split("\n#---- ")
        base = os.path.splitext(os.path.basename(p))[0]
        for k, part in enumerate(parts):
            if k == 0:
                name, body = base, part
            else:
                head, _, body = part.partition("\n")
                name = base + "_" + head.strip()
            if body.strip():
                write("snippets", name, body, keep_src=len(parts) > 1)
    libdir = os.path.dirname(os.__file__)
    chosen = 0
    for p in sorted(glob.glob(os.path.join(libdir, "*.py"))):
        with open(p, encoding="utf-8") as f:
            src = f.read()
        if len(src) > 40000:
            continue
        name = os.path.splitext(os.path.basename(p))[0]
        write("stdlib", name, src, keep_src=False)
        chosen += 1
        if chosen >= 120:
            break


if __name__ == "__main__":
    main()
