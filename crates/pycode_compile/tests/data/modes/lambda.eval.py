lambda a, b=2, *c, d, **e: (a, b, c, d, e)
