f(x for x in y for z in w if z if 1, 2)
