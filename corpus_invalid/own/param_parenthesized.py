def f(a, (x, y), w): pass
