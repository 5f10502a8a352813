a = [x for x in y if x for z in x]
b = {k: v for k, v in d.items()}
c = {x async for x in y}
d = (x := 1 for _ in y)
e = [lambda: x for x in y]
class C:
    f = [x for x in range(3) if x in locals()]
def g():
    return [[y for y in x] for x in z]
