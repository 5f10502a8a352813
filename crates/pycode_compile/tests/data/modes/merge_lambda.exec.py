def h():
    a(lambda: 1); a(lambda: 1)
def k():
    if any(t for t in s) and any(t for t in s): pass
f = lambda: (lambda: 0); g = lambda: 0
m = [lambda: 0, lambda: 0, lambda x: x, lambda x: x]
