# Prints the ranges of code points for which this Python's str.isprintable() is False,
# one "start end" pair per line (inclusive), preceded by the Unicode database version.
# Used by gen_unicode.py to build src/unicode_tables.rs.
import sys, unicodedata
print(unicodedata.unidata_version)
start = None
for cp in range(0x110000):
    np = not chr(cp).isprintable()
    if np and start is None:
        start = cp
    elif not np and start is not None:
        print(start, cp - 1); start = None
if start is not None:
    print(start, 0x10FFFF)
