a = lambda x, /, y=1, *z, w, **k: (x, y)
b = [x for x in y if x if y for z in w]
c = {k: v for k, v in d.items()}
d = {**a, 'b': 1, **c}
e = {1, *s}
f = (x for x in y)
g = f(x for x in y)
h = f(a, *b, c=1, **d)
i = a[1:2, ::3, *s]
j = a if b else c
k = not a and b or c < d <= e is not f not in g
l = -a ** -b // ~c % d @ e << f >> g & h ^ i | j
m = (y := 10)
n = ((((a))))
o = [[1, [2]], {3: {4: 5}}]
p = a.b.c(d)[e].f
q = 1_000 + 0x_ff + 0o17 + 0b1 + 1.5e10 + 3j + 10**100 + 0xffffffffffffffffffff
r = ...
s = x[a:=1]
t = *a, *b
print(*a, sep='')
