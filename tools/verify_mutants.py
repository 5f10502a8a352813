#!/usr/bin/env python3
"""Differential evidence for `pycode verify`: mutate code objects, ask the verifier, run the
mutant under the CPython running this script, and count crashes against verdicts.

    python tools/verify_mutants.py --count 100000 [--seed 1] [--out FILE] [--progress N]
        [--dump-accepted-crashes DIR] [--dump-crashes DIR] [--dump-benign DIR]

Runs under the native interpreter being tested (with the pycode package importable:
`python/run_tests.sh` builds it). The bases are small self-contained programs (their module code
calls everything it defines) compiled by this interpreter. Each mutant changes one code object of
the tree in one way (see KINDS). Every mutant runs in a forked child of a long-lived fork server (a small process started
once, so forking is cheap):
unprivileged (uid 65534 when started as root), in a temporary directory, 0.25 s CPU (SIGPROF; 3 s wall clock) and 1 GiB more
address space than it starts with, output discarded. A child killed by
SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT is a crash.

Kinds of mutant and which are "benign" (the verifier must accept >= 99 % of them):
- `const`: one constant (not a code object) replaced by a value of the same shape -- the same
  type, and for tuples and frozensets the same length and item types -- benign: only a value
  changes;
- `const-type`: one constant replaced by a value of another type or shape (e.g. a defaults
  tuple by an int, a tuple of keys by a longer one). Not benign: the instruction that consumes
  the constant may need that type (MAKE_FUNCTION's defaults tuple, MATCH_KEYS' keys, KW_NAMES'
  names), so the verifier rejects those it cannot prove harmless. Counted, not part of the
  benign rate. (Before this split, both were `const`; the RNG stream is unchanged.)
- `name` (one co_names entry) and `line` (co_firstlineno): benign;
- `oparg`, `opcode`, `jump` (a jump's oparg), `swap` (two code units exchanged), `stacksize`,
  `exctable` / `linetable` (one byte changed): anything goes.

The claim checked: no mutant the verifier accepts crashes CPython. The report (--out) is a
snapshot: the header (count, seed, the crash claim, the benign rate), then counts per kind of
accepted/rejected x ok/crash/timeout. `--dump-*` write mutants as .pyc files to replay the
verifier on (`pycode verify -q DIR/*.pyc`).
"""

import argparse
import marshal
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import types

if "--serve" not in sys.argv:
    import pycode

PROGRAMS = [
    "def f(a, b=2, *c, d, **e):\n    return a + b + len(c) + d + len(e)\nr = f(1, d=3)\n",
    "class C:\n    x = 1\n    def m(self, y):\n        return [self.x * i for i in range(y) if i % 2]\nr = C().m(7)\n",
    "def g():\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n        return str(e)\n    finally:\n        pass\nr = g()\n",
    "def gen(n):\n    for i in range(n):\n        yield i * 2\n    return n\nr = sum(gen(5))\n",
    "def outer():\n    v = 1\n    def inner():\n        nonlocal v\n        v += 1\n        return v\n    return inner\nr = outer()()\n",
    "d = {'a': 1, 'b': 2}\nr = 0\nfor k, v in sorted(d.items()):\n    if v > 1:\n        r += v\n    else:\n        r -= 1\nwhile r < 10:\n    r += 3\n",
    "def m(p):\n    match p:\n        case [1, 2, *rest]:\n            return rest\n        case {'k': v}:\n            return v\n        case _:\n            return None\nr = (m([1, 2, 3]), m({'k': 4}), m(5))\n",
    "s = 'x=%s' % (1,)\nt = f'{s!r:>10}'\nu = b'ab' + bytes(2)\nr = (s, t, u, s[1:], u[::-1])\n",
    "import math\nr = [math.sqrt(i) for i in range(5)]\nw = {i: i * i for i in range(4)}\nz = {i for i in 'hello'}\n",
    "def k(*a, **kw):\n    return a, kw\nr = k(*[1, 2], **{'x': 3})\nwith open(__file__ if '__file__' in dir() else 'none', 'a') if False else __import__('contextlib').nullcontext() as n:\n    q = n\n",
]

KINDS = ["const", "name", "line", "oparg", "opcode", "jump", "stacksize", "exctable", "linetable", "swap"]
# `const` mutants that change a constant's type or shape are counted as `const-type` (not benign).
BENIGN = {"const", "name", "line"}
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT}
VALUES = [0, 1, -5, 2 ** 40, "x", "", "abc", 1.5, None, True, b"z", (1, 2), frozenset({1})]
NAMES = ["foo", "len", "x", "print", "range", "__name__"]


def same_type_value(rng, v):
    """Another value of `v`'s type (tuples: the same length, each item of its own type)."""
    if isinstance(v, bool) or v is None or v is Ellipsis:
        return v
    if isinstance(v, int):
        return v + rng.choice([1, -1, 1000, -(2 ** 40), 2 ** 70])
    if isinstance(v, float):
        return rng.choice([0.0, -1.5, 1e300, float("inf")])
    if isinstance(v, complex):
        return complex(rng.random(), 2.0)
    if isinstance(v, str):
        return rng.choice(["", "x", "abc", "\u20ac" * 3, "__init__", "%s"])
    if isinstance(v, bytes):
        return rng.choice([b"", b"z", b"\x00\xff" * 4])
    if isinstance(v, tuple):
        return tuple(same_type_value(rng, x) for x in v)
    return v


