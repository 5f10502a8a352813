def f((x)): pass
