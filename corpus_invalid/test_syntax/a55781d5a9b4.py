[x for a, b, (c + 1, d()) if y]
