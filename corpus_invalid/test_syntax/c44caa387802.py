def f[**P = [(yield), int]](): pass
