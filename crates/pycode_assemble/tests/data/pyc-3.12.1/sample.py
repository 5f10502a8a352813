"""A 3.12.1 sharing fixture: static names and 1-character strings."""
import os
x = "*"
y = ["[", "]", "{", "}", "+", "é"]
f = lambda a: a
g = (c for c in "ab")
def h(*args, **kw):
    return {k: v for k, v in kw.items()}, [a for a in args], os.sep
class C:
    pass
