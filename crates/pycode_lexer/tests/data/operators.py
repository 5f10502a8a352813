x = 1 + \
    2
s = "a\"b" 'c' b"d" rb'e' u"f"
t = """multi
line""" ...
print(x@y, a->b, c:=d, e<>f, g**=h, i//=j, k>>=l, m!=n, $)
