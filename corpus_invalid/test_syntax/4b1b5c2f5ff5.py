def f[T: (x:=3)](): pass
