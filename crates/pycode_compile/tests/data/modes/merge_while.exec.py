def f():
    while any(t for t in s):
        g()
    while x:
        h(lambda: 0)

