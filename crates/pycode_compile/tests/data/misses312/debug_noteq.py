# 3.12 ends the text of a {expr=} debug field at the first top-level `!` (here the `!=`).
def f(x, y, a, b, c):
    return (f"{x!=y=}", f"{x != y = }", f"é1{x!=y=:{a}}", f"{a!=b!=c=!r}", f"{(x!=y)=}",
            f"{x==y=}", f"{'!='!=y=}", f"{x[a!=b]!=y=}", f"{x=!s:>10}")
