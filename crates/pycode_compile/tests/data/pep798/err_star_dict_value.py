d = {1: *x for x in xs}
