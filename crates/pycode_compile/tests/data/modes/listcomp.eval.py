[x * y for x in range(3) for y in "ab" if x]
