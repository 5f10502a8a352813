def f():
  break