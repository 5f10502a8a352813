def f(a):
    "doc"
    a + 1
    return a

