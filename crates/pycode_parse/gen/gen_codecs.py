# Builds ../src/codec_tables.rs and ../src/codec_tables.bin from this Python's own codecs (run it
# with CPython 3.11.7; the tables are the same in 3.12-3.14): the decoding tables of every
# charmap codec, the stateless CJK multibyte codecs, the alias names of `encodings.aliases`,
# and which codecs are not text encodings. Run: cd gen && python3 gen_codecs.py
#
# codec_tables.bin is a little-endian u16 stream:
# * charmap codecs: 256 entries each, 0xFFFE = byte maps to <undefined>;
# * CJK codecs: trie nodes of 256 entries (one per next byte), run-length encoded: a header
#   word (kind << 14 | count), kind 0 = `count` literal words follow, 1 = one word repeated
#   `count` times, 2 = `count` consecutive values starting at the word that follows.
#   An entry is a BMP character, or 0xD800 + i = EXTRA[i] (several characters or one outside
#   the BMP), or 0xFFF0 + k (k = 1..8) = illegal multibyte sequence of k bytes, or UNSUPPORTED
#   (a longer stateful sequence this table does not follow), GB18030_4 (gb18030's four-byte
#   form, see GB18030_RANGES) or CHILD (a longer sequence: the child node of this prefix).
import codecs
import encodings
import encodings.aliases
import importlib
import os
import pkgutil
import struct
import sys

assert sys.version_info[:2] == (3, 11), "generate with CPython 3.11"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_RS = os.path.join(HERE, "..", "src", "codec_tables.rs")
OUT_BIN = os.path.join(HERE, "..", "src", "codec_tables.bin")

ERR = 0xFFF0
UNSUPPORTED = 0xFFF9
GB18030_4 = 0xFFFA
CHILD = 0xFFFB

CJK = ["big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
       "euc_kr", "gb18030", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004",
       "shift_jisx0213"]

words = []


def dec(codec, bs):
    try:
        return ("ok", bs.decode(codec))
    except UnicodeDecodeError as e:
        return ("err", e.start, e.end, e.reason)


def rle(vals):
    out = []
    i = 0
    n = len(vals)
    lit = []

    def flush():
        while lit:
            chunk = lit[:0x3FFF]
            del lit[:0x3FFF]
            out.append(len(chunk))
            out.extend(chunk)

    while i < n:
        j = i + 1
        while j < n and vals[j] == vals[i]:
            j += 1
        k = i + 1
        while k < n and vals[k] == vals[k - 1] + 1 and vals[k] < 0xD800:
            k += 1
        if j - i >= 3:
            flush()
            c = min(j - i, 0x3FFF)
            out += [(1 << 14) | c, vals[i]]
            i += c
        elif k - i >= 3:
            flush()
            c = min(k - i, 0x3FFF)
            out += [(2 << 14) | c, vals[i]]
            i += c
        else:
            lit.append(vals[i])
            i += 1
    flush()
    return out


def charmap_tables():
    names = []
    for m in sorted(x.name for x in pkgutil.iter_modules(encodings.__path__)):
        try:
            mod = importlib.import_module("encodings." + m)
        except ImportError:
            continue
        if isinstance(getattr(mod, "decoding_table", None), str):
            names.append(m)
    out = []
    for n in names:
        off = len(words)
        for b in range(256):
            r = dec(n, bytes([b]))
            if r[0] == "ok":
                assert len(r[1]) == 1 and ord(r[1]) < 0xFFFE
                words.append(ord(r[1]))
            else:
                assert r[3] == "character maps to <undefined>", (n, b, r)
                words.append(0xFFFE)
        out.append((n, off))
    return out


def cjk_table(codec):
    extras = []
    nodes = []      # (prefix, entries)
    children = []   # (node index, byte, child node index)

    def value(s):
        if len(s) == 1 and ord(s) < 0x10000 and not (0xD800 <= ord(s) < 0xE000) and ord(s) < ERR:
            return ord(s)
        if s not in extras:
            extras.append(s)
        i = extras.index(s)
        assert i < 0x800, codec
        return 0xD800 + i

    def node(prefix):
        idx = len(nodes)
        nodes.append(None)
        ents = []
        for b in range(256):
            bs = prefix + bytes([b])
            r = dec(codec, bs)
            if r[0] == "ok":
                ents.append(value(r[1]))
                continue
            _, start, end, reason = r
            if reason == "incomplete multibyte sequence" and start == 0 and end == len(bs):
                if codec == "gb18030" and len(bs) == 2:
                    ents.append(GB18030_4)
                elif len(bs) < 3:
                    ents.append(CHILD)
                    children.append((idx, b, node(bs)))
                else:
                    ents.append(UNSUPPORTED)
                continue
            assert reason == "illegal multibyte sequence" and start == 0 and 1 <= end <= 8, (codec, bs, r)
            ents.append(ERR + end)
        nodes[idx] = ents
        return idx

    # the root: single bytes (prefix b"")
    node(b"")
    offs = []
    for ents in nodes:
        offs.append(len(words))
        words.extend(rle(ents))
    ranges = []
    if codec == "gb18030":
        run = None
        for b1 in range(0x81, 0xFF):
            for b2 in range(0x30, 0x3A):
                for b3 in range(0x81, 0xFF):
                    for b4 in range(0x30, 0x3A):
                        lin = (((b1 - 0x81) * 10 + (b2 - 0x30)) * 126 + (b3 - 0x81)) * 10 + (b4 - 0x30)
                        r = dec(codec, bytes([b1, b2, b3, b4]))
                        if r[0] == "ok":
                            assert len(r[1]) == 1
                            cp = ord(r[1])
                            if run and run[0] + run[2] == lin and run[1] + run[2] == cp:
                                run[2] += 1
                            else:
                                if run:
                                    ranges.append(tuple(run))
                                run = [lin, cp, 1]
                        else:
                            assert r[1:] == (0, 1, "illegal multibyte sequence"), r
        ranges.append(tuple(run))
    return offs, children, extras, ranges


