# PEP 798 (3.15): unpacking in comprehensions, in every scope.
xs = [[1, 2], (3,), "ab"]
ds = [{1: 2}, {3: 4}]
flat = [*x for x in xs]
uniq = {*x for x in xs}
merged = {**d for d in ds}
gen = (*x for x in xs)
nested = [*y for x in [xs, xs] for y in x if y]
cond = [*x for x in xs if len(x) > 1]
lit = [*[0, 1] for i in range(3)]
pair = [*(a, b) for a, b in [(1, 2), (3, 4)]]
called = list(*x for x in xs)
tup = tuple(*x for x in xs)
anyof = any(*x for x in xs)
sums = sum(*x for x in [[1], [2, 3]])


def f(xss):
    a = [*x for x in xss]
    b = {*x for x in xss}
    c = {**m
         for m in ds}
    d = (*x
         for x in xss if x)
    return a, b, c, list(d)


def g(xss):
    return [*(*y for y in x) for x in xss]


class C:
    attrs = [*x for x in xs]
    maps = {**d for d in ds}
    gen = list(*x for x in xs)


async def agen(xs):
    a = [*x async for x in xs]
    b = {*x async for x in xs}
    c = {**x async for x in xs}
    d = (*x async for x in xs)
    e = [*await x for x in xs]
    return a, b, c, d, e


def closures(xs):
    k = 1
    return [*(lambda: x + k)() for x in xs], {**{k: x} for x in xs}


def walrus(xs):
    return [*(y := x) for x in xs], y
