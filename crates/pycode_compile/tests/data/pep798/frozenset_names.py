# 3.14+: a frozenset constant holding a multi-character string of name characters is rebuilt
# for every code object (interning), so two functions with different co_consts do not share
# it; one of 1-character strings, digit-led ones or other strings is shared.
def f(v):
    e = {'ab', 1, 2}
    w = {'a b', 'c d'}
    d = {'426', '225', 'x'}
    s = {'a', 'b', 'c'}
    return v in {'None', 'True', 'False'}, 1000


def g(v):
    e = {'ab', 1, 2}
    w = {'a b', 'c d'}
    d = {'426', '225', 'x'}
    s = {'a', 'b', 'c'}
    return v in {'None', 'True', 'False'}, 2000


def h():
    exclusions = {'None', 'True', 'False'}
    return sorted(b for b in x if b not in exclusions)


same1 = lambda: {'xy', 'zw'}
same2 = lambda: {'xy', 'zw'}