def shape(v):
    """What a consuming instruction can rely on about a constant: its type, and for tuples and
    frozensets their length and item types."""
    if isinstance(v, (tuple, frozenset)):
        return (type(v), len(v), tuple(sorted(type(x).__name__ for x in v)))
    return type(v)


def const_label(old, new):
    """`const` when only the value of the changed constant differs, else `const-type`."""
    for a, b in zip(old.co_consts, new.co_consts):
        if type(a) is not type(b) or a != b:
            return "const" if shape(a) == shape(b) else "const-type"
    return "const"


def codes(c, path=()):
    """Every code object of the tree with its path of co_consts indices."""
    yield path, c
    for i, k in enumerate(c.co_consts):
        if isinstance(k, pycode.Code):
            yield from codes(k, path + (i,))


def put(root, path, new):
    """`root` with the code object at `path` replaced by `new`."""
    if not path:
        return new
    consts = list(root.co_consts)
    consts[path[0]] = put(consts[path[0]], path[1:], new)
    return root.replace(co_consts=tuple(consts))


def mutate(rng, c, kind, release):
    t = pycode  # noqa: F841  (keeps the import visible in tracebacks)
    code = bytearray(c.co_code)
    units = len(code) // 2
    if kind == "const":
        idx = [i for i, k in enumerate(c.co_consts) if not isinstance(k, pycode.Code)]
        if not idx:
            return None
        consts = list(c.co_consts)
        i = rng.choice(idx)
        # Half the time a value of the same type (a pure value change), else any of VALUES.
        consts[i] = same_type_value(rng, consts[i]) if rng.random() < 0.5 else rng.choice(VALUES)
        return c.replace(co_consts=tuple(consts))
    if kind == "name":
        if not c.co_names:
            return None
        names = list(c.co_names)
        names[rng.randrange(len(names))] = rng.choice(NAMES)
        return c.replace(co_names=tuple(names))
    if kind == "line":
        return c.replace(co_firstlineno=max(1, c.co_firstlineno + rng.randint(-50, 50)))
    if kind in ("oparg", "opcode", "jump"):
        if kind == "jump":
            jumps = [i for i in range(0, len(code), 2) if "JUMP" in _opname(code[i]) or _opname(code[i]) in ("FOR_ITER", "SEND")]
            if not jumps:
                return None
            at = rng.choice(jumps) + 1
        else:
            at = 2 * rng.randrange(units) + (1 if kind == "oparg" else 0)
        code[at] = rng.randrange(256)
        return c.replace(co_code=bytes(code))
    if kind == "swap":
        a, b = 2 * rng.randrange(units), 2 * rng.randrange(units)
        code[a:a + 2], code[b:b + 2] = code[b:b + 2], code[a:a + 2]
        return c.replace(co_code=bytes(code))
    if kind == "stacksize":
        return c.replace(co_stacksize=rng.randrange(0, c.co_stacksize + 4))
    field = "co_exceptiontable" if kind == "exctable" else "co_linetable"
    data = bytearray(getattr(c, field))
    if not data:
        return None
    data[rng.randrange(len(data))] = rng.randrange(256)
    return c.replace(**{field: bytes(data)})


_OPNAMES = {}


def _opname(op):
    import dis
    return dis.opname[op] if op < len(dis.opname) else "<%d>" % op


def vm_size():
    with open("/proc/self/status") as st:
        return int(st.read().split("VmSize:")[1].split()[0]) * 1024


def run_child(data, workdir, vm):
    """Load (marshal data) and run a code object in a forked, limited child; returns 'ok',
    'load-error', 'timeout' or 'crash:SIG'. `vm`: this process's address space size."""
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(workdir)
            resource.setrlimit(resource.RLIMIT_CPU, (1, 1))
            # Address space: what the process has plus 1 GiB.
            resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), vm + (1 << 30)))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            # Wall clock too: a mutant may block (a lock, a read) without using CPU.
            signal.alarm(3)
            # The programs run in milliseconds: a quarter second of CPU is a loop that does
            # not end (SIGPROF; RLIMIT_CPU stays as the backstop).
            signal.setitimer(signal.ITIMER_PROF, 0.25)
            fd = os.open(os.devnull, os.O_RDWR)
            if os.getuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            for k in (0, 1, 2):
                os.dup2(fd, k)
        except BaseException as e:
            try:
                os.write(2, ("verify_mutants child: %r\n" % (e,)).encode())
            finally:
                os._exit(3)
        try:
            code_obj = marshal.loads(data) if isinstance(data, bytes) else data
        except BaseException:
            os._exit(4)
        try:
            exec(code_obj, {"__name__": "__mutant__", "__builtins__": __builtins__})
        except BaseException:
            pass
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
        raise RuntimeError("verify_mutants: the child could not set up its limits")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 4:
        return "load-error"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGXCPU, signal.SIGKILL, signal.SIGALRM, signal.SIGPROF):
            return "timeout"
        if sig in CRASH_SIGNALS:
            return "crash:%s" % signal.Signals(sig).name
        return "signal:%s" % signal.Signals(sig).name
    return "ok"


