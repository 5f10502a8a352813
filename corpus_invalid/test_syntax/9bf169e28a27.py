match x:
    y = 3
