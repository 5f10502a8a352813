# 3.13+ keep the emptied `else` block of a constant-true conditional expression in the chain,
# so the statement's artificial POP_TOP gets no line (3.12 gives it the line of the body).
def f(x):
    while x:
        0 if 1 else 0


def g(x):
    0 if 1 else 0
    x()


def h(x):
    while x:
        0 if 0 else 1
