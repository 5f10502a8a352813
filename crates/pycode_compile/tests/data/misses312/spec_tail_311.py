# spec_tail.py without the doubly nested spec (3.11 rejects it): format specs ending with a
# replacement field.
def f(p, n, q, w):
    a = f"{p:>{n}}{q} "
    b = f"{p:{w}.{n}}"
    c = f"{p:{w}{n}}"
    e = f"{p:{w}x}"
    g = f"{p:x{w}}"
    h = f"{p!r:{w}}"
    i = f"""{p:{
w
}}"""
    return a, b, c, e, g, h, i
