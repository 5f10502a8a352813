#!/usr/bin/env python3
"""Print a marshal stream (a .pyc body, or a whole .pyc with --pyc) as one line per object: type
code, FLAG_REF, back-reference targets, value. Pure Python over the bytes, so any host interpreter
can show what a 3.12+ marshal stream holds, interning and FLAG_REF included (what `dis` hides).

usage: marshal_walk.py FILE.pyc            # a .pyc (16-byte header skipped)
       marshal_walk.py --raw FILE          # a bare marshal stream
"""
import struct
import sys

NAMES = {
    "0": "NULL", "N": "None", "F": "False", "T": "True", "S": "StopIteration", ".": "Ellipsis",
    "i": "int", "l": "long", "g": "float", "y": "complex", "s": "bytes", "t": "interned",
    "r": "ref", "(": "tuple", ")": "small_tuple", "[": "list", "{": "dict", "<": "set",
    ">": "frozenset", "u": "unicode", "a": "ascii", "A": "ascii_interned", "z": "short_ascii",
    "Z": "short_ascii_interned", "c": "code", ":": "slice",
}


class Walker:
    def __init__(self, data, out):
        self.d, self.p, self.out, self.nrefs = data, 0, out, 0

    def byte(self):
        b = self.d[self.p]
        self.p += 1
        return b

    def i32(self):
        v = struct.unpack_from("<i", self.d, self.p)[0]
        self.p += 4
        return v

    def take(self, n):
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def obj(self, depth, label=""):
        b = self.byte()
        flag, code = b & 0x80, chr(b & 0x7F)
        ref = ""
        if flag:
            ref = " #%d" % self.nrefs
            self.nrefs += 1
        pad = "  " * depth + (label + ": " if label else "")
        name = NAMES.get(code, "?" + code)
        def line(v=""):
            if len(v) > 1200:  # long constants: enough to tell them apart
                v = "%s...<%d chars>...%s" % (v[:500], len(v), v[-500:])
            self.out.append("%s%s%s%s" % (pad, name, ref, (" " + v) if v else ""))
        if code in "NFTS.0":
            line()
        elif code == "i":
            line(str(self.i32()))
        elif code == "l":
            n = self.i32()
            digits = [struct.unpack_from("<H", self.d, self.p + 2 * k)[0] for k in range(abs(n))]
            self.p += 2 * abs(n)
            v = sum(dg << (15 * k) for k, dg in enumerate(digits))
            line(str(-v if n < 0 else v))
        elif code == "g":
            line(repr(struct.unpack("<d", self.take(8))[0]))
        elif code == "y":
            line(repr(complex(*struct.unpack("<dd", self.take(16)))))
        elif code == "s":
            line(repr(self.take(self.i32())))
        elif code in "tuaA":
            raw = self.take(self.i32())
            line(repr(raw.decode("utf-8", "surrogatepass") if code in "tu" else raw.decode("latin-1")))
        elif code in "zZ":
            line(repr(self.take(self.byte()).decode("latin-1")))
        elif code == "r":
            line("-> #%d" % self.i32())
        elif code in "()[<>":
            n = self.byte() if code == ")" else self.i32()
            line("len=%d" % n)
            for k in range(n):
                self.obj(depth + 1)
        elif code == "{":
            line()
            while True:
                if self.d[self.p] == ord("0"):
                    self.p += 1
                    break
                self.obj(depth + 1, "key")
                self.obj(depth + 1, "val")
        elif code == ":":
            # TYPE_SLICE (marshal version 5, 3.14+): start, stop, step
            line()
            for lab in ("start", "stop", "step"):
                self.obj(depth + 1, lab)
        elif code == "c":
            hdr = [self.i32() for _ in range(5)]
            line("argc=%d posonly=%d kwonly=%d stack=%d flags=0x%x" % tuple(hdr))
            for lab in ("code", "consts", "names", "localsplusnames", "localspluskinds", "filename",
                        "name", "qualname"):
                self.obj(depth + 1, lab)
            self.out.append("  " * (depth + 1) + "firstlineno: %d" % self.i32())
            for lab in ("linetable", "exceptiontable"):
                self.obj(depth + 1, lab)
        else:
            raise ValueError("unknown type %r at %d" % (code, self.p - 1))


def walk(data):
    out = []
    Walker(data, out).obj(0)
    return out


def main(argv):
    raw = argv[0] == "--raw"
    path = argv[1] if raw else argv[0]
    data = open(path, "rb").read()
    if not raw:
        data = data[16:]
    print("\n".join(walk(data)))


if __name__ == "__main__":
    main(sys.argv[1:])
