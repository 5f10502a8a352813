print a, x if y
