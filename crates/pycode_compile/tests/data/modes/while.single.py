while n:
    n -= 1
    n
else:
    "done"

