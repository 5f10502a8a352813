def f7(x: *b = 1): pass
