def f(a=1, (x, y)): pass
