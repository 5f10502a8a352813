import a.b.c as d, e
from ...x import (y as z, w,)
from . import *
@dec
@dec2(1)
class C(B, metaclass=M):
    x: int = 1
    (y): str
    a.b: int
    def f[T: int, *Ts, **P](self, a, /, b=1, *args: *Ts, c, d=2, **kw) -> None:
        global g
        nonlocal h
        return
async def g():
    async with a as b, c:
        await x
    async for i in y:
        yield i
    [i async for i in y if i]
try:
    pass
except* E as e:
    raise X from y
else:
    pass
finally:
    del a, b[1], c.d
with (a as b, c as d,):
    pass
while x:
    break
else:
    continue
for a, *b in c: pass
if a: pass
elif b: pass
else: pass
type T[K] = dict[K, int]
x += 1; y @= 2;
assert x, "msg"
