# 1-character f-string pieces: the latin-1 singletons, except the `%` that ast_opt.c makes with
# str.replace('%%', '%') when it rewrites a %-format; positions of pieces merged with empty
# string tokens.
def f(x, y):
    a = "%%%s" % (x,)
    b = "%s%%" % (x,)
    c = "%%" % ()
    d = f"{x}" "" "é"
    e = f"{x}é" ""
    g = "" f"{x}" "ñ"
    h = f"{x}" "\xfe" f"{y}"
    i = "a%%b%s" % (y,)
    return a, b, c, d, e, g, h, i, '%'
