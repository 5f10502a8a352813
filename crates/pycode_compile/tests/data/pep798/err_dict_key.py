d = {**x: 1 for x in xs}
