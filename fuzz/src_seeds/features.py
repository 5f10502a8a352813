import os, sys as s
from . import a
from ..b import (c as d, e)
x: int = 1
y = [1, *x, 2]; z = {**a, 'b': 2}; w = {1, 2}; t = 1,
async def f(a, /, b=1, *c, d, e=2, **g) -> "r":
    async with a as b, c:
        await b
    async for i in c:
        yield i
    return [j async for j in c if j]
@dec
class C(B, metaclass=M):
    """doc"""
    def m(self):
        nonlocal_x = lambda q, *r: q
        global G
        return super().m() + __class__
try:
    pass
except* ValueError as e:
    raise
else:
    pass
finally:
    del x
while x:
    break
else:
    continue_ = 1
with (open(a) as b, open(c) as d):
    pass
assert x, "msg"
print(f"{x!r:>{w}} {y=} {'a' 'b'} {{}}", rb'\d', u'é', 0x_ff, 1_000.5e-3j, ...)
