print f(x for x in y), 2
