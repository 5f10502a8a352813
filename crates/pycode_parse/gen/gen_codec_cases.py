# Builds ../tests/codecs/cases.txt: random byte strings and what CPython's codecs make of them
# (`bytes.decode(codec)`, strict), checked by the codecs unit test. Deterministic (seeded).
# Each line: codec <TAB> input as hex <TAB> "ok:" + output as hex UTF-8, or "err:" + str(exc).
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "codecs", "cases.txt")
CJK = ["big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
       "euc_kr", "gb18030", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004",
       "shift_jisx0213"]
OTHER = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "utf8", "utf_8_sig", "ascii",
         "latin-1", "cp1252", "cp037", "koi8_t", "mac_arabic", "cp864", "iso8859_3", "tis_620"]
rng = random.Random(263)


def case(codec, data):
    try:
        return "%s\t%s\tok:%s" % (codec, data.hex(), data.decode(codec).encode("utf-8", "surrogatepass").hex())
    except UnicodeDecodeError as e:
        return "%s\t%s\terr:%s" % (codec, data.hex(), e)


def sample_valid(codec, n):
    """n characters that the codec can encode, as bytes."""
    out = b""
    while n:
        c = chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x3000, 0x3100),
                            rng.randrange(0x4E00, 0x9FA6), rng.randrange(0xAC00, 0xD7A4),
                            rng.randrange(0xFF00, 0xFFF0), rng.randrange(0xA0, 0x500),
                            rng.randrange(0x20000, 0x2A6D7), rng.randrange(0xE000, 0xE800)]))
        try:
            out += c.encode(codec)
            n -= 1
        except UnicodeEncodeError:
            pass
    return out


lines = []
for codec in CJK + OTHER:
    for k in range(60):
        data = sample_valid(codec, rng.randrange(1, 12))
        if k % 3:
            # corrupt: insert, replace or truncate bytes
            b = bytearray(data)
            for _ in range(rng.randrange(1, 3)):
                op = rng.randrange(3)
                p = rng.randrange(len(b) + 1)
                if op == 0:
                    b.insert(p, rng.randrange(0x80, 0x100))
                elif op == 1 and p < len(b):
                    b[p] = rng.randrange(0x00, 0x100)
                else:
                    del b[p:]
            data = bytes(b)
        lines.append(case(codec, data))
with open(OUT, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
