x = y = True = z = 3
