"""``python -m pycode compileall [--target X] ...`` and ``python -m pycode dis [--target X] FILE``."""

import sys

USAGE = """usage: python -m pycode [--target X] <command> ...

  compileall [compileall options] [FILE|DIR ...]   what `python -m compileall` does
  dis FILE.py|FILE.pyc                             what `python -m dis FILE` prints
  py_compile FILE...                               what `python -m py_compile` does

--target X (e.g. 3.13, 3.12.7; default: this interpreter's release) may appear anywhere
before `--`.
"""


def _split_target(argv):
    target, rest, i = None, [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest += argv[i:]
            break
        if a == "--target" and i + 1 < len(argv):
            target = argv[i + 1]
            i += 2
            continue
        if a.startswith("--target="):
            target = a.split("=", 1)[1]
        else:
            rest.append(a)
        i += 1
    return target, rest


def main(argv=None):
    import pycode
    target, rest = _split_target(sys.argv[1:] if argv is None else list(argv))
    if not rest or rest[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if rest else 2
    cmd, args = rest[0], rest[1:]
    try:
        if cmd == "compileall":
            return pycode.compileall.main(args, target=target)
        if cmd == "py_compile":
            return pycode.py_compile.main(args, target=target)
        if cmd == "dis":
            if len(args) != 1:
                sys.stderr.write("usage: python -m pycode dis [--target X] FILE\n")
                return 2
            with open(args[0], "rb") as f:
                data = f.read()
            if args[0].endswith(".pyc"):
                sys.stdout.write(pycode.dis(data))
            else:
                code = pycode._native.compile_code(data, args[0], "exec", pycode._resolve(target), 0)
                sys.stdout.write(pycode.dis(code))
            return 0
    except (ValueError, NotImplementedError, OSError, SyntaxError) as e:
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        return 1
    sys.stderr.write(USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main())
