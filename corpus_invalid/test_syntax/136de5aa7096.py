def f(*args:(lambda __debug__:0)): pass
