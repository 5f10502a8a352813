x = 1
y = x + 2
#---- if_else
if a:
    b = 1
elif c:
    b = 2
else:
    b = 3
#---- while_break
i = 0
while i < 10:
    i += 1
    if i == 5:
        continue
    if i == 7:
        break
else:
    done = True
#---- while_true
while True:
    if f():
        break
    g()
#---- for_else
for i in range(3):
    if i:
        print(i)
else:
    print("done")
#---- try_except
try:
    f(x)
except E as e:
    pass
#---- try_finally
try:
    a = 1
finally:
    b = 2
#---- try_except_else_finally
try:
    a()
except (ValueError, TypeError):
    b()
except Exception as exc:
    c(exc)
    raise
else:
    d()
finally:
    e()
#---- with_stmt
with open(p) as f, lock:
    data = f.read()
#---- nested_try_in_loop
for x in xs:
    try:
        if x:
            continue
        y = 1 / x
    except ZeroDivisionError:
        break
    finally:
        log(x)
#---- assert_stmt
assert x, "message"
assert y
#---- comprehensions
a = [x * 2 for x in range(10) if x % 2]
b = {k: v for k, v in items}
c = {x for x in s}
d = (x for x in s)
#---- lambda_def
f = lambda x, y=2: x + y
def g(a, *args, b=1, **kw):
    return a
class C(Base, metaclass=M):
    attr = 1
    def method(self):
        return super().method()
#---- closures
def outer(a):
    b = 2
    def inner():
        nonlocal b
        b += a
        return b
    return inner
#---- const_folding
t = (1, 2, 3)
u = (1, (2, "x"), -3.5, None)
v = [1, 2, 3]
w = {1, 2, 3}
z = 2 ** 10
s = "a" "b"
#---- boolops
r = a and b or c
if a and (b or not c):
    pass
if x is None:
    y = 1
if x is not None:
    y = 2
q = a if b else c
#---- compare_chain
if 1 < x < 10 <= y:
    pass
r = a < b < c
#---- unpacking
a, b = b, a
a, b, c = c, b, a
a, *rest = seq
(a, b), c = t
x = [*a, *b]
y = {**d, 'k': 1}
f(*args, **kwargs)
#---- augassign_del
x += 1
a.b -= 2
a[i] *= 3
del x, a.b, a[i]
#---- fstrings
s = f"{x!r:>{width}} and {y}"
#---- match_stmt
match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0):
        print("Origin")
    case {"k": v, **rest}:
        pass
    case _:
        pass
#---- dead_code
if 0:
    never()
while 0:
    never()
if 1:
    always()
x = 1
#---- global_import
import os.path
from a.b import c as d, e
from . import f
global g
g = 1
#---- annotations
x: int = 1
y: "str"
#---- try_star
try:
    f()
except* ValueError as eg:
    g(eg)
except* TypeError:
    pass
#---- swap_patterns
a, b, c = x, y, z
a, b = b, a
x[0], x[1] = x[1], x[0]
#---- return_in_loop_funcs
def f(xs):
    for x in xs:
        if x:
            return x
    return None
def g(n):
    while n:
        try:
            n -= 1
        except:
            return -1
    return n
#---- generator_funcs
def gen(n):
    for i in range(n):
        yield i
    yield from other()
async def coro(x):
    async with x as y:
        await y
    async for z in y:
        pass
#---- uninitialized
def f(a):
    if a:
        b = 1
    print(b)
    del a
    return a
#---- many_names
def big():
    v0=v1=v2=v3=v4=v5=v6=v7=v8=v9=0
    v10=v11=v12=v13=v14=v15=v16=v17=v18=v19=0
    return v19
#---- kwcall
f(a, b=1, c=2)
obj.meth(x, key=3)
#---- slices
a[1:2]
a[::2] = b
x = a[i:j, k]
#---- docstring
"""Module docstring."""
x = 1
