def f[*Ts = (yield)](): pass
