# Format specs ending with a replacement field (3.12.1 adds a Constant('') after it).
def f(p, n, q, w):
    a = f"{p:>{n}}{q} "
    b = f"{p:{w}.{n}}"
    c = f"{p:{w}{n}}"
    d = f"{p:{q:{n}}}"
    e = f"{p:{w}x}"
    g = f"{p:x{w}}"
    h = f"{p!r:{w}}"
    i = f"""{p:{
w
}}"""
    return a, b, c, d, e, g, h, i