def serve(workdir):
    """The fork server: a small process (no pycode loaded, so forking it is cheap) that runs
    each mutant it reads from stdin (4-byte little-endian length + marshal data) in a forked
    child and answers with the outcome, one line each."""
    import contextlib  # noqa: F401  (what the programs import: each child finds them loaded)
    import math  # noqa: F401
    vm = vm_size()
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = inp.read(4)
        if len(head) < 4:
            return
        data = inp.read(int.from_bytes(head, "little"))
        out.write((run_child(data, workdir, vm) + "\n").encode())
        out.flush()


class ForkServer:
    """The long-lived forking process (`serve`) seen from the parent."""

    def __init__(self, workdir):
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", workdir],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, data):
        self.p.stdin.write(len(data).to_bytes(4, "little") + data)
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("verify_mutants: the fork server died")
        return line.decode().strip()

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None)
    ap.add_argument("--dump-accepted-crashes", metavar="DIR", default=None,
                    help="write every mutant the verifier accepted and CPython crashed on as a .pyc")
    ap.add_argument("--dump-crashes", metavar="DIR", default=None,
                    help="write every crashing mutant (either verdict) as a .pyc, to replay the verifier on")
    ap.add_argument("--dump-benign", metavar="DIR", default=None,
                    help="write every benign mutant as a .pyc, to replay the verifier on")
    ap.add_argument("--progress", type=int, default=0, help="print a line every N mutants")
    args = ap.parse_args()
    for d in (args.dump_accepted_crashes, args.dump_crashes, args.dump_benign):
        if d:
            os.makedirs(d, exist_ok=True)
    release = pycode.host_release()
    rng = random.Random(args.seed)
    bases = []
    for src in PROGRAMS:
        host = compile(src, "<mutant>", "exec", dont_inherit=True)
        base = pycode.marshal.loads(marshal.dumps(host), release=release)
        assert pycode.verify(base) == [], pycode.verify(base)
        bases.append(base)
    table = {}
    made = 0
    crashes_accepted = []
    with tempfile.TemporaryDirectory(prefix="pycode-mutants-") as work:
        os.chmod(work, 0o777)
        server = ForkServer(work)
        for base in bases:
            assert server.run(base.to_marshal()) == "ok"
        while made < args.count:
            base = rng.choice(bases)
            path, target = rng.choice(list(codes(base)))
            kind = rng.choice(KINDS)
            try:
                new = mutate(rng, target, kind, release)
                if new is None:
                    continue
                mutant = put(base, path, new)
            except (ValueError, TypeError):
                continue
            made += 1
            if kind == "const":
                kind = const_label(target, new)
            verdict = "accepted" if not pycode.verify(mutant) else "rejected"
            # marshal.loads itself may crash on a bad code object: it runs in the child too.
            outcome = server.run(mutant.to_marshal())
            key = (kind, verdict, outcome.split(":")[0])
            table[key] = table.get(key, 0) + 1
            name = "%s-%06d-%s-%s.pyc" % (kind, made, verdict, outcome.replace(":", "-"))
            dumps = []
            if outcome.startswith("crash"):
                dumps.append(args.dump_crashes)
                if verdict == "accepted":
                    crashes_accepted.append((kind, outcome, name))
                    dumps.append(args.dump_accepted_crashes)
            if kind in BENIGN:
                dumps.append(args.dump_benign)
            for d in dumps:
                if d:
                    with open(os.path.join(d, name), "wb") as f:
                        f.write(pycode.dump_pyc(mutant))
            if args.progress and made % args.progress == 0:
                print("%d mutants, %d accepted crashes" % (made, len(crashes_accepted)), file=sys.stderr, flush=True)
        server.close()
    lines = ["verify mutants under CPython %s: %d mutants, seed %d" % (sys.version.split()[0], made, args.seed)]
    accepted_crash = sum(n for (k, v, o), n in table.items() if v == "accepted" and o == "crash")
    crashes = sum(n for (k, v, o), n in table.items() if o == "crash")
    benign = sum(n for (k, v, o), n in table.items() if k in BENIGN)
    benign_ok = sum(n for (k, v, o), n in table.items() if k in BENIGN and v == "accepted")
    lines.append("crashes: %d, of which the verifier accepted: %d" % (crashes, accepted_crash))
    lines.append("benign mutants (constant value of the same type, name, line number) accepted: %d/%d (%.2f%%)"
                 % (benign_ok, benign, 100.0 * benign_ok / max(benign, 1)))
    lines.append("%-10s %-9s %-10s %s" % ("kind", "verdict", "outcome", "count"))
    for (k, v, o), n in sorted(table.items()):
        lines.append("%-10s %-9s %-10s %d" % (k, v, o, n))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    for kind, outcome, name in crashes_accepted[:20]:
        print("accepted crash:", name, outcome)
    sys.exit(1 if accepted_crash else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        main()
