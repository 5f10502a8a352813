def f[T] -> str:
  pass