def rust_str(s):
    return '"' + "".join("\\u{%x}" % ord(c) for c in s) + '"'


def main():
    cm = charmap_tables()
    cjk = [(c,) + cjk_table(c) for c in CJK]
    nontext = []
    allmods = []
    for m in sorted(x.name for x in pkgutil.iter_modules(encodings.__path__)):
        try:
            ci = importlib.import_module("encodings." + m).getregentry()
        except Exception:
            continue
        allmods.append(m)
        if not ci._is_text_encoding:
            nontext.append(m)
    aliases = sorted((a, m) for a, m in encodings.aliases.aliases.items())
    with open(OUT_BIN, "wb") as f:
        f.write(struct.pack("<%dH" % len(words), *words))
    L = ["//! Generated by gen/gen_codecs.py from CPython 3.11's codecs; do not edit.", ""]
    L.append("/// `encodings.aliases.aliases`: (alias, codec module).")
    L.append("pub static ALIASES: [(&str, &str); %d] = [" % len(aliases))
    L += ['    ("%s", "%s"),' % am for am in aliases]
    L.append("];")
    L.append("/// Every codec module of `encodings` (the names `codecs.lookup` finds without an alias).")
    L.append("pub static MODULES: [&str; %d] = [" % len(allmods))
    L += ['    "%s",' % m for m in allmods]
    L.append("];")
    L.append("/// Codecs that are not text encodings (`codecs.decode()` only).")
    L.append("pub static NON_TEXT: [&str; %d] = [%s];" % (len(nontext), ", ".join('"%s"' % m for m in nontext)))
    L.append("/// Charmap codecs: (name, offset of its 256 entries in codec_tables.bin).")
    L.append("pub static CHARMAP: [(&str, usize); %d] = [" % len(cm))
    L += ['    ("%s", %d),' % x for x in cm]
    L.append("];")
    L.append("")
    L.append("/// A stateless CJK multibyte codec (see gen/gen_codecs.py for the node format).")
    L.append("pub struct CjkTable {")
    L.append("    pub name: &'static str,")
    L.append("    /// Offsets of the run-length encoded nodes in codec_tables.bin; node 0 is the root.")
    L.append("    pub nodes: &'static [usize],")
    L.append("    /// (node, byte, child node) for every CHILD entry, sorted.")
    L.append("    pub children: &'static [(u16, u8, u16)],")
    L.append("    pub extras: &'static [&'static str],")
    L.append("    /// gb18030 four-byte form: (linear index, first code point, count).")
    L.append("    pub ranges: &'static [(u32, u32, u32)],")
    L.append("}")
    L.append("")
    L.append("pub static CJK: [CjkTable; %d] = [" % len(cjk))
    for name, offs, children, extras, ranges in cjk:
        L.append("    CjkTable {")
        L.append('        name: "%s",' % name)
        L.append("        nodes: &[%s]," % ", ".join(str(o) for o in offs))
        L.append("        children: &[%s]," % ", ".join("(%d, %d, %d)" % c for c in sorted(children)))
        L.append("        extras: &[%s]," % ", ".join(rust_str(s) for s in extras))
        L.append("        ranges: &[%s]," % ", ".join("(%d, %d, %d)" % r for r in ranges))
        L.append("    },")
    L.append("];")
    # euc_kr's KS X 1001:1998 Annex 3 make-up sequences (A4 D4 A4 cho A4 jung A4 jong): the
    # initial and final consonant index of each jamo byte 0xA1..0xBE (-1: not allowed there).
    cho, jong = [], []
    for c in range(0xA1, 0xBF):
        r = dec("euc_kr", bytes([0xA4, 0xD4, 0xA4, c, 0xA4, 0xBF, 0xA4, 0xD4]))
        cho.append((ord(r[1]) - 0xAC00) // 588 if r[0] == "ok" else -1)
        r = dec("euc_kr", bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, c]))
        jong.append((ord(r[1]) - 0xAC00) % 28 if r[0] == "ok" else -1)
    for c in range(0xBF, 0xD4):
        r = dec("euc_kr", bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, c, 0xA4, 0xD4]))
        assert r[0] == "ok" and (ord(r[1]) - 0xAC00) // 28 == c - 0xBF
    L.append("/// euc_kr make-up sequences: initial consonant index of jamo bytes 0xA1..=0xBE (-1: none).")
    L.append("pub static EUC_KR_CHO: [i8; 30] = [%s];" % ", ".join(map(str, cho)))
    L.append("/// euc_kr make-up sequences: final consonant index of jamo bytes 0xA1..=0xBE (-1: none).")
    L.append("pub static EUC_KR_JONG: [i8; 30] = [%s];" % ", ".join(map(str, jong)))
    with open(OUT_RS, "w") as f:
        f.write("\n".join(L) + "\n")
    print("words:", len(words), "bytes:", 2 * len(words), file=sys.stderr)


main()
