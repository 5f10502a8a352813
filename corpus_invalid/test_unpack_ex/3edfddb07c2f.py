a, *b, c, *d, e = range(10) # doctest:+ELLIPSIS
