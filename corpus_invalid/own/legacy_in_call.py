f(a, print x)
