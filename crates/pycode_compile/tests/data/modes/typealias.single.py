type X = list[int]
