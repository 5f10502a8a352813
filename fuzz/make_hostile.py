"""Write hand-made hostile marshal inputs to fuzz/corpus/hostile-*.bin (one per error kind and
boundary the reader must handle the way CPython does)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
i32 = lambda v: struct.pack("<i", v)


def code(argcount=0, kinds=b"", names=b")\x01z\x01x", co_code=b"s" + i32(2) + b"\x97\x00",
         flags=3, posonly=0, stacksize=1, consts=b")\x01N", filename=b"z\x04f.py"):
    b = b"c" + i32(argcount) + i32(posonly) + i32(0) + i32(stacksize) + i32(flags)
    b += co_code + consts + names
    b += b")" + bytes([len(kinds)]) + b"".join(b"z\x01" + bytes([97 + i]) for i in range(len(kinds)))
    b += b"s" + i32(len(kinds)) + kinds
    b += filename + b"z\x01f" + b"z\x01f" + i32(1) + b"s" + i32(0) + b"s" + i32(0)
    return b


CASES = {
    "empty": b"",
    "unknown-type": b"?",
    "null-top": b"0",
    "null-in-tuple": b")\x010",
    "null-in-list": b"[\x01\x00\x00\x000",
    "null-in-set": b"<\x01\x00\x00\x000",
    "null-dict-value": b"{i\x01\x00\x00\x000",
    "int64": b"I" + struct.pack("<q", -5),
    "int-truncated": b"i\x01\x00",
    "bytes-negative-size": b"s\xff\xff\xff\xff",
    "bytes-too-long": b"s\x05\x00\x00\x00ab",
    "tuple-huge": b"(\xff\xff\xff\x7f",
    "list-huge": b"[\x00\x00\x00\x10N",
    "long-digit-0x8000": b"l\x01\x00\x00\x00\x00\x80",
    "long-digit-max": b"l\x01\x00\x00\x00\xff\x7f",
    "long-unnormalized": b"l\x02\x00\x00\x00\x01\x00\x00\x00",
    "long-min-size": b"l\x00\x00\x00\x80",
    "long-truncated": b"l\x00\x00\x01\x00",
    "float-text-ok": b"f\x041.5\x00",
    "float-text-space": b"f\x04 1.5",
    "float-text-underscore": b"f\x031_0",
    "float-text-hex": b"f\x030x1",
    "float-text-nan": b"f\x04-nan",
    "float-text-infinity": b"f\x08infinity",
    "complex-text": b"x\x011\x04-2.5",
    "ref-empty": b"r\x00\x00\x00\x00",
    "ref-negative": b"r\xff\xff\xff\xff",
    "ref-self-list": b"\xdb\x01\x00\x00\x00r\x00\x00\x00\x00",
    "ref-self-tuple": b"\xa9\x01r\x00\x00\x00\x00",
    "ref-self-frozenset": b"\xbe\x01\x00\x00\x00r\x00\x00\x00\x00",
    "ref-shared": b")\x02\xda\x03abcr\x00\x00\x00\x00",
    "flag-on-none": b")\x03\xce\xda\x01xr\x00\x00\x00\x00",
    "ascii-latin1": b"a\x01\x00\x00\x00\xe9",
    "unicode-surrogate": b"u\x03\x00\x00\x00\xed\xb0\x80",
    "unicode-bad": b"u\x02\x00\x00\x00\xc0\x80",
    "unicode-truncated-seq": b"u\x02\x00\x00\x00\xe2\x82",
    "set-unhashable": b"<\x01\x00\x00\x00[\x00\x00\x00\x00",
    "dict-unhashable-key": b"{)\x01{0N0",
    "dict-tuple-key": b"{)\x01i\x01\x00\x00\x00N0",
    "set-duplicates": b"<\x02\x00\x00\x00i\x01\x00\x00\x00i\x01\x00\x00\x00",
    "slice": b":NNN",
    "slice-null": b":N0N",
    "slice-unhashable-in-set": b"<\x01\x00\x00\x00:[\x00\x00\x00\x00NN",
    "nest-1999": b")\x01" * 1999 + b"N",
    "nest-2000": b")\x01" * 2000 + b"N",
    "nest-dict-deep": b"{" * 3000,
    "trailing": b"NN",
    "code-ok": code(argcount=1, kinds=b"\x26"),
    "code-varnames-too-small": code(argcount=2, kinds=b"\x26"),
    "code-posonly-gt-argcount": code(argcount=0, posonly=1),
    "code-negative-stacksize": code(stacksize=-1),
    "code-negative-flags": code(flags=-1),
    "code-name-not-str": code(names=b")\x01i\x01\x00\x00\x00"),
    "code-names-not-tuple": code(names=b"[\x00\x00\x00\x00"),
    "code-odd-bytecode": code(co_code=b"s" + i32(1) + b"\x97"),
    "code-bytecode-not-bytes": code(co_code=b"N"),
    "code-consts-not-tuple": code(consts=b"N"),
    "code-filename-not-str": code(filename=b"N"),
    "code-kinds-mismatch": code(kinds=b"\x20")[:-0] if False else code(kinds=b"\x20").replace(b"s\x01\x00\x00\x00\x20", b"s\x02\x00\x00\x00\x20\x20"),
    "code-varargs-needs-local": code(flags=3 | 4, kinds=b""),
    "code-null-field": code(consts=b"0"),
    "code-in-set": b"<\x01\x00\x00\x00" + code(),
    "code-unhashable-const-in-set": b"<\x01\x00\x00\x00" + code(consts=b")\x01[\x00\x00\x00\x00"),
}

if __name__ == "__main__":
    out = os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(out, "hostile-%s.bin" % name), "wb") as f:
            f.write(data)
    print("wrote %d files" % len(CASES))
