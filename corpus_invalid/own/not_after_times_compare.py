x * not y == 1
