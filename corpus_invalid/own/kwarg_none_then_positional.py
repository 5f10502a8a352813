f(None=1, x)
