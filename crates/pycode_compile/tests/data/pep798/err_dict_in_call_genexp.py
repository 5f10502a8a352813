xs = [{1: 2}]
d = dict(**x for x in xs)
